#!/usr/bin/env bash
# Two programs reading the same scans at once (issue 9, item 2): two
# `sohoa ingest` on one data folder, or `sohoa ingest` beside sohoad.
# Each scan gets exactly one first record and one package; every other
# record of the same bytes is its duplicate, and verify finds nothing
# overwritten.
. "$(dirname "$0")/lib.sh"

small_scan "$T/base.png"
mkdir -p "$T/scans"
for i in 1 2 3 4 5 6; do
	{ cat "$T/base.png"; printf 'copy %d' "$i"; } >"$T/scans/s$i.png"
done

# one_first_per_scan: per SHA-256, one record without duplicate_of, and
# every record of it names the same package.
one_first_per_scan() {
	sohoa list --json --limit 1000 | jq -e '
	    group_by(.sha256) | all(.[];
	      ([.[] | select(.duplicate_of == null)] | length) == 1 and
	      ([.[].archive] | unique | length) == 1)' >/dev/null
}

sohoa ingest --jobs 1 "$T"/scans/s*.png >"$T/a.out" 2>&1 &
a=$!
sohoa ingest --jobs 1 "$T"/scans/s*.png >"$T/b.out" 2>&1 &
b=$!
wait "$a"; sa=$?
wait "$b"; sb=$?
check "two ingests of the same scans at once both exit 0" \
    test "$sa" -eq 0 -a "$sb" -eq 0
check "they make twelve records" test "$(count_records)" -eq 12
check "each scan has one first record and one package, the rest duplicates" \
    one_first_per_scan
check "the two ingests say six duplicates between them" \
    test "$(cat "$T/a.out" "$T/b.out" | grep -c 'duplicate of')" -eq 6
check "verify finds every package as it was written" sohoa verify

# sohoa ingest beside sohoad, both on new scans.
for i in 1 2 3 4 5 6; do
	{ cat "$T/base.png"; printf 'daemon %d' "$i"; } >"$T/scans/d$i.png"
done
make_profile pd settle_seconds=1
check "sohoad starts" start_daemon
cp "$T"/scans/d*.png "$T/inbox/pd/"
sohoa ingest --jobs 1 "$T"/scans/d*.png >"$T/c.out" 2>&1
check "sohoa ingest beside sohoad exits 0" test $? -eq 0
check "sohoad reads every scan too" \
    wait_for 90 bash -c "test \$(sohoa list --json --limit 1000 | jq '[.[] | select(.profile == \"pd\")] | length') -eq 6"
check "still one first record and one package per scan" one_first_per_scan
check "verify still passes" sohoa verify
check "sohoad stops" stop_daemon
echo "1..$tap_n"
