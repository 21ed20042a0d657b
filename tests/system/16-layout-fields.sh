#!/usr/bin/env bash
# Header fields from their place in the layout: each package keeps
# layout.json (one entry per page: the page's size, its lines and words
# with their boxes), the header fields are page 1's, from its header, a
# page with no header gives none, and a reindex reads them the same way.
. "$(dirname "$0")/lib.sh"
G=$FIXTURES/good
IM=/usr/bin/convert

sohoa ingest --json "$G/decision.grey-lzw.tif" "$G/multipage.tif" \
    >"$T/ingest.json" 2>"$T/ingest.err"
check "a decision and a three-page scan ingest" test $? -eq 0
pkg() { echo "$SOHOA_DATA/$(jq -r "select(.source_name==\"$1\") | .archive" "$T/ingest.json")"; }
layout() { tar -xOf "$(pkg "$1")" --wildcards '*/data/layout.json'; }
check "the package holds data/layout.json, in its manifest" \
    bash -c "tar -xOf '$(pkg decision.grey-lzw.tif)' --wildcards '*/manifest-sha256.txt' | grep -q ' data/layout.json\$'"
check "layout.json has the page's size and its lines' words with boxes" \
    bash -c "$(declare -f pkg layout); T='$T' SOHOA_DATA='$SOHOA_DATA'; layout decision.grey-lzw.tif | jq -e 'length == 1 and (.[0].w > 1000) and (.[0].h > 1000) and (.[0].lines | length > 5) and ([.[0].lines[].words[] | select(.t == \"QUYẾT\")] | length == 1) and (.[0].lines[0].words[0].box | length == 4)'"
check "one layout per page of a multi-page scan" \
    bash -c "$(declare -f pkg layout); T='$T' SOHOA_DATA='$SOHOA_DATA'; layout multipage.tif | jq -e 'length == 3 and all(.[]; .lines | length > 3)'"
fields() { jq -c "select(.source_name==\"$1\") | [.doc_type, .doc_number, .issued_on]" "$T/ingest.json"; }
check "the decision's type, number and date come from its header" \
    test "$(fields decision.grey-lzw.tif)" = '["QUYẾT ĐỊNH","2087/QĐ-UBND","2024-03-20"]'
check "a multi-page scan's header fields are its first page's" \
    test "$(fields multipage.tif)" = '["QUYẾT ĐỊNH","2087/QĐ-UBND","2024-03-20"]'
meta() { tar -xOf "$(pkg "$1")" --wildcards '*/data/metadata.json'; }
check "metadata.json names where each header field was read: the line as read, page 1, its box" \
    bash -c "$(declare -f pkg meta); T='$T' SOHOA_DATA='$SOHOA_DATA'; meta decision.grey-lzw.tif | jq -e '.evidence.doc_number.from == \"page layout\" and (.evidence.doc_number.text | test(\"2087\")) and .evidence.doc_number.page == 1 and (.evidence.doc_number.box | length == 4) and (.evidence.issued_on.text | test(\"ngày\")) and (.evidence.doc_type.text | test(\"QUYẾT\"))'"

sohoa reindex >"$T/reindex.out" 2>&1
check "reindex reads the packages again" test $? -eq 0
check "and keeps the header fields read from the layout" \
    test "$(sohoa list --json | jq -c '[.[] | [.doc_type, .doc_number, .issued_on]] | unique')" = \
    '[["QUYẾT ĐỊNH","2087/QĐ-UBND","2024-03-20"]]'

if ! [ -x "$IM" ]; then
	skip "a page without a header gives no header field" "no $IM (apt-get install imagemagick)"
	exit 0
fi
# The decision's body and signature alone, below its title, as a
# letter's second page comes.
"$IM" "$G/decision.grey-lzw.tif" -gravity south -crop 100%x47%+0+0 +repage \
    -units PixelsPerInch -density 300 "$T/no-header.png"
sohoa ingest --json "$T/no-header.png" >"$T/ingest2.json" 2>"$T/ingest2.err"
check "a page without a header ingests" test $? -eq 0
check "and gives no type, number or date of issue" \
    test "$(jq -c '[.doc_type, .doc_number, .issued_on]' "$T/ingest2.json")" = '[null,null,null]'
