#!/usr/bin/env bash
# A database made by the sohoa before db.c kept schema versions (main
# 0bfa7ae: tests/fixtures/db/made-by-0.x.db, with what that sohoa reported
# on it) opens with today's code and is upgraded in place: its records,
# corrections, job journal and register are all there, the report and the
# unmatched lists say what they said, each module's version is recorded,
# the access log's old entries read as the command line's (via 'cli'),
# and opening it again changes nothing.  The packages are not in the
# fixture: only what the database holds is checked.
. "$(dirname "$0")/lib.sh"
D=$FIXTURES/db
DB=$SOHOA_DATA/sohoa.db
printf '[targets]\ncity = 70%%\ndistrict = 60%%\ncommune = 50%%\n' >"$T/sohoa.conf"
export SOHOA_CONF=$T/sohoa.conf
mkdir -p "$SOHOA_DATA"
chmod 0750 "$SOHOA_DATA"
cp "$D/made-by-0.x.db" "$DB"
chmod 0640 "$DB"
corrected=$(cat "$D/made-by-0.x.corrected-id")
check "the old database has no schema versions yet" \
    bash -c "! sqlite3 -readonly '$DB' 'SELECT 1 FROM schema_versions' 2>/dev/null"

# The versions each module has now, as its source says.
version_of() {
	sed -n "s/^#define $2[[:space:]]*\([0-9][0-9]*\).*/\1/p" \
	    "$SOHOA_SRCDIR/src/$1.c"
}

check "sohoa list opens it and shows its three records" \
    test "$(count_records)" = 3
check "a search by document number finds the decision" \
    test "$(found 2087/QĐ-UBND)" = "decision.grey-lzw.tif "
check "a search by the corrected name finds the corrected record" \
    test "$(sohoa search --json 'Nguyễn Văn Bình' | jq -r '.[0].id')" = "$corrected"
check "a search by a name the names table holds finds the sohoad scan" \
    test "$(found 'thu huong')" = "khai-sinh.tif "
check "a phrase, asked for by its pairs of words, finds it in the full text made again" \
    test "$(found '"thu huong"')" = "khai-sinh.tif "
sohoa show --json "$corrected" >"$T/show.json"
check "show gives the corrected record with its correction" \
    jq -e '.people == ["Nguyễn Văn Bình"] and (.corrections | length) == 1 and .corrections[0].old == ["Lê Hoàng Long"]' "$T/show.json"
check "sohoa show of it prints the correction" \
    bash -c "'$SOHOA' show '$corrected' | grep -q 'people: \[\"Lê Hoàng Long\"\] -> \[\"Nguyễn Văn Bình\"\]'"
check "the access log made by the old sohoa is still read" \
    bash -c "'$SOHOA' log --json --limit 100 | jq -e 'length > 13'"
# Version 3 of the index: the access log says from where, through which
# program and why; what the old sohoa logged was all the command line's.
check "the access log has the columns address, via, purpose and what now" \
    bash -c "sqlite3 -readonly '$DB' 'SELECT name FROM pragma_table_info(\"access_log\")' | sort | tr '\\n' ' ' | grep -qx 'action address at document filters id purpose query results taken via what who '"
check "... and every old entry reads as the command line's, from nowhere, for no stated purpose" \
    bash -c "'$SOHOA' log --json --limit 1000 | jq -e 'length > 13 and all(.[]; .via == \"cli\" and .address == null and .purpose == null)'"
check "sohoa log shows the old entries with their program" \
    bash -c "'$SOHOA' log --limit 1000 | grep -c ' cli  search ' | grep -qv '^0\$'"
check "the old database has an empty table of users now" \
    test "$(sqlite3 -readonly "$DB" 'SELECT count(*) FROM users')" = 0
check_status "sohoa user list reads it (no users: nothing listed)" 0 \
    bash -c "test -z \"\$(sohoa user list)\""
check_status "sohoa status reads the job journal the old sohoad left (exit 1: no sohoad)" 1 \
    bash -c "'$SOHOA' status >'$T/status.out'; st=\$?; grep -q '^phuong ' '$T/status.out' || exit 99; exit \$st"

sohoa report --as-of 2025-09-30 --json >"$T/report.json"
check "report gives the figures the old sohoa gave" \
    diff -u "$D/made-by-0.x.report.json" "$T/report.json"
sohoa register unmatched --json >"$T/unmatched.json" 2>/dev/null
check "register unmatched lists the entries it listed" \
    diff -u "$D/made-by-0.x.unmatched.json" "$T/unmatched.json"
sohoa register unmatched --documents --json >"$T/unmatched-docs.json" 2>/dev/null
check "register unmatched --documents lists the documents it listed" \
    diff -u "$D/made-by-0.x.unmatched-documents.json" "$T/unmatched-docs.json"

sqlite3 -readonly "$DB" 'SELECT module, version FROM schema_versions ORDER BY module' \
    >"$T/versions" 2>&1
check "schema_versions records the index at its version now" \
    grep -qx "index|$(version_of index INDEX_VERSION)" "$T/versions"
check "... the job journal at its own" \
    grep -qx "jobs|$(version_of job JOB_VERSION)" "$T/versions"
check "... the reservations at theirs" \
    grep -qx "reserve|$(version_of reserve RESERVE_VERSION)" "$T/versions"
check "... and the register, whose tables it had, at its own" \
    grep -qx "register|$(version_of register REGISTER_VERSION)" "$T/versions"
check "... and the users, new, at theirs" \
    grep -qx "users|$(version_of users USERS_VERSION)" "$T/versions"
check "the old PRAGMA user_version is kept for an older sohoa" \
    test "$(sqlite3 -readonly "$DB" 'PRAGMA user_version')" = "$(version_of index INDEX_VERSION)"
check "the database file stays private (0640)" \
    test "$(stat -c %a "$DB")" = 640
check "the job journal row is still there, done" \
    test "$(sqlite3 -readonly "$DB" "SELECT state FROM jobs WHERE source_name = 'khai-sinh.tif'")" = done

# A second opening: the schema and the versions stay as they are.
snapshot() {
	sqlite3 -readonly "$DB" '.schema' \
	    'SELECT module, version FROM schema_versions ORDER BY module' \
	    'PRAGMA user_version' 'SELECT count(*) FROM documents' \
	    'SELECT count(*) FROM corrections' 'SELECT count(*) FROM register_entries' \
	    'SELECT count(*) FROM jobs' 'SELECT count(*) FROM users'
}
snapshot >"$T/before"
sohoa list >/dev/null
snapshot >"$T/after"
check "opening it again changes nothing" diff -u "$T/before" "$T/after"
check "and records are still found" \
    test "$(found 2087/QĐ-UBND)" = "decision.grey-lzw.tif "
end_checks
echo "1..$tap_n"
