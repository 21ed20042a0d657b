#!/usr/bin/env bash
# Shipping to the city database (issue 13): two office installations, each
# with its own data folder and sohoa.conf [city], ingest and import a
# register; `sohoa sync` makes PostgreSQL hold what each office holds; a
# sync again, even of everything queued again, rewrites nothing; a
# correction gets there; a sync killed with -9 and run again leaves every
# record there exactly once; sohoad ships continuously, keeps ingesting
# while PostgreSQL is down (the backlog in `sohoa status`) and drains it
# when PostgreSQL is back, without a restart.
. "$(dirname "$0")/lib.sh"
G=$FIXTURES/good
R=$FIXTURES/register

if ! start_pg; then
	skip "shipping to the city database" "no PostgreSQL 15 here (initdb not found)"
	exit 0
fi
ADMIN="host=$T/pg user=postgres dbname=city"
psql -X -q "$CITY_ADMIN_URL" -c "CREATE DATABASE city" >/dev/null
sohoa city init --url "$ADMIN" >/dev/null
sohoa city office add a --role office_a --url "$ADMIN" >/dev/null
sohoa city office add b --role office_b --url "$ADMIN" >/dev/null
pg() { psql -X -q -At -v ON_ERROR_STOP=1 "$ADMIN" -c "$1"; }

# office NAME: $T/NAME/sohoa.conf, its data in $T/NAME/data.
office() {
	mkdir -p "$T/$1"
	cat >"$T/$1/sohoa.conf" <<EOF
[sohoa]
data = $T/$1/data

[city]
url = host=$T/pg user=office_$1 dbname=city
office = $1
EOF
}
office a
office b
# as NAME sohoa ARGS...: sohoa as office NAME runs it.
as() { local o=$1; shift; SOHOA_CONF=$T/$o/sohoa.conf SOHOA_DATA=$T/$o/data "$@"; }

# What an office holds and what the city holds of it, one line per record
# or entry, to compare: the document object, and each entry with its match.
local_docs() { as "$1" sohoa list --json --limit 100000 | jq -c -S 'sort_by(.id) | .[]'; }
city_docs() { pg "SELECT doc FROM documents WHERE office = '$1' ORDER BY id" | jq -c -S .; }
local_entries() {
	sqlite3 "$T/$1/data/sohoa.db" "SELECT id, entry_key, coalesce(doc_id, ''), status FROM register_entries ORDER BY id"
}
city_entries() {
	pg "SELECT id, entry_key, coalesce(doc_id::text, ''), status FROM register_entries WHERE office = '$1' ORDER BY id"
}
same_as_city() {
	diff -u <(local_docs "$1") <(city_docs "$1") &&
	    diff -u <(local_entries "$1") <(city_entries "$1")
}

# ---- two offices ingest, import a register, sync ----
cp "$G/decision.grey-lzw.tif" "$T/ban-sao.tif"
as a sohoa ingest --jobs 2 "$G/decision.grey-lzw.tif" \
    "$G/building-permit.grey.png" >/dev/null 2>&1
as a sohoa ingest "$T/ban-sao.tif" >/dev/null 2>&1
as b sohoa ingest "$G/decision.g4-nores.tif" >/dev/null 2>&1
as a sohoa register import "$R/register.csv" >/dev/null
# Office b's register is long, for a sync to be killed in the middle.
python3 - >"$T/big.csv" <<'PY'
print("dossier_code,doc_number,agency_code,agency_name,level,procedure_code,issued_on,valid_until,status")
for i in range(20000):
    print("000.00.05.H26-2403%02d-%05d,%d/QĐ-UBND,000.00.05.H26,UBND quận Cầu Giấy,district,,2024-03-%02d,,valid"
          % (i % 28 + 1, i, i, i % 28 + 1))
PY
as b sohoa register import "$R/register.csv" >/dev/null

