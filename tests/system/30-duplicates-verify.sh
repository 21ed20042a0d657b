#!/usr/bin/env bash
# A second copy of the same bytes is recorded as a duplicate of the first
# and not OCR'd again; verify catches one flipped byte in a package.
. "$(dirname "$0")/lib.sh"
G=$FIXTURES/good

sohoa ingest --json "$G/decision.grey-lzw.tif" >"$T/first.json" 2>/dev/null
first=$(jq -r .id "$T/first.json")
check "the first copy is recorded" test "$first" -ge 1
cp "$G/decision.grey-lzw.tif" "$T/ban-sao.tif"
# With no language data, any OCR would fail: a duplicate must not need it.
TESSDATA_PREFIX=$T/no-tessdata sohoa ingest --json "$T/ban-sao.tif" \
    >"$T/dup.json" 2>"$T/dup.err"
status=$?
check "a copy of the same bytes is recorded without OCR" test "$status" -eq 0
check "it is recorded as a duplicate of the first" \
    test "$(jq -r .duplicate_of "$T/dup.json")" = "$first"
check "it keeps its own file name" test "$(jq -r .source_name "$T/dup.json")" = ban-sao.tif
check "it shares the first copy's package" \
    test "$(jq -r .archive "$T/dup.json")" = "$(jq -r .archive "$T/first.json")"
check "search lists the document once, not once per copy" \
    test "$(sohoa search --json Quỳnh | jq length)" -eq 1
# A correction is made to the scan, whichever of its records is edited.
dup=$(jq -r .id "$T/dup.json")
sohoa edit "$first" doc_number=2099/QĐ-UBND >"$T/edit.out"
check "a correction of the first copy says its duplicate was corrected too" \
    grep -q "the same scan's other record corrected alike: #$dup" "$T/edit.out"
check "the duplicate shows the corrected field, and who made it" \
    test "$(sohoa show --json "$dup" | jq -c '[.doc_number, .corrections[0].new, (.corrections[0].who | length > 0)]')" = \
    '["2099/QĐ-UBND","2099/QĐ-UBND",true]'
sohoa edit "$dup" "people=Lê Thị Quỳnh" >/dev/null
check "a correction made on the duplicate reaches the first copy" \
    test "$(sohoa show --json "$first" | jq -c .people)" = '["Lê Thị Quỳnh"]'
check "and search finds the first copy by it" \
    test "$(sohoa search --json "le thi quynh" | jq -c '[.[].id]')" = "[$first]"
sohoa reindex >/dev/null 2>&1
check "both keep their corrections through a reindex" \
    test "$(sohoa list --json | jq -c "[.[] | select(.id == $first or .id == $dup) | [.doc_number, .people]] | unique")" = \
    '[["2099/QĐ-UBND",["Lê Thị Quỳnh"]]]'

# Two copies in one batch: one OCR, one duplicate.
cp "$G/building-permit.grey.png" "$T/a.png"
cp "$G/building-permit.grey.png" "$T/b.png"
sohoa ingest --json "$T/a.png" "$T/b.png" >"$T/batch.json" 2>/dev/null
check "two copies in one batch: the second is a duplicate of the first" \
    test "$(jq -rs '.[1].duplicate_of == .[0].id' "$T/batch.json")" = true
check "without language data, a new scan fails with a plain reason" \
    bash -c "TESSDATA_PREFIX='$T/no-tessdata' SOHOA_EXPECT=1 sohoa ingest '$G/birth-extract.g4.tif' 2>&1 | grep -q 'language data'"

check "verify passes on intact packages" sohoa verify
pkg=$SOHOA_DATA/$(jq -r .archive "$T/first.json")
size=$(stat -c %s "$pkg")
# Flip one byte in the middle of the package (inside the scan's data).
python3 - "$pkg" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[len(b) // 3] ^= 0x01
open(p, 'wb').write(bytes(b))
PY
SOHOA_EXPECT=1 sohoa verify >"$T/verify.out" 2>&1
status=$?
check "verify exits 1 after one flipped byte" test "$status" -eq 1
check "verify names the damaged package" grep -q "$(basename "$pkg")" "$T/verify.out"
check "the package is still the same size (the test flipped, not cut)" \
    test "$(stat -c %s "$pkg")" -eq "$size"
check_status "get refuses a member that fails its checksum" 1 \
    env SOHOA_ANY_STATUS=1 bash -c "sohoa get $first --original -o '$T/o.tif' || exit 1; sohoa get $first --pdf -o '$T/o.pdf' || exit 1; sohoa get $first --text -o '$T/o.txt'"
