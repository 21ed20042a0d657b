#!/usr/bin/env bash
# The city commands (issue 13): two offices ship into one PostgreSQL; a
# record of office A is found from office B with --city as A finds it
# (a name without diacritics, an ID number, a dossier code, a document
# number), show --city A:ID is A's own show plus its office, report
# --city sums both registers, every city search and show is in the city's
# access log with the office and the user, and what cannot be done (a bad
# OFFICE:ID, an unknown office, PostgreSQL down) is one plain line.
#
# The records go to the city by `sohoa sync`, as each office's own role.
. "$(dirname "$0")/lib.sh"
eval "lib_$(declare -f check_status)"
G=$FIXTURES/good
R=$FIXTURES/register

if ! start_pg; then
	skip "the city commands" "no PostgreSQL 15 here (initdb not found)"
	exit 0
fi
city_two_offices
check "the city database is made, with two offices" test \
    "$(psql -X -At "$ADMIN" -c 'SELECT count(*) FROM offices')" -eq 2

# ship O OFFICE: what the office holds sent by `sohoa sync`, as its own
# role, and then in the city as many rows of OFFICE as the office holds.
ship() {
	SOHOA_CONF=$T/$1.conf SOHOA_DATA=$T/$1 sohoa sync >/dev/null || return 1
	local docs entries
	docs=$(psql -X -At "$ADMIN" -c "SELECT count(*) FROM documents WHERE office = '$2'")
	entries=$(psql -X -At "$ADMIN" -c "SELECT count(*) FROM register_entries WHERE office = '$2'")
	test "$docs" -eq "$(SOHOA_DATA=$T/$1 "$SOHOA" list --json | jq length)" &&
	    test "$entries" -eq "$(sqlite3 "$T/$1/sohoa.db" 'SELECT count(*) FROM register_entries')"
}
check "office A's records and register reach the city" ship a phuong-a
check "office B's too" ship b quan-b

# ---- search --city: A's record found from B as A finds it ----
# same_ids LOCAL_JSON CITY_JSON OFFICE: the city's results of OFFICE are
# the local ones, in the same order.
same_ids() {
	diff <(jq -c '[.[].id]' "$1") \
	    <(jq -c --arg o "$3" '[.[] | select(.office == $o) | .id]' "$2")
}
city_vs_local() {
	local what=$1 office=$2 who=$3
	shift 3
	$who search --json "$@" >"$T/local.json"
	B search --city --json "$@" >"$T/city.json"
	check "$what: found in the city" jq -e 'length >= 1' "$T/city.json"
	check "$what: the same records, in the same order, as $office's own search" \
	    same_ids "$T/local.json" "$T/city.json" "$office"
}
city_vs_local "a name typed without diacritics" phuong-a A nguyen thi thu huong
city_vs_local "a name with diacritics" phuong-a A "Đặng Văn Đức"
city_vs_local "an ID number" phuong-a A --person-id 001323012345
city_vs_local "an ID number typed in two" phuong-a A 001323 012345
city_vs_local "a document number, whole" quan-b B 2087/QĐ-UBND
city_vs_local "B's dossier code, from B's own" quan-b B --dossier 000.23.11.H26-240315-0017
city_vs_local "a prefix and a filter" phuong-a A huon* --level commune
check "each city result says its office and keeps the local members" \
    jq -e 'all(.[]; .office == "phuong-a" and has("sha256") and has("score") and has("snippet"))' "$T/city.json"
B search --city --json nguyen thi thu huong >"$T/city.json"
A search --json nguyen thi thu huong >"$T/local.json"
check "a city record is the local one plus its office (score and snippet aside)" \
    diff <(jq -S '.[0] | del(.score, .snippet)' "$T/local.json") \
         <(jq -S '.[0] | del(.office, .score, .snippet)' "$T/city.json")
