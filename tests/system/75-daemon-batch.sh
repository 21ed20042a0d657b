#!/usr/bin/env bash
# 200 scans dropped at once are each recorded exactly once; then a batch
# survives kill -9 at random moments, 20 times, restarting each time:
# every scan recorded exactly once, inbox and spool empty, nothing lost.
# (The long soak, hundreds of kills: bench/kill9-soak.)
. "$(dirname "$0")/lib.sh"

# Small distinct scans, each with a different tail, so that every file
# has its own SHA-256 and is OCR'd, quickly.
make_scans() {	# DIR COUNT PREFIX
	mkdir -p "$1"
	for ((i = 1; i <= $2; i++)); do
		{ cat "$T/strip.png"; printf 'sohoa-test %s %d' "$3" "$i"; } >"$1/$3-$i.png"
	done
}
check "a small test scan could be made" small_scan "$T/strip.png"

make_profile batch settle_seconds=1
start_daemon
make_scans "$T/staging" 200 many
mv "$T/staging"/*.png "$T/inbox/batch/"	# dropped at once
all_done() { test "$(sohoa status --json | jq '.profiles[0].queue')" -eq 0 &&
    test "$(count_records)" -ge 200; }
check "200 scans dropped at once are all recorded" wait_for 300 all_done
sohoa list --json --limit 100000 >"$T/list.json"
check "exactly 200 records, one per file" test "$(jq length "$T/list.json")" -eq 200
check "no file recorded twice" \
    test "$(jq '[.[].source_name] | unique | length' "$T/list.json")" -eq 200
check "none recorded as a duplicate" test "$(jq '[.[] | select(.duplicate_of != null)] | length' "$T/list.json")" -eq 0
check "the inbox is empty" test -z "$(ls -A "$T/inbox/batch")"
check "the spool is empty" test -z "$(find "$SOHOA_DATA/spool" -type f)"
check "nothing was set aside" test -z "$(ls -A "$T/quarantine/batch" 2>/dev/null)"
stop_daemon

# kill -9 soak: 20 cycles.
export SOHOA_DATA=$T/soak
"$SOHOA_SRCDIR/bench/kill9-soak" --cycles 20 --scans 3 --work "$T/soakwork" \
    --strip "$T/strip.png" >"$T/soak.out" 2>&1
status=$?
check "after 20 kill -9 and restarts, every scan is recorded exactly once" \
    test "$status" -eq 0
sed 's/^/# /' "$T/soak.out" | tail -5
