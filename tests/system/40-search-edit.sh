#!/usr/bin/env bash
# Clerks narrow a search by level, office, type, dates, ID number and
# dossier code, with or without words; staff correct a field and the
# correction survives a reindex; every search and every get is in the
# access log with the name of the user who made it.
. "$(dirname "$0")/lib.sh"
G=$FIXTURES/good
P=$SOHOA_SRCDIR/scanner-profiles
unset SUDO_USER
# Settings of our own: no profiles folder yet.
export SOHOA_CONF=$T/sohoa.conf
printf '[sohoa]\nprofiles = %s\n' "$T/no-profiles" >"$SOHOA_CONF"
me=$(id -un)

sohoa ingest --json --jobs 2 "$G/birth-extract.g4.tif" \
    "$G/business-household.rgb-jpeg.tif" "$G/building-permit.grey.png" \
    >"$T/commune.json" 2>"$T/ingest.err" &&
sohoa ingest --json --profile "$P/quan-cau-giay.conf" \
    "$G/decision.grey-lzw.tif" >"$T/district.json" 2>>"$T/ingest.err"
check "four scans from two offices are ingested" test "$(cat "$T/commune.json" \
    "$T/district.json" | jq -s length)" -eq 4
id_of() { cat "$T/commune.json" "$T/district.json" | jq -rs ".[] | select(.source_name==\"$1\") | .id"; }
birth=$(id_of birth-extract.g4.tif)
decision=$(id_of decision.grey-lzw.tif)


check "--level district lists the district's decision alone" \
    test "$(found --level district)" = "decision.grey-lzw.tif "
check "--level commune lists the commune's three" \
    test "$(found --level commune)" = "birth-extract.g4.tif building-permit.grey.png business-household.rgb-jpeg.tif "
check "--agency takes the office's code" \
    test "$(found --agency 000.00.05.H26)" = "decision.grey-lzw.tif "
check "--type matches the document type without diacritics" \
    test "$(found --type 'giay phep')" = "building-permit.grey.png "
check "--from and --to take the issue date" \
    test "$(found --from 2024-01-01 --to 2024-12-31)" = "birth-extract.g4.tif decision.grey-lzw.tif "
check "--to alone" \
    test "$(found --to 2023-06-30)" = "business-household.rgb-jpeg.tif "
check "--person-id finds the holder's documents" \
    test "$(found --person-id 001323012345)" = "birth-extract.g4.tif "
check "--dossier finds the document by its dossier code" \
    test "$(found --dossier 000.23.11.H26-240315-0017)" = "decision.grey-lzw.tif "
check "words and filters together" \
    test "$(found 'Quỳnh' --level district --from 2024-03-01)" = "decision.grey-lzw.tif "
check "a filter that excludes the words' document finds nothing" \
    test -z "$(found 'Quỳnh' --level commune)"
check "a result carries the document, a score and a snippet" \
    bash -c "sohoa search --json 'Đặng Văn Đức' | jq -e '.[0] | .source_name == \"business-household.rgb-jpeg.tif\" and .score > 0 and (.snippet | test(\"\\\\[\")) and has(\"dossier_code\") and has(\"people\")' >/dev/null"
check "a search by filters alone has no score and no snippet" \
    bash -c "sohoa search --json --level district | jq -e '.[0].score == null and .[0].snippet == null' >/dev/null"
check "a phrase in quotes is found" test "$(found '"thu hường"')" = "birth-extract.g4.tif "
check "a prefix is found" test "$(found 'quỳn*')" = "decision.grey-lzw.tif "
# OCR may drop the marks: the snippet shows the words as read.
check "the human output shows the snippet with the match marked" \
    bash -c "sohoa search 'Quảng An' | grep -qi '\\[qu[^]]*\\] \\[an\\]'"

# Plain errors.
SOHOA_EXPECT=1 sohoa search '"thu huong' >"$T/out" 2>"$T/err"
status=$?
check "an unclosed quotation mark is refused (exit 1)" test "$status" -eq 1
check "... in plain words" grep -q 'quotation mark (") is not closed' "$T/err"
check "... never FTS5's" bash -c "! grep -qi 'fts5\\|syntax' '$T/err'"
check_status "a date that does not exist is refused" 1 sohoa search --from 2024-02-30
check "... naming the date" bash -c "SOHOA_EXPECT=1 sohoa search --from 2024-02-30 2>&1 | grep -q \"'2024-02-30' is not a date\""
check_status "a level that does not exist is refused" 1 sohoa search --level tinh nguyen
check_status "a search with neither words nor filters is a usage error (exit 2)" 2 sohoa search

# Corrections.
people_before=$(sohoa show --json "$decision" | jq -c .people)
check "edit corrects the document number and the people" \
    sohoa edit "$decision" doc_number=2088/QĐ-UBND "people=Phạm Thị Quỳnh, Trần Văn Nam"
check "show --json has the new number" \
    test "$(sohoa show --json "$decision" | jq -r .doc_number)" = "2088/QĐ-UBND"