check "the snippet marks the words found" \
    jq -e '.[0].snippet | test("\\[(NGUY|HƯ)")' "$T/city.json"
B search --city --json --type "trich luc khai sinh" >"$T/type.json"
check "--type folds in the city as it does locally" \
    jq -e 'length == 1 and .[0].doc_type == "TRÍCH LỤC KHAI SINH"' "$T/type.json"
check "words no office holds find nothing (exit 0)" \
    bash -c "B() { SOHOA_CONF='$T/b.conf' SOHOA_DATA='$T/b' '$SOHOA' \"\$@\"; };
    [ \"\$(B search --city --json zzyzx qwerty | jq length)\" -eq 0 ]"
# The newest records are ranked first by ranges of their order of arrival
# (SOHOA_CITY_SPAN: the first range's size, a million records' 100,000
# here 1): ranges as small as one record find what one range finds.
for q in "nguyen thi thu huong" "Đặng Văn Đức" '"thu huong"' "nguyen thi" "huon*"; do
	B search --city --json $q >"$T/one.json"
	SOHOA_CITY_SPAN=1 B search --city --json $q >"$T/ranges.json"
	check "ranges of one record find what one range finds: $q" \
	    diff <(jq -c '[.[] | [.office, .id]]' "$T/one.json") \
	         <(jq -c '[.[] | [.office, .id]]' "$T/ranges.json")
done
# A phrase is checked in each record's positions, a few microseconds each:
# one of words every record holds, in an order none has, would read the
# whole city (87 s at a million records).  So a phrase is looked for
# among the newest CITY_SPAN records (here 1) only, as a name typed whole
# is looked for among the newest 100,000 in an office; a name in a phrase
# is found however old by its name.
check "a phrase of A's oldest record is found in the city" test \
    "$(B search --city --json '"trich luc khai sinh"' | jq length)" -eq 1
check "... but not beyond the newest records a phrase is looked for in" test \
    "$(SOHOA_CITY_SPAN=1 B search --city --json '"trich luc khai sinh"' | jq length)" -eq 0
check "... where a name in quotes is found however old" test \
    "$(SOHOA_CITY_SPAN=1 B search --city --json '"thu huong"' | jq 'map(select(.office == "phuong-a")) | length')" -ge 1
check "a name typed whole is found by its name as well" test \
    "$(psql -X -At "$ADMIN" -c "SELECT count(*) FROM documents WHERE name_keys @> ARRAY['nguyen thi thu huong']")" -ge 1
check "... and by its last words" test \
    "$(psql -X -At "$ADMIN" -c "SELECT count(*) FROM documents WHERE name_keys @> ARRAY['thu huong']")" -ge 1
B search --city nguyen thi >"$T/lines.out"
check "the lines name each record OFFICE:#ID" grep -q '^phuong-a:#' "$T/lines.out"

# ---- show --city ----
ID=$(A search --json --person-id 001323012345 | jq '.[0].id')
A show --json "$ID" >"$T/local-show.json"
B show --city --json "phuong-a:$ID" >"$T/city-show.json"
check "show --city A:ID is A's own show plus its office" \
    diff <(jq -S . "$T/local-show.json") <(jq -S 'del(.office)' "$T/city-show.json")
check "... which is phuong-a" jq -e '.office == "phuong-a"' "$T/city-show.json"
check "show --city without --json prints its office" \
    bash -c "B() { SOHOA_CONF='$T/b.conf' SOHOA_DATA='$T/b' '$SOHOA' \"\$@\"; };
    B show --city phuong-a:$ID | grep -q '^office  *phuong-a'"

# ---- report --city ----
B report --city --json >"$T/city-report.json"
check "report --city: the register entries of both offices" jq -e \
    --argjson a "$(jq .register_entries "$T/a-report.json")" \
    --argjson b "$(jq .register_entries "$T/b-report.json")" \
    '.register_entries == $a + $b and .city == true' "$T/city-report.json"
for k in valid_issued digitized; do
	check "report --city: $k per level is the sum of both offices'" bash -c "
	diff <(jq -s '[.[0].levels, .[1].levels] | transpose | map({level: .[0].level, v: (.[0].$k + .[1].$k)})' '$T/a-report.json' '$T/b-report.json') \
	     <(jq '[.levels[] | {level, v: .$k}]' '$T/city-report.json')"
done
check "report --city: one row per office and agency, saying its office" jq -e \
    --argjson n "$(jq -s '(.[0].offices | length) + (.[1].offices | length)' "$T/a-report.json" "$T/b-report.json")" \
    '(.offices | length) == $n and all(.offices[]; .office == "phuong-a" or .office == "quan-b")' \
    "$T/city-report.json"
check "report --city: B's district office as B's own report counts it" bash -c "
    diff <(jq -S '[.offices[] | select(.agency_code == \"000.00.05.H26\")]' '$T/b-report.json') \
         <(jq -S '[.offices[] | select(.office == \"quan-b\" and .agency_code == \"000.00.05.H26\") | del(.office)]' '$T/city-report.json')"
B report --city --format csv -o "$T/city.csv"
check "report --city --format csv has the office column" \
    grep -q '^.*as_of,kind,office,level' "$T/city.csv"
check "report --city table runs" \
    bash -c "B() { SOHOA_CONF='$T/b.conf' SOHOA_DATA='$T/b' '$SOHOA' \"\$@\"; };
    B report --city | grep -q 'quan-b'"

# ---- the city's access log ----
psql -X -At "$ADMIN" -c "SELECT office, who, via, action, coalesce(query, ''),
    coalesce(document, ''), coalesce(results::text, '') FROM access_log
    ORDER BY id" >"$T/log"
ME=$(id -un)
check "every city search is logged with B's office and the user" \
    grep -qxF "quan-b|$ME|cli|search|nguyen thi thu huong||1" "$T/log"
check "the filters of a search are logged" test \
    "$(psql -X -At "$ADMIN" -c "SELECT filters->>'person_id' FROM access_log
        WHERE filters ? 'person_id' LIMIT 1")" = 001323012345
check "the show is logged with the record, OFFICE:ID" \
    grep -qxF "quan-b|$ME|cli|show||phuong-a:$ID|" "$T/log"

# ---- what cannot be done: one plain line, a status ----
# one_line PATTERN: what the last check_status's command said is one line
# holding PATTERN.
one_line() { [ "$(grep -c '' "$T/said")" -eq 1 ] && grep -q "$1" "$T/said"; }
check_status() { lib_check_status "$@"; cp "$T/check.out" "$T/said"; }
check_status "show --city of no OFFICE:ID is a usage error (2, as local show's bad id)" 2 \
    B show --city 12
check "... in one line" one_line "is not a record of the city (OFFICE:ID"
check_status "show --city of an unknown office: exit 1" 1 B show --city nowhere:1
check "... in one line naming it" one_line "there is no office 'nowhere'"
check_status "show --city of a record no office has: exit 1" 1 B show --city phuong-a:999
check "... in one line" one_line "there is no document phuong-a:999"
check_status "search --city without [city]: exit 1" 1 \
    env SOHOA_CONF=/dev/null SOHOA_DATA=$T/b "$SOHOA" search --city nguyen
check "... in one line" one_line "no \[city\] section"
stop_pg
check_status "search --city with PostgreSQL down: exit 1" 1 B search --city nguyen
check "... in one line" one_line "^sohoa: city: "
check_status "show --city with PostgreSQL down: exit 1" 1 B show --city phuong-a:1
check_status "report --city with PostgreSQL down: exit 1" 1 B report --city
check "the local search still works" bash -c \
    "SOHOA_DATA='$T/a' '$SOHOA' search --json nguyen | jq -e 'length >= 1'"

echo "1..$tap_n"
