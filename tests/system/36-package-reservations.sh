#!/usr/bin/env bash
# The package is written before the record's transaction (issue 11, item
# 4), under a reservation committed first.  A program killed between the
# reservation and the record leaves a reservation and perhaps half a
# package: the next ingest of those bytes writes it again and records the
# scan once, sohoad clears what a dead program left when it starts, and
# while a live program holds the reservation the other waits for it
# instead of writing the same package.
. "$(dirname "$0")/lib.sh"

small_scan "$T/base.png"
for i in 1 2 3 4; do
	{ cat "$T/base.png"; printf 'reserved %d' "$i"; } >"$T/c$i.png"
done
sha() { sha256sum "$1" | cut -d' ' -f1; }
pkg_of() {
	local s
	s=$(sha "$1")
	echo "$SOHOA_DATA/archive/${s:0:2}/${s:2:2}/$s.tar"
}
reservations() { sqlite3 "$SOHOA_DATA/sohoa.db" "SELECT count(*) FROM package_reservations"; }
# reserve SHA PID: what a program killed after its reservation leaves.
reserve() {
	sqlite3 "$SOHOA_DATA/sohoa.db" "INSERT INTO package_reservations (sha256, pid, id, reserved_at) VALUES ('$1', $2, 999, CAST(strftime('%s', 'now') AS INTEGER))"
}
# A pid nobody has: a program that has just ended.
dead=$(bash -c 'echo $$')

check "a first ingest exits 0" "$SOHOA" ingest "$T/c1.png"
check "a recorded scan leaves no reservation behind" test "$(reservations)" -eq 0

# 1. Killed between the reservation and the record, with half a package written.
reserve "$(sha "$T/c2.png")" "$dead"
mkdir -p "$(dirname "$(pkg_of "$T/c2.png")")"
echo 'half a package' >"$(pkg_of "$T/c2.png")"
check "a scan whose reservation a dead program left is recorded" \
    "$SOHOA" ingest "$T/c2.png"
check "... once" has_records c2.png 1
check "... its package written again whole: verify passes" "$SOHOA" verify
check "... and the reservation is gone" test "$(reservations)" -eq 0

# 2. A live program holds the reservation: the other waits, then goes on.
sleep 300 &
holder=$!
reserve "$(sha "$T/c3.png")" "$holder"
"$SOHOA" ingest "$T/c3.png" >"$T/c3.out" 2>&1 &
ing=$!
sleep 8
check "while another program holds the scan's reservation, ingest waits" \
    kill -0 "$ing"
check "... and records nothing" has_records c3.png 0
kill "$holder"
wait "$holder" 2>/dev/null
wait "$ing"
st=$?
check "once that program is gone, the ingest goes on and exits 0" \
    test "$st" -eq 0
check "... with one record" has_records c3.png 1
check "... and verify passes" "$SOHOA" verify

# 3. sohoad clears at its start what a dead program left of a package.
s4=$(sha "$T/c4.png")
p4=$(pkg_of "$T/c4.png")
reserve "$s4" "$dead"
mkdir -p "$(dirname "$p4")"
echo 'half a package' >"$p4"
echo 'its temporary file' >"$(dirname "$p4")/.$s4.tar.AbC123"
make_profile pc
check "sohoad starts" start_daemon
check "sohoad cleared the reservation a dead program left" \
    wait_for 20 bash -c "test \$(sqlite3 '$SOHOA_DATA/sohoa.db' 'SELECT count(*) FROM package_reservations') -eq 0"
check "... the package it was writing" test ! -e "$p4"
check "... and its temporary file" test ! -e "$(dirname "$p4")/.$s4.tar.AbC123"
check "the packages recorded are untouched: verify passes" "$SOHOA" verify
check "sohoad stops" stop_daemon
echo "1..$tap_n"
