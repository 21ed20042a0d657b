#!/usr/bin/env bash
# sohoad on its one loop (issue 11, item 4): the idle merge of the full
# text comes when it is due, optimize_idle_seconds after the last record
# (a timer, not a look on each turn); a worker that dies while it has no
# job is noticed (its socket ends) and replaced within a second or two,
# and the next scan is read as usual.
. "$(dirname "$0")/lib.sh"

small_scan "$T/base.png"
for i in 1 2; do
	{ cat "$T/base.png"; printf 'loop %d' "$i"; } >"$T/l$i.png"
done
make_profile pl settle_seconds=1
printf '[sohoa]\noptimize_after = 1\noptimize_idle_seconds = 3\n' >"$T/sohoa.conf"
check "sohoad starts" start_daemon -c "$T/sohoa.conf"

# 1. The idle merge, 3 s after the last record.
cp "$T/l1.png" "$T/inbox/pl/"
check "a scan dropped in is recorded" wait_for 60 has_records l1.png 1
recorded=$(date +%s.%N)
check "the full text is merged once sohoad has been idle 3 s" \
    wait_for 15 grep -q 'idle: merging the full-text index after 1 new' "$T/sohoad.log"
merged=$(date +%s.%N)
check "... not before (it waited $(awk -v a="$recorded" -v b="$merged" 'BEGIN { printf "%.1f", b - a }') s)" \
    awk -v a="$recorded" -v b="$merged" 'BEGIN { exit !(b - a >= 1.5) }'

# 2. A worker killed while idle: another takes its place, scans go on.
workers() { pgrep -c -P "$DPID" -f -- '--worker'; }
n=$(workers)
worker=$(pgrep -P "$DPID" -f -- '--worker' | head -1)
check "sohoad has worker processes" test -n "$worker"
kill -9 "$worker"
check "the log says a worker stopped with no job" \
    wait_for 10 grep -q 'a worker stopped while it had no job' "$T/sohoad.log"
gone_and_replaced() { ! kill -0 "$worker" 2>/dev/null && test "$(workers)" -eq "$n"; }
check "another worker takes its place" wait_for 10 gone_and_replaced
cp "$T/l2.png" "$T/inbox/pl/"
check "the next scan is recorded" wait_for 60 has_records l2.png 1
check "nothing was set aside" test -z "$(ls -A "$T/quarantine/pl" 2>/dev/null)"
check "sohoad stops" stop_daemon
echo "1..$tap_n"
