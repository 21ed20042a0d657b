#!/usr/bin/env bash
# The city database (issue 13): [city] in sohoa.conf, `sohoa city init`
# on a real PostgreSQL 15 of the test's own (twice: the second changes
# nothing), `sohoa city office add`, and row-level security: an office's
# role reads every office's rows and writes only its own.
. "$(dirname "$0")/lib.sh"

# ---- [city] in sohoa.conf, without PostgreSQL ----
conf_error() {
	local what=$1 pat=$2
	SOHOA_EXPECT=1 sohoa city init -c "$T/bad.conf" >"$T/out" 2>"$T/err"
	check "$what: exit 1, one line naming the file and line" \
	    env PAT="$T/bad.conf:$pat" bash -c "[ \"\$(grep -c '' '$T/err')\" -eq 1 ] &&
	    grep -qF -- \"\$PAT\" '$T/err'"
}
printf '[city]\nurl = host=/nowhere dbname=city\n' >"$T/bad.conf"
conf_error "[city] url without office" "2: [city] needs both url"
printf '[sohoa]\n\n[city]\noffice = phuong-a\n' >"$T/bad.conf"
conf_error "[city] office without url" "4: [city] needs both"
printf '[city]\nurl = host=/nowhere\noffice = Phường A\n' >"$T/bad.conf"
conf_error "an office name with capitals and marks" "3: an office's name is"
printf '[city]\noffice = a\nurl = host=/x dbname\n' >"$T/bad.conf"
conf_error "a url libpq cannot read" "3: the url is not a libpq connection string or URI"
printf '[city]\nurl = host=a\nurl = host=b\noffice = a\n' >"$T/bad.conf"
conf_error "[city] url twice" "3: 'url' is set twice"
check_status "city with no subcommand is a usage error" 2 sohoa city
check_status "city office add without --role is a usage error" 2 \
    sohoa city office add a --url x
check_status "city office add of a bad name is a usage error" 2 \
    sohoa city office add 'A B' --role r --url x
check_status "city init with no url and no [city] is a usage error" 2 \
    env SOHOA_CONF=/dev/null "$SOHOA" city init
check_status "another command refuses -c" 2 sohoa list -c x
check_status "sync with an argument is a usage error" 2 sohoa sync extra
check_status "sync --url is a usage error (city init's alone)" 2 sohoa sync --url x
check_status "sync without [city] exits 1" 1 env SOHOA_CONF=/dev/null "$SOHOA" sync
cp "$T/check.out" "$T/said"
check "... in one line saying there is no [city] section" \
    bash -c "[ \"\$(grep -c '' '$T/said')\" -eq 1 ] && grep -q 'has no \[city\] section' '$T/said'"
check "sohoa sync --help: exit 0, its usage on stdout" \
    bash -c "sohoa sync --help | grep -q '^usage: sohoa sync'"
check "sohoa city --help: exit 0, its usage on stdout" \
    bash -c "sohoa city --help | grep -q '^usage: sohoa city init'"

# ---- a PostgreSQL of our own ----
if ! start_pg; then
	skip "the city database" "no PostgreSQL 15 here (initdb not found)"
	exit 0
fi
ADMIN="host=$T/pg user=postgres dbname=city"
psql -X -q "$CITY_ADMIN_URL" -c "CREATE DATABASE city" >/dev/null
# psql_as ROLE SQL: one statement as ROLE on the city database.
psql_as() { psql -X -q -v ON_ERROR_STOP=1 -At "host=$T/pg user=$1 dbname=city" -c "$2"; }

check_status "city init on an unreachable server: exit 1" 1 \
    sohoa city init --url "host=$T/nowhere dbname=city"
cp "$T/check.out" "$T/said"
check "... one line, saying it cannot connect" \
    bash -c "[ \"\$(grep -c '' '$T/said')\" -eq 1 ] &&
    grep -q '^sohoa: cannot connect to the city database: ' '$T/said'"
check_status "a password in a url libpq cannot read is not echoed" 1 \
    sohoa city init --url "host=$T/pg password=hunter2 dbname city"
cp "$T/check.out" "$T/said"
check "... (the message holds no hunter2)" \
    bash -c "grep -q 'not a libpq connection string' '$T/said' && ! grep -q hunter2 '$T/said'"
check_status "a password a server refuses is not echoed" 1 \
    sohoa city init --url "host=$T/pg user=nobody password=hunter2 dbname=city"
cp "$T/check.out" "$T/said"
check "... (the message holds no hunter2)" \
    bash -c "grep -q 'nobody' '$T/said' && ! grep -q hunter2 '$T/said'"

check "city init makes the schema" \
    bash -c "sohoa city init --url '$ADMIN' | grep -q 'now at version 2 (it was at 0)'"
psql_as postgres "SELECT relname, relkind FROM pg_class WHERE relnamespace =
    'public'::regnamespace ORDER BY relname" >"$T/schema.1"
psql_as postgres "SELECT * FROM sohoa_schema" >"$T/versions.1"
check "city init again: says it is at version 2 already" \
    bash -c "sohoa city init --url '$ADMIN' 2>&1 | grep -qx 'the city database is already at version 2: nothing to do'"