check "show --json lists the corrections with who, the old and the new value" \
    test "$(sohoa show --json "$decision" | jq -c '[.corrections[] | [.field, .old, .new, .who]]')" = \
    "[[\"doc_number\",\"2087/QĐ-UBND\",\"2088/QĐ-UBND\",\"$me\"],[\"people\",$people_before,[\"Phạm Thị Quỳnh\",\"Trần Văn Nam\"],\"$me\"]]"
check "show lists the corrections for people" \
    bash -c "sohoa show '$decision' | grep -q 'doc_number: \"2087/QĐ-UBND\" -> \"2088/QĐ-UBND\"'"
check "a record never corrected has no corrections in show --json" \
    test "$(sohoa show --json "$birth" | jq 'has("corrections")')" = false
check "search finds the corrected number" test "$(found 2088/QĐ-UBND)" = "decision.grey-lzw.tif "
check "search finds a corrected name" test "$(found '"tran van nam"')" = "decision.grey-lzw.tif "
check "... and --person-id, a corrected ID number" bash -c \
    "sohoa edit '$birth' 'id_numbers=001323012345, 001095001234' >/dev/null && [ \"\$(sohoa search --json --person-id 001095001234 | jq -r '.[0].id')\" = '$birth' ]"
check_status "a date that does not exist is not a correction" 1 \
    sohoa edit "$decision" issued_on=2024-02-30
check_status "a field that cannot be corrected is refused" 1 \
    sohoa edit "$decision" sha256=0000
check "a refused edit changes nothing" \
    test "$(sohoa show --json "$decision" | jq -r '.issued_on + " " + (.corrections | length | tostring)')" = "2024-03-20 2"

# Reindex: the text is read again from every package; corrections stay.
sohoa show --json "$birth" | jq -c 'del(.corrections)' >"$T/birth.before"
sohoa reindex >"$T/reindex.out" 2>"$T/reindex.err"
status=$?
check "reindex succeeds" test "$status" -eq 0
check "reindex says what it did" \
    grep -q '^4 documents: 4 read again from the archive, 0 kept the text already indexed, 0 without text; 3 corrections re-applied' "$T/reindex.out"
check "reindex names the documents whose profile it could not find" \
    grep -q '1 document was read with the built-in profile' "$T/reindex.err"
check "the correction survives the reindex" \
    test "$(sohoa show --json "$decision" | jq -r .doc_number)" = "2088/QĐ-UBND"
check "search still finds the corrected number" \
    test "$(found 2088/QĐ-UBND)" = "decision.grey-lzw.tif "
check "the old number, printed on the scan, finds the corrected record" \
    test "$(sohoa search --json 2087/QĐ-UBND | jq -r '.[0].doc_number')" = "2088/QĐ-UBND"
check "another record is read again the same, its correction kept" \
    test "$(sohoa show --json "$birth" | jq -c 'del(.corrections)')" = "$(cat "$T/birth.before")"
check "the office of a profile not found is kept" \
    test "$(sohoa show --json "$decision" | jq -r .agency_name)" = "UBND quận Cầu Giấy"
printf '[sohoa]\nprofiles = %s\n' "$P" >"$SOHOA_CONF"
sohoa reindex >"$T/reindex.out" 2>"$T/reindex.err"
check "with sohoa.conf naming the profiles folder, each document's profile is found" \
    test ! -s "$T/reindex.err"
check "searching by words works after the reindex" \
    test "$(found nguyen thi thu huong)" = "birth-extract.g4.tif "

# The access log.
SUDO_USER=lan.nguyen sohoa search --level commune huong >/dev/null
sohoa get "$birth" --text -o - >/dev/null
sohoa log --json >"$T/log.json"
check "the log lists the get last made, first" \
    test "$(jq -c '.[0] | [.action, .document, .taken, .who]' "$T/log.json")" = "[\"get\",$birth,\"text\",\"$me\"]"
if [ "$(id -u)" -eq 0 ]; then
	check "the search made under sudo is logged with the sudo user" \
	    test "$(jq -r '.[1].who' "$T/log.json")" = lan.nguyen
else
	skip "the search made under sudo is logged with the sudo user" "not root"
fi
check "the search is logged with its words, filters and count" \
    test "$(jq -c '.[1] | [.action, .query, .filters, .results]' "$T/log.json")" = \
    '["search","huong",{"level":"commune"},1]'
check "every search of this test is in the log" \
    test "$(jq '[.[] | select(.action == "search")] | length' "$T/log.json")" -ge 20
check "log --limit 1 shows one entry" test "$(sohoa log --json --limit 1 | jq length)" -eq 1
check "log shows who, what and the count to people" \
    bash -c "sohoa log --limit 2 | grep -q 'search \"huong\" --level commune  (1 found)'"
sohoa show "$birth" >/dev/null
sohoa list --limit 3 >/dev/null
check "show and list are logged too: which record, how many shown" \
    test "$(sohoa log --json --limit 2 | jq -c '[.[] | [.action, .document, .results]]')" = \
    "[[\"list\",null,3],[\"show\",$birth,null]]"
check "log says so to people" \
    bash -c "sohoa log --limit 2 | grep -q 'list    (3 shown)' && sohoa log --limit 2 | grep -q 'show   #$birth\$'"
check "a refused search is not logged as shown" \
    test "$(jq '[.[] | select(.query == "\"thu huong")] | length' "$T/log.json")" -eq 0
