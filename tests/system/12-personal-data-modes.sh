#!/usr/bin/env bash
# Citizens' names, ID numbers and scans are for the owner and the staff
# group only, whatever the umask: under umask 022 a new data folder is
# 0750, the database (and its -wal, -shm) and every package 0640; a data
# folder, database or package an older sohoa left open to other users is
# closed, the group's bits kept, with one line saying so.
. "$(dirname "$0")/lib.sh"
B=$FIXTURES/bad
umask 022

mode() { stat -c %a "$1"; }
small_scan "$T/scan.png"
small_scan "$T/other.png" && echo second >>"$T/other.png"

sohoa ingest "$T/scan.png" >"$T/out" 2>&1
check "a scan is ingested into a new data folder" grep -q '^#1 ' "$T/out"
check "the new data folder is 0750" test "$(mode "$SOHOA_DATA")" = 750
check "the new database is 0640" test "$(mode "$SOHOA_DATA/sohoa.db")" = 640
pkg=$(find "$SOHOA_DATA/archive" -name '*.tar')
check "the new package is 0640" test "$(mode "$pkg")" = 640
check "the archive folders are 0750" \
    test -z "$(find "$SOHOA_DATA/archive" -type d ! -perm 750)"
check "nothing in the data folder is open to other users" \
    test -z "$(find "$SOHOA_DATA" -perm /o=rwx)"
check "a member extracted from a package is not for other users" \
    bash -c "tar -tvf '$pkg' | grep -v -q -e '^-rw-r----- ' -e '^drwxr-x--- ' && exit 1 || exit 0"
sohoa get 1 --text -o "$T/taken.txt" 2>/dev/null
check "a copy taken out with get -o is 0640" test "$(mode "$T/taken.txt")" = 640

# The daemon's database, with the -wal and -shm files it keeps open.
make_profile pm settle_seconds=1
start_daemon
cp "$T/other.png" "$T/inbox/pm/other.png"
check "sohoad records a scan" wait_for 60 has_records other.png 1
check "the database's -wal and -shm are 0640 while sohoad runs" \
    test "$(mode "$SOHOA_DATA/sohoa.db-wal") $(mode "$SOHOA_DATA/sohoa.db-shm")" = "640 640"
cp "$B/truncated.tif" "$T/inbox/pm/hong.tif"
check "a bad scan is set aside" wait_for 60 test -f "$T/quarantine/pm/hong.tif.reason.txt"
check "its reason file is 0640" \
    test "$(mode "$T/quarantine/pm/hong.tif.reason.txt")" = 640
check "the daemon's new package is 0640" \
    test -z "$(find "$SOHOA_DATA/archive" -name '*.tar' ! -perm 640)"
stop_daemon

# What an older sohoa left: the data folder 0755, the database 0644, a
# -wal from a crash 0644.  Any command closes them to other users.
chmod 755 "$SOHOA_DATA"
chmod 644 "$SOHOA_DATA/sohoa.db"
: >"$SOHOA_DATA/sohoa.db-wal"
chmod 644 "$SOHOA_DATA/sohoa.db-wal"
sohoa list >/dev/null 2>"$T/err"
check "a data folder made 0755 is narrowed to 0750" test "$(mode "$SOHOA_DATA")" = 750
check "a database made 0644 is narrowed to 0640" \
    test "$(mode "$SOHOA_DATA/sohoa.db")" = 640
check "one line says what changed, for each" \
    bash -c "test \$(grep -c 'open to other users' '$T/err') -eq 3 &&
        grep -q \"$SOHOA_DATA was open to other users (mode 0755); now 0750\" '$T/err' &&
        grep -q \"$SOHOA_DATA/sohoa.db was open to other users (mode 0644); now 0640\" '$T/err'"
sohoa list >/dev/null 2>"$T/err"
check "the next command has nothing to say" test ! -s "$T/err"

# The staff group keeps what it had.
chmod 775 "$SOHOA_DATA"
chmod 664 "$SOHOA_DATA/sohoa.db"
sohoa list >/dev/null 2>&1
check "the group keeps its bits (0775 -> 0770, 0664 -> 0660)" \
    test "$(mode "$SOHOA_DATA") $(mode "$SOHOA_DATA/sohoa.db")" = "770 660"
chmod 750 "$SOHOA_DATA"
chmod 640 "$SOHOA_DATA/sohoa.db"

# sohoad closes its data folder at start too (started by hand: the
# `sohoa status` of start_daemon would get there first).
chmod 755 "$SOHOA_DATA"
"$SOHOAD" --data "$SOHOA_DATA" --profiles "$T/profiles" >>"$T/sohoad.log" 2>&1 &
DPID=$!
check "sohoad says it closed a data folder made 0755" \
    wait_for 20 grep -q "$SOHOA_DATA was open to other users (mode 0755); now 0750" "$T/sohoad.log"
check "which is now 0750" test "$(mode "$SOHOA_DATA")" = 750
wait_for 40 sohoa status
stop_daemon

# Packages and archive folders open to others: verify, which reads every
# package, closes them, in one line.
chmod 644 "$SOHOA_DATA"/archive/*/*/*.tar
find "$SOHOA_DATA/archive" -type d -exec chmod 755 {} +
sohoa verify >/dev/null 2>"$T/err"
check "verify closes packages made 0644 to other users" \
    test -z "$(find "$SOHOA_DATA/archive" -name '*.tar' ! -perm 640)"
check "and the archive folders made 0755" \
    test -z "$(find "$SOHOA_DATA/archive" -type d ! -perm 750)"
check "in one line" \
    bash -c "grep -c 'open to other users' '$T/err' | grep -qx 1 &&
        grep -q '2 packages and [0-9]* archive folders were open to other users' '$T/err'"

echo "1..$tap_n"
[ "$tap_failed" -eq 0 ]