# An office the city does not know, or a role that is not the office's:
# sync says what the city's DBA must do, and sends nothing.
sed 's/^office = a$/office = c/' "$T/a/sohoa.conf" >"$T/c.conf"
mkdir -p "$T/c" && sed -i "s|^data = .*|data = $T/c/data|" "$T/c.conf"
cp -r "$T/a/data" "$T/c/data"
check_status "sync as an office the city does not know: exit 1" 1 sohoa sync -c "$T/c.conf"
cp "$T/check.out" "$T/said"
check "... saying so and what the DBA does" \
    grep -q 'the city database has no office c: the city.s DBA adds it (sohoa city office add c --role ROLE)' "$T/said"
sed 's/user=office_a/user=office_b/' "$T/a/sohoa.conf" >"$T/wrong-role.conf"
check_status "sync with another office's role: exit 1" 1 sohoa sync -c "$T/wrong-role.conf"
cp "$T/check.out" "$T/said"
check "... saying whose role it is" \
    grep -q 'office a is written by the role office_a in the city database, and \[city\] url connects as office_b' "$T/said"
rm -rf "$T/c/data"
check "nothing reaches the city before a sync" test "$(pg "SELECT count(*) FROM documents")" -eq 0
as a sohoa sync -c "$T/a/sohoa.conf" --json >"$T/sync-a.json"
check "sync of office a: its 3 records and 15 register entries sent" \
    jq -e '.sent == 18 and .deleted == 0 and .pending == 0 and (.seconds | type) == "number"' "$T/sync-a.json"
check "sync of office b (-c names its sohoa.conf and so its data)" \
    bash -c "'$SOHOA' sync -c '$T/b/sohoa.conf' --json | jq -e '.sent == 16'"
check "the city holds office a's records and entries as office a does" same_as_city a
check "... and office b's as office b does" same_as_city b
check "the duplicate is there as a duplicate" \
    test "$(pg "SELECT count(*) FROM documents WHERE office = 'a' AND duplicate_of IS NOT NULL")" -eq 1
check "each record carries its text, full text, names, package and its hash" \
    test "$(pg "SELECT count(*) FROM documents WHERE office = 'a' AND duplicate_of IS NULL
        AND body LIKE '%QUYẾT ĐỊNH%' AND tsv @@ 'quyet' AND names = '{pham thi quynh}'
        AND archive LIKE 'archive/%.tar' AND length(archive_sha256) = 64")" -eq 1
check "register entries carry their match (the office's record id)" \
    test "$(pg "SELECT count(*) FROM register_entries WHERE office = 'a' AND doc_id IS NOT NULL")" -ge 1

# A record scanned after its register entry was imported: the match is
# made before the entry is sent, with no `sohoa report` run first.
sohoa city office add m --role office_m --url "$ADMIN" >/dev/null
office m
as m sohoa register import "$R/register.csv" >/dev/null
as m sohoa ingest "$G/decision.grey-lzw.tif" >/dev/null 2>&1
as m sohoa sync -c "$T/m/sohoa.conf" >/dev/null
check "a record scanned after its entry was imported: the city has the match" \
    test "$(pg "SELECT count(*) FROM register_entries WHERE office = 'm' AND doc_id IS NOT NULL")" -eq 1
check "... as the office has it" same_as_city m

