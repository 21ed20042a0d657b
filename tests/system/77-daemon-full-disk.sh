#!/usr/bin/env bash
# A full data disk is not the scans' fault (issue 9, item 3): with the
# data folder on a 24 MB filesystem, sohoad stops reading before the disk
# is full (min_free_mb), and when a write fails for room all the same;
# scans wait in the inbox or the spool, none is set aside or stranded,
# the log and `sohoa status` say why, and once there is room every scan
# is read exactly once with no restart.  Needs root to mount a tmpfs.
. "$(dirname "$0")/lib.sh"

D=$T/data
mkdir -p "$D"
if [ "$(id -u)" -ne 0 ] || ! mount -t tmpfs -o size=24m sohoa-test "$D" 2>/dev/null; then
	skip "a full data disk" "needs root to mount a 24 MB tmpfs"
	echo "1..$tap_n"
	exit 0
fi
trap 'st=$?; kill -9 ${DPID:-} 2>/dev/null; end_checks || st=1; daemon_log_tail; umount "$D" 2>/dev/null; rm -rf "$T"; exit $st' EXIT

small_scan "$T/base.png"
mkdir -p "$T/batch"
for i in $(seq 1 40); do
	{ cat "$T/base.png"; printf 'full %d' "$i"; } >"$T/batch/f$i.png"
done
mkdir -p "$T/batch2"
for i in $(seq 1 10); do
	{ cat "$T/base.png"; printf 'write %d' "$i"; } >"$T/batch2/g$i.png"
done

# fill_to KB: a filler file leaves about KB kilobytes free on the disk.
fill_to() {
	rm -f "$D/filler"
	local free
	free=$(df -k --output=avail "$D" | tail -1)
	dd if=/dev/zero of="$D/filler" bs=1k count=$((free - $1)) status=none 2>/dev/null
	sync
}

# in_flight: scans still in the inbox or the spool, not yet recorded.
in_flight() {
	find "$T/inbox/pf" "$D/spool" -type f ! -name '.*' 2>/dev/null | wc -l
}

make_profile pf settle_seconds=1
printf '[sohoa]\nmin_free_mb = 4\n' >"$T/sohoa.conf"
check "sohoad starts on the small disk" start_daemon -c "$T/sohoa.conf"
DPID0=$DPID

# 1. Below min_free_mb nothing is read.
fill_to 2048
cp "$T"/batch/*.png "$T/inbox/pf/"
check "the log says the data disk is full" \
    wait_for 30 grep -q 'the data disk is full' "$T/sohoad.log"
check "sohoa status says sohoad waits for room on the disk" \
    wait_for 10 bash -c "sohoa status | grep -q 'waiting: the data disk is full'"
check "status --json says so too" \
    test "$(sohoa status --json | jq .disk.full)" = true
sleep 3
check "no scan is set aside for it" test -z "$(ls -A "$T/quarantine/pf" 2>/dev/null)"
check "every scan waits in the inbox or the spool" test "$(in_flight)" -eq 40
rm -f "$D/filler"
check "once there is room, every scan is read (no restart)" \
    wait_for 120 bash -c "test \$(sohoa list --json --limit 1000 | jq length) -eq 40"
check "sohoad ran all along" test "$DPID" = "$DPID0" -a -n "$(kill -0 "$DPID" && echo yes)"
check "the log says reading went on" grep -q 'room on the data disk again' "$T/sohoad.log"
check "status no longer says the disk is full" \
    wait_for 10 bash -c "! sohoa status | grep -q 'disk is full'"
check "each scan exactly once" \
    test "$(sohoa list --json --limit 1000 | jq '[.[].sha256] | unique | length')" -eq 40
check "nothing is left in the inbox or the spool" wait_for 10 test "$(in_flight)" -eq 0
check "nothing was set aside" test -z "$(ls -A "$T/quarantine/pf" 2>/dev/null)"
stop_daemon

# 2. With no reserve, the writes themselves fail for room: the same.
printf '[sohoa]\nmin_free_mb = 0\n' >"$T/sohoa.conf"
check "sohoad starts with no reserve" start_daemon -c "$T/sohoa.conf"
DPID0=$DPID
fill_to 150
cp "$T"/batch2/*.png "$T/inbox/pf/"
check "a write that fails for room makes it wait" \
    wait_for 60 bash -c "test \$(grep -c 'the data disk is full' '$T/sohoad.log') -ge 2"
sleep 5
check "still no scan set aside" test -z "$(ls -A "$T/quarantine/pf" 2>/dev/null)"
# Counted off the database itself: on a full disk `sohoa list` rightly
# refuses to show what it cannot write in the access log.
check "the scans not yet recorded wait in the inbox or the spool" \
    test $(( $(in_flight) + $(sqlite3 -readonly "$D/sohoa.db" \
    'SELECT count(*) FROM documents') - 40 )) -eq 10
rm -f "$D/filler"
check "once there is room, they are read too" \
    wait_for 150 bash -c "test \$(sohoa list --json --limit 1000 | jq length) -eq 50"
check "each exactly once" \
    test "$(sohoa list --json --limit 1000 | jq '[.[].sha256] | unique | length')" -eq 50
check "sohoad ran all along, again" kill -0 "$DPID0"
check "nothing set aside, nothing left behind" \
    test -z "$(ls -A "$T/quarantine/pf" 2>/dev/null)" -a "$(in_flight)" -eq 0
check "verify passes on every package" sohoa verify
check "sohoad stops" stop_daemon
echo "1..$tap_n"
