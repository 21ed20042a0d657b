#!/usr/bin/env bash
# Every good fixture (each TIFF variant, PNG, JPEG, multi-page) ingests;
# the words on each page are found by search, with and without diacritics;
# get returns the original byte for byte, the PDF and the text.
. "$(dirname "$0")/lib.sh"
G=$FIXTURES/good
mapfile -t files < <(cut -f1 "$G/manifest.tsv" | tail -n +2)

sohoa ingest --json --jobs 2 "${files[@]/#/$G/}" >"$T/ingest.json" 2>"$T/ingest.err"
status=$?
check "a batch of ${#files[@]} good scans exits 0" test "$status" -eq 0
check "one JSON object per document on stdout" \
    test "$(jq -s length "$T/ingest.json")" -eq "${#files[@]}"
check "nothing but the batch summary on stderr for good scans" \
    test "$(grep -vc '^10 recorded' "$T/ingest.err")" -eq 0

# The JSON contract: every key present in every object.
for k in id source_name sha256 pages ocr_confidence profile agency_code \
    agency_name level doc_type doc_number issued_on people id_numbers \
    dossier_code archive ingested_at duplicate_of procedure_code valid_until; do
	check "every ingested record has '$k'" \
	    test "$(jq -s "length > 0 and (map(has(\"$k\")) | all)" "$T/ingest.json")" = true
done
check "ocr_confidence is between 0 and 100 and sensible for clean pages" \
    test "$(jq -s 'length > 0 and (map(.ocr_confidence > 70 and .ocr_confidence <= 100) | all)' "$T/ingest.json")" = true
check "the multi-page TIFF has 3 pages" \
    test "$(jq -s '.[] | select(.source_name=="multipage.tif") | .pages' "$T/ingest.json")" -eq 3
check "the sample profile's office is on the record" \
    test "$(jq -rs '.[0].level + " " + .[0].agency_code' "$T/ingest.json")" = "commune 000.11.30.H26"
check "the issue date is read off the birth extract" \
    test "$(jq -rs '.[] | select(.source_name=="birth-extract.g4.tif") | .issued_on' "$T/ingest.json")" = 2024-03-15
check "the personal ID number is read off the birth extract" \
    test "$(jq -rs '.[] | select(.source_name=="birth-extract.g4.tif") | .id_numbers[0]' "$T/ingest.json")" = 001323012345

# Search: which files does a query find?
check "a name with diacritics finds the birth extracts" \
    bash -c "[[ '$(found 'Nguyễn Thị Thu Hường')' == *birth-extract.g4.tif* ]]"
check "the same name typed without diacritics finds them too" \
    bash -c "[[ '$(found nguyen thi thu huong)' == *birth-extract.rgb.jpg* ]]"
check "đ typed as d finds the business household certificate" \
    bash -c "[[ '$(found dang van duc)' == *business-household.rgb-jpeg.tif* ]]"
check "a word only on page 3 of the multi-page TIFF finds it" \
    bash -c "[[ '$(found 'Tô Ngọc Vân')' == *multipage.tif* ]]"
check "a dossier code typed whole finds exactly the decisions" \
    test "$(found 000.23.11.H26-240315-0017)" = "decision.g4-nores.tif decision.grey-lzw.tif multipage.tif "
check "a document number typed whole finds the decisions" \
    bash -c "[[ '$(found 2087/QĐ-UBND)' == *decision.grey-lzw.tif* ]]"
check "a 9-digit old ID number finds the certificates" \
    bash -c "[[ '$(found 013456789)' == *business-household.rgb-jpeg.tif* ]]"
check "a word on no page finds nothing" test -z "$(found xyzzyq)"
check "search results carry a snippet with the match marked" \
    test "$(sohoa search --json 'Quảng An' | jq '.[0].snippet | test("\\[")')" = true
check "search results carry a positive score" \
    test "$(sohoa search --json 'Quảng An' | jq '.[0].score > 0')" = true
check_status "a query of punctuation only is refused" 1 sohoa search -- '-'
check "... in plain words, never FTS5's" \
    bash -c "SOHOA_EXPECT=1 sohoa search -- '-' 2>&1 | grep -q 'no letters or digits' && ! SOHOA_EXPECT=1 sohoa search -- '-' 2>&1 | grep -qi fts5"

# get: bytes out of the package.
id=$(jq -rs '.[] | select(.source_name=="birth-extract.g4.tif") | .id' "$T/ingest.json")
check "get --original returns the scan byte for byte" \
    bash -c "sohoa get $id --original -o '$T/orig.tif' && cmp '$T/orig.tif' '$G/birth-extract.g4.tif'"
jid=$(jq -rs '.[] | select(.source_name=="birth-extract.rgb.jpg") | .id' "$T/ingest.json")
check "get --original -o - writes a JPEG original to stdout unchanged" \
    bash -c "sohoa get $jid --original -o - | cmp - '$G/birth-extract.rgb.jpg'"
check "get --pdf gives a PDF" \
    bash -c "sohoa get $id --pdf -o '$T/get.pdf' && head -c 5 '$T/get.pdf' | grep -q '%PDF-'"
check "get --text holds the page's words in NFC" \
    bash -c "sohoa get $id --text -o - | grep -q 'PHƯỜNG DỊCH VỌNG HẬU'"
check "get of a document that does not exist says so" \
    bash -c "SOHOA_EXPECT=1 sohoa get 9999 --pdf -o - 2>&1 | grep -q 'no document #9999'"
check_status "get of a document that does not exist exits 1" 1 sohoa get 9999 --pdf -o "$T/x"

# The package opens with plain tools.
pkg=$SOHOA_DATA/$(jq -rs ".[] | select(.id==$id) | .archive" "$T/ingest.json")
check "the package lists with tar" bash -c "tar -tf '$pkg' | grep -q 'data/original.tif'"
check "the package lists with bsdtar" bash -c "bsdtar -tf '$pkg' | grep -q 'data/document.pdf'"
check "the package's manifest checks with sha256sum" \
    bash -c "mkdir '$T/x' && tar -xf '$pkg' -C '$T/x' && cd '$T/x'/* && sha256sum -c --quiet manifest-sha256.txt"

# list and show.
check "list --json shows the newest first" \
    test "$(sohoa list --json | jq '.[0].id > .[1].id')" = true
check "list --limit 3 shows three" test "$(sohoa list --json --limit 3 | jq length)" -eq 3
check "show --json gives the same record as ingest" \
    test "$(sohoa show --json "$id" | jq -c .)" = "$(jq -cs ".[] | select(.id==$id)" "$T/ingest.json")"
check_status "show of a bad id is a usage error (exit 2)" 2 sohoa show abc
check "--data takes precedence over SOHOA_DATA" \
    test "$(SOHOA_DATA=$T/elsewhere sohoa list --data "$SOHOA_DATA" --json | jq 'length > 0')" = true
check_status "an empty data folder says nothing was ingested" 1 sohoa list --data "$T/empty"

# Reading quality on clean pages: the text taken out of each package is
# within 2 % character error of the page's ground truth (plain tesseract
# reads these at 0-0.8 %), so preprocessing never costs clean pages.
cer() {	# REFERENCE HYPOTHESIS: character error rate, whitespace collapsed
	python3 - "$1" "$2" <<'PY'
import sys, unicodedata
def norm(p):
    t = unicodedata.normalize('NFC', open(p, encoding='utf-8').read())
    return ' '.join(t.split())
r, h = norm(sys.argv[1]), norm(sys.argv[2])
prev = list(range(len(h) + 1))
for i, a in enumerate(r, 1):
    cur = [i]
    for j, b in enumerate(h, 1):
        cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a != b)))
    prev = cur
print('%.4f' % (prev[-1] / max(len(r), 1)))
PY
}
while IFS=$'\t' read -r f gt _; do
	case $gt in *';'*) continue ;; esac	# the multi-page file
	fid=$(jq -rs ".[] | select(.source_name==\"$f\") | .id" "$T/ingest.json")
	sohoa get "$fid" --text -o "$T/$f.txt" 2>/dev/null
	rate=$(cer "$G/$gt" "$T/$f.txt")
	check "$f reads within 2% CER of its ground truth ($rate)" \
	    awk -v r="$rate" 'BEGIN { exit !(r <= 0.02) }'
done < <(tail -n +2 "$G/manifest.tsv")