# ---- a sync again changes nothing, even of everything sent again ----
snap() { pg "SELECT office, id, xmin, received_at FROM documents ORDER BY 1, 2;
    SELECT office, id, xmin FROM register_entries ORDER BY 1, 2"; }
snap >"$T/snap.1"
check "sync again: nothing to send" \
    bash -c "'$SOHOA' sync -c '$T/a/sohoa.conf' --json | jq -e '.sent == 0 and .pending == 0'"
# reindex rewrites every record; an UPDATE rewrites every entry (as any
# program may): all queued again.
as a sohoa reindex >/dev/null 2>&1
sqlite3 "$T/a/data/sohoa.db" "UPDATE register_entries SET status = status"
sohoa sync -c "$T/a/sohoa.conf" --json >"$T/again.json"
check "everything sent again after a reindex and a rewrite of the register" \
    jq -e '.sent == 18' "$T/again.json"
snap >"$T/snap.2"
check "... rewrites no row in the city (xmin and received_at unchanged)" \
    diff -u "$T/snap.1" "$T/snap.2"

# ---- a correction reaches the city ----
id=$(as a sohoa list --json | jq '[.[] | select(.source_name == "building-permit.grey.png")][0].id')
as a sohoa edit "$id" doc_number=357/GPXD >/dev/null
check "a correction: one record sent" \
    bash -c "'$SOHOA' sync -c '$T/a/sohoa.conf' --json | jq -e '.sent >= 1'"
check "... the city has the corrected number and the correction" \
    test "$(pg "SELECT doc->>'doc_number', doc_number, corrections->0->>'new',
        jsonb_array_length(corrections) FROM documents WHERE office = 'a' AND id = $id")" = "357/GPXD|357/GPXD|357/GPXD|1"
check "... and nothing else changed" same_as_city a

# ---- a record the city refuses holds up no other ----
pg "ALTER TABLE documents ADD CONSTRAINT no_bad CHECK (doc_number IS DISTINCT FROM 'BAD/1')"
other=$(as a sohoa list --json | jq '[.[] | select(.source_name == "decision.grey-lzw.tif")][0].id')
as a sohoa edit "$id" doc_number=BAD/1 >/dev/null
as a sohoa edit "$other" doc_number=2088/QĐ-UBND >/dev/null
check_status "a record the city refuses: sync exits 1" 1 sohoa sync -c "$T/a/sohoa.conf"
cp "$T/check.out" "$T/said"
check "... and says which record and why" grep -q "record $id: .*no_bad" "$T/said"
check "... the other change got there" \
    test "$(pg "SELECT doc_number FROM documents WHERE office = 'a' AND id = $other")" = 2088/QĐ-UBND
check "... the one refused waits in the outbox" \
    bash -c "'$SOHOA' status --data '$T/a/data' --json | jq -e '.city.pending == 1'"
pg "ALTER TABLE documents DROP CONSTRAINT no_bad"
check "once the city takes it, the next sync sends it" \
    bash -c "'$SOHOA' sync -c '$T/a/sohoa.conf' --json | jq -e '.sent == 1 and .pending == 0'"
check "... and the city holds office a as office a does" same_as_city a

# ---- kill -9 during a sync, then sync: everything exactly once ----
as b sohoa register import "$T/big.csv" >/dev/null
as b "$SOHOA" sync -c "$T/b/sohoa.conf" >/dev/null 2>&1 &
spid=$!
for ((i = 0; i < 100; i++)); do
	[ "$(pg "SELECT count(*) FROM register_entries WHERE office = 'b'")" -gt 1000 ] && break
	sleep 0.05
done
kill -9 "$spid" 2>/dev/null
wait "$spid" 2>/dev/null
half=$(pg "SELECT count(*) FROM register_entries WHERE office = 'b'")
all=$(sqlite3 "$T/b/data/sohoa.db" "SELECT count(*) FROM register_entries")
echo "# the sync was killed with $half of office b's $all entries in the city"
check "the sync was killed before it was done" test "$half" -lt "$all"
check "sync after the kill sends the rest" \
    bash -c "'$SOHOA' sync -c '$T/b/sohoa.conf' --json | jq -e '.pending == 0'"
check "every record and entry of office b is in the city exactly once" \
    test "$(pg "SELECT count(*) || ' ' || count(DISTINCT id) FROM register_entries WHERE office = 'b'")" = "$all $all"
check "... and as office b holds it" same_as_city b
check "office a's rows are untouched by b's syncs" same_as_city a

# ---- PostgreSQL down: sync says so, the outbox keeps it ----
stop_pg
as a sohoa edit "$id" doc_number=358/GPXD >/dev/null
check_status "sync with PostgreSQL down exits 1" 1 sohoa sync -c "$T/a/sohoa.conf"
cp "$T/check.out" "$T/said"
check "... with one line saying so and what waits" \
    bash -c "[ \"\$(grep -c '' '$T/said')\" -eq 1 ] &&
    grep -q '^sohoa: sync: cannot connect to the city database: .*1 change waits in the outbox' '$T/said'"
check "sohoa status shows the backlog and its age" \
    bash -c "'$SOHOA' status --data '$T/a/data' --json | jq -e '.city.office == \"a\" and .city.pending == 1 and (.city.oldest_age_seconds | type) == \"number\"'"
SOHOA_EXPECT=1 sohoa status --data "$T/a/data" >"$T/status.txt" 2>&1
check "... in words too" grep -q '^city: office a, 1 change waits to be sent, the oldest for' "$T/status.txt"
pg_ctl_start

# ---- sohoad ships continuously, and drains a backlog after an outage ----
export SOHOA_DATA=$T/a/data
make_profile cap-xa
start_daemon -c "$T/a/sohoa.conf"
check "sohoad sends the waiting correction by itself" \
    wait_for 10 bash -c "[ \"\$(psql -X -At '$ADMIN' -c \"SELECT doc_number FROM documents WHERE office = 'a' AND id = $id\")\" = 358/GPXD ]"
small_scan "$T/inbox/cap-xa/lag.png"
t0=$(date +%s.%N)
wait_for 30 bash -c "[ \"\$(psql -X -At '$ADMIN' -c \"SELECT count(*) FROM documents WHERE office = 'a' AND doc->>'source_name' = 'lag.png'\")\" = 1 ]"
t1=$(date +%s.%N)
lag=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
echo "# from a scan dropped in the inbox to the city: $lag s"
check "a scan dropped in the inbox is in the city within 10 s" \
    awk -v l="$lag" 'BEGIN { exit !(l < 10) }'

# A change the city refuses: logged once, not tried at every batch; a
# later change to the record mends it and goes at once.
pg "ALTER TABLE documents ADD CONSTRAINT no_bad CHECK (doc_number IS DISTINCT FROM 'BAD/2')"
sohoa edit "$id" doc_number=BAD/2 >/dev/null
wait_for 10 grep -q 'it waits at the end of the outbox' "$T/sohoad.log"
sleep 3
check "sohoad logs a refused change once, and does not retry it every second" \
    test "$(grep -c 'it waits at the end of the outbox' "$T/sohoad.log")" -eq 1
sohoa edit "$id" doc_number=359/GPXD >/dev/null
check "... a correction of that record goes at once" \
    wait_for 10 bash -c "[ \"\$(psql -X -At '$ADMIN' -c \"SELECT doc_number FROM documents WHERE office = 'a' AND id = $id\")\" = 359/GPXD ]"
pg "ALTER TABLE documents DROP CONSTRAINT no_bad"

stop_pg
small_scan "$T/s1.png" && printf 'x1' >>"$T/s1.png" && mv "$T/s1.png" "$T/inbox/cap-xa/"
small_scan "$T/s2.png" && printf 'x2' >>"$T/s2.png" && mv "$T/s2.png" "$T/inbox/cap-xa/"
check "with PostgreSQL down sohoad goes on ingesting" \
    wait_for 30 bash -c "[ \"\$('$SOHOA' list --json | jq '[.[] | select(.source_name == \"s1.png\" or .source_name == \"s2.png\")] | length')\" = 2 ]"
check "sohoa status shows the 2 records waiting for the city" \
    bash -c "'$SOHOA' status --json | jq -e '.running and .city.pending == 2'"
# Retried after 1, 2, 4 s...: by then three times at least.
wait_for 15 grep -q 'city: cannot connect to the city database' "$T/sohoad.log"
sleep 4
check "sohoad logged once that the city is unreachable, not at each retry" \
    bash -c "[ \"\$(grep -c 'city: cannot connect to the city database' '$T/sohoad.log')\" -eq 1 ]"
pg_ctl_start
check "PostgreSQL back: the backlog drains, no restart of sohoad" \
    wait_for 20 bash -c "'$SOHOA' status --json | jq -e '.city.pending == 0' &&
    [ \"\$(psql -X -At '$ADMIN' -c \"SELECT count(*) FROM documents WHERE office = 'a'\")\" = \"\$('$SOHOA' list --json --limit 1000 | jq length)\" ]"
check "... the same sohoad (pid $DPID) still runs" kill -0 "$DPID"
check "... and it said the city is reachable again" grep -q 'city database is reachable again' "$T/sohoad.log"
check "the city holds office a as office a does" same_as_city a
check "sohoad stops cleanly, its shipper with it" stop_daemon
check "... and leaves no shipper behind" bash -c "! pgrep -f -- '[-]-ship $T/a/data' >/dev/null"
