#!/usr/bin/env bash
# Hard scans: a page fed upside down and a page fed 6 degrees askew are
# read right (their words are found by search), the package's metadata
# says what was done to each, the PDF shows the page upright with its text
# layer on the words, and a profile with `preprocess = no` leaves a page as
# it was scanned.  The two pages are made here from the committed fixtures.
. "$(dirname "$0")/lib.sh"
G=$FIXTURES/good
IM=/usr/bin/convert

if ! [ -x "$IM" ]; then
	skip "hard scans are made with ImageMagick" "no $IM (apt-get install imagemagick)"
	exit 0
fi
"$IM" "$G/birth-extract.g4.tif" -rotate 180 -units PixelsPerInch -density 300 \
    -compress Group4 "$T/upside-down.tif"
"$IM" "$G/decision.grey-lzw.tif" -background white -rotate 6 +repage \
    -units PixelsPerInch -density 300 "$T/askew.png"

sohoa ingest --json "$T/upside-down.tif" "$T/askew.png" >"$T/ingest.json" \
    2>"$T/ingest.err"
status=$?
check "an upside-down and a skewed page ingest" test "$status" -eq 0
check "the upside-down birth extract's name is found" \
    bash -c "[[ '$(found 'Nguyễn Thị Thu Hường')' == *upside-down.tif* ]]"
check "its personal ID number is found" \
    bash -c "[[ '$(found 001323012345)' == *upside-down.tif* ]]"
check "the skewed decision's street is found" \
    bash -c "[[ '$(found 'Trung Kính')' == *askew.png* ]]"
check "its dossier code is found whole" \
    bash -c "[[ '$(found 000.23.11.H26-240315-0017)' == *askew.png* ]]"
check "the skewed decision's number is read off it" \
    test "$(jq -r 'select(.source_name=="askew.png") | .doc_number' "$T/ingest.json")" = 2087/QĐ-UBND

# metadata.json in each package says what was done to the page.
meta() {
	local pkg
	pkg=$SOHOA_DATA/$(jq -r "select(.source_name==\"$1\") | .archive" "$T/ingest.json")
	tar -xOf "$pkg" --wildcards '*/data/metadata.json'
}
meta upside-down.tif >"$T/up.json"
meta askew.png >"$T/askew.json"
check "the package records that the upside-down page was turned 180 degrees" \
    test "$(jq '.page_info[0].preprocess.rotation' "$T/up.json")" -eq 180
check "and that orientation was one of the steps" \
    jq -e '.page_info[0].preprocess.steps | index("orientation")' "$T/up.json"
check "the package records the skew corrected, about 6 degrees" \
    jq -e '.page_info[0].preprocess.skew | fabs | . > 5.5 and . < 6.5' "$T/askew.json"
check "and the time preprocessing and recognition took" \
    jq -e '.page_info[0].preprocess.seconds >= 0 and .page_info[0].ocr_seconds > 0' "$T/askew.json"

# The PDF: the page upright, the invisible word where the visible one is.
# Cut the box pdftotext gives for a word out of the rendered page and read it.
if command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null &&
    command -v tesseract >/dev/null; then
	id=$(jq -r 'select(.source_name=="upside-down.tif") | .id' "$T/ingest.json")
	sohoa get "$id" --pdf -o "$T/up.pdf"
	pdftoppm -r 150 -png "$T/up.pdf" "$T/page"
	box=$(pdftotext -bbox "$T/up.pdf" - | grep -m1 '>TRÍCH<' |
	    sed -E 's/.*xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)".*/\1 \2 \3 \4/')
	check "the PDF's text layer has the title word" test -n "$box"
	read -r x0 y0 x1 y1 <<<"${box:-0 0 0 0}"
	crop=$(awk -v a="$x0" -v b="$y0" -v c="$x1" -v d="$y1" 'BEGIN {
		s = 150 / 72; m = 6; mx = (c - a) * s / 4 + m
		printf "%dx%d+%d+%d", (c - a) * s + 2 * mx, (d - b) * s + 2 * m, a * s - mx, b * s - m }')
	"$IM" "$T"/page-1.png -crop "$crop" +repage -bordercolor white -border 20 \
	    "$T/word.png"
	check "the page image under that box reads TRÍCH: upright and aligned" \
	    bash -c "OMP_THREAD_LIMIT=1 tesseract '$T/word.png' - -l vie --psm 7 2>/dev/null | grep -q TRÍCH"
else
	skip "the PDF's text layer lies on its words" "no pdftotext/pdftoppm (apt-get install poppler-utils)"
fi

# A profile that turns preprocessing off: the page is recognised as scanned.
cat >"$T/raw.conf" <<EOF
[profile]
name = raw
agency_code = 000.11.30.H26
agency_name = UBND phường Dịch Vọng Hậu
level = commune
preprocess = no
EOF
sohoa ingest --data "$T/raw" --profile "$T/raw.conf" --json \
    "$T/upside-down.tif" >"$T/raw.json" 2>/dev/null
pkg=$T/raw/$(jq -r .archive "$T/raw.json")
check "with preprocess = no, nothing is done to the page" \
    bash -c "tar -xOf '$pkg' --wildcards '*/data/metadata.json' | jq -e '.page_info[0].preprocess | .rotation == 0 and (.steps | length) == 0'"
check "and the upside-down name is not found" \
    test -z "$(sohoa search --data "$T/raw" --json 001323012345 | jq -r '.[].source_name')"
cat >"$T/bad.conf" <<EOF
[profile]
name = bad
agency_code = 000.11.30.H26
agency_name = UBND phường Dịch Vọng Hậu
level = commune
deskew = maybe
EOF
check "a profile switch that is not yes or no is refused with file:line" \
    bash -c "SOHOA_EXPECT=1 sohoa ingest --data '$T/bad' --profile '$T/bad.conf' '$T/askew.png' 2>&1 | grep -q 'bad.conf:6: deskew must be yes or no'"