psql_as postgres "SELECT relname, relkind FROM pg_class WHERE relnamespace =
    'public'::regnamespace ORDER BY relname" >"$T/schema.2"
psql_as postgres "SELECT * FROM sohoa_schema" >"$T/versions.2"
check "... and changes nothing" \
    bash -c "diff -u '$T/schema.1' '$T/schema.2' && diff -u '$T/versions.1' '$T/versions.2'"
check "documents and register_entries in 16 partitions each" \
    test "$(psql_as postgres "SELECT count(*) FROM pg_inherits WHERE
        inhparent IN ('documents'::regclass, 'register_entries'::regclass)")" -eq 32
check "two city inits at once: both succeed, the schema made once" \
    bash -c "psql -X -q '$CITY_ADMIN_URL' -c 'CREATE DATABASE city2' &&
    { '$SOHOA' city init --url 'host=$T/pg user=postgres dbname=city2' & 
      '$SOHOA' city init --url 'host=$T/pg user=postgres dbname=city2'; b=\$?; wait \$!; a=\$?; } >/dev/null &&
    [ \$a -eq 0 ] && [ \$b -eq 0 ] &&
    [ \"\$(psql -X -At 'host=$T/pg user=postgres dbname=city2' -c 'SELECT count(*) FROM sohoa_schema')\" -eq 2 ]"

check "city office add makes the role and names the office" \
    bash -c "sohoa city office add a --role office_a --url '$ADMIN' | grep -q 'office a added'"
check "... its role logs in and is a member of sohoa_office" \
    test "$(psql_as office_a "SELECT pg_has_role('sohoa_office', 'member')")" = t
check "city office add again with the same role changes nothing" \
    bash -c "sohoa city office add a --role office_a --url '$ADMIN' | grep -q 'there already'"
check_status "city office add with another role is refused" 1 \
    sohoa city office add a --role office_x --url '$ADMIN'
psql_as postgres "CREATE ROLE office_b LOGIN" >/dev/null
check "city office add takes a role the DBA made" \
    sohoa city office add b --role office_b --url "$ADMIN"
check "offices lists a and b with their roles" \
    test "$(psql_as postgres "SELECT string_agg(office || '=' || role, ' ' ORDER BY office) FROM offices")" = "a=office_a b=office_b"

# ---- row-level security ----
doc_row() { echo "INSERT INTO documents (office, id, sha256, doc, tsv) VALUES ('$1', $2, 'sha$2', '{}', 'x')"; }
check "office_a writes a row of office a" psql_as office_a "$(doc_row a 1)"
check "office_b writes a row of office b" psql_as office_b "$(doc_row b 1)"
check_fails "office_a cannot INSERT a row of office b" psql_as office_a "$(doc_row b 2)"
cp "$T/check.out" "$T/said"
check "... the refusal is row-level security's" \
    grep -q 'violates row-level security policy' "$T/said"
check_fails "office_a cannot move its row to office b" \
    psql_as office_a "UPDATE documents SET office = 'b' WHERE office = 'a'"
check "office_a's UPDATE of office b's rows changes none" \
    test "$(psql_as office_a "UPDATE documents SET sha256 = 'evil' WHERE office = 'b' RETURNING 1" | wc -l)" -eq 0
check "office_a's DELETE of office b's rows deletes none" \
    test "$(psql_as office_a "DELETE FROM documents WHERE office = 'b' RETURNING 1" | wc -l)" -eq 0
check_fails "office_a cannot write register entries of office b" \
    psql_as office_a "INSERT INTO register_entries (office, id, entry_key,
    agency_code, level, issued_on, status) VALUES ('b', 1, 'k', 'x', 'commune', '2024-01-01', 'issued')"
check "office_b's row is as office_b wrote it" \
    test "$(psql_as postgres "SELECT sha256 FROM documents WHERE office = 'b'")" = sha1
check "office_a reads every office's rows" \
    test "$(psql_as office_a "SELECT string_agg(office, ' ' ORDER BY office) FROM documents")" = "a b"
check_fails "office_a cannot read a partition directly" \
    psql_as office_a "SELECT * FROM documents_p0"
check_fails "office_a cannot add itself an office" \
    psql_as office_a "INSERT INTO offices VALUES ('c', 'office_a')"
psql_as postgres "CREATE ROLE reader LOGIN IN ROLE sohoa_reader" >/dev/null
check "a city reader reads every office's rows" \
    test "$(psql_as reader "SELECT count(*) FROM documents")" -eq 2
check_fails "a city reader writes none" psql_as reader "$(doc_row a 9)"
check "an office writes the access log" \
    psql_as office_a "INSERT INTO access_log (office, who, via, action) VALUES ('a', 'lan', 'cli', 'search')"
check_fails "... but cannot read it" psql_as office_a "SELECT * FROM access_log"
check "a city reader reads it" \
    test "$(psql_as reader "SELECT count(*) FROM access_log")" -eq 1
