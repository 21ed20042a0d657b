#!/usr/bin/env bash
# File names are bytes (issue 9, items 1 and 6): a scanner writing to a
# share in a legacy encoding makes names that are not UTF-8, another makes
# names near the 255-byte limit.  sohoad reads such scans like any other,
# keeps the name (shown escaped), sets bad ones aside under their own
# bytes, and neither stops nor loops on them, before or after a restart.
. "$(dirname "$0")/lib.sh"
G=$FIXTURES/good
B=$FIXTURES/bad

latin=$(printf 'ho-so-\xe0\xf1.png')			# Latin-1 bytes
latin_shown='ho-so-\xe0\xf1.png'			# as sohoa shows it
badname=$(printf 'hong-\xff\xfe.tif')
long="ket-qua-$(printf 'a%.0s' $(seq 1 236)).png"	# 248 bytes
longbad="hong-$(printf 'b%.0s' $(seq 1 241)).tif"	# 250 bytes
nl=$(printf 'dong\nmoi.png')				# a newline in a name

make_profile pn settle_seconds=1
check "sohoad starts" start_daemon
small_scan "$T/a.png" && { cat "$T/a.png"; printf 1; } >"$T/latin.orig"
cp "$T/latin.orig" "$T/inbox/pn/$latin"
{ cat "$T/a.png"; printf 2; } >"$T/inbox/pn/$long"
{ cat "$T/a.png"; printf 3; } >"$T/inbox/pn/$nl"
cp "$B/truncated.tif" "$T/inbox/pn/$badname"
cp "$B/truncated.tif" "$T/inbox/pn/$longbad"
check "a scan whose name is not UTF-8 is recorded" \
    wait_for 90 has_records "$latin_shown" 1
check "a scan with a 248-byte name is recorded, under its whole name" \
    wait_for 90 has_records "$long" 1
check "a scan with a newline in its name is recorded under that name" \
    wait_for 90 has_records "$nl" 1
check "sohoad is still running" kill -0 "$DPID"
check "the bad scan whose name is not UTF-8 is set aside under its own bytes" \
    wait_for 60 test -f "$T/quarantine/pn/$badname"
check "it is the original, byte for byte" cmp "$B/truncated.tif" "$T/quarantine/pn/$badname"
check "its reason file names it escaped, on one line" \
    bash -c "test \$(wc -l <'$T/quarantine/pn/$badname.reason.txt') -eq 1 && grep -qF 'hong-\\xff\\xfe.tif: ' '$T/quarantine/pn/$badname.reason.txt'"
check "the bad scan with a 250-byte name is set aside, its name cut to fit" \
    wait_for 60 bash -c "ls '$T/quarantine/pn' | grep -q '^hong-bbbbbbbbbb.*~[0-9a-f]\{8\}\.tif\$'"
qlong=$(ls "$T/quarantine/pn" | grep '^hong-b.*\.tif$')
check "the cut name leaves room for its reason file, which names the scan whole" \
    grep -qF "$longbad: " "$T/quarantine/pn/$qlong.reason.txt"
check "the cut name's bytes are the original" cmp "$B/truncated.tif" "$T/quarantine/pn/$qlong"
check "nothing is left in the inbox or the spool" \
    wait_for 20 test -z "$(find "$T/inbox/pn" "$SOHOA_DATA/spool" -type f)"
check "the log names the scan escaped, never its raw bytes" \
    bash -c "grep -qF 'hong-\\xff\\xfe.tif' '$T/sohoad.log' && ! grep -q \$'\\xff' '$T/sohoad.log'"
check "the newline in a name does not start a line of the log" \
    bash -c "! grep -q '^moi.png' '$T/sohoad.log'"
check "the record's JSON is valid and names the scan escaped" \
    test "$(sohoa list --json | jq -r '.[].source_name' | grep -cF "$latin_shown")" -eq 1
id=$(sohoa list --json | jq -r --arg n "$latin_shown" '.[] | select(.source_name==$n) | .id')
check "get takes its original out, byte for byte" \
    bash -c "sohoa get '$id' --original -o '$T/back.png' && cmp '$T/back.png' '$T/latin.orig'"
check "verify passes" sohoa verify

# A restart finds nothing to choke on.
check "sohoad stops" stop_daemon
check "sohoad starts again" start_daemon
{ cat "$T/a.png"; printf 4; } >"$T/inbox/pn/$(printf 'sau-\xe9.png')"
check "and reads the next such scan" wait_for 90 has_records 'sau-\xe9.png' 1
check "status shows nothing stuck" \
    test "$(sohoa status --json | jq '.profiles[] | select(.profile=="pn") | .queue')" -eq 0
stop_daemon

# sohoa ingest: the same names in one batch, the rest of the batch goes on.
mkdir -p "$T/batch"
{ cat "$T/a.png"; printf 5; } >"$T/batch/$(printf 'lo-\xe0.png')"
{ cat "$T/a.png"; printf 6; } >"$T/batch/z-after.png"
sohoa ingest "$T/batch/$(printf 'lo-\xe0.png')" "$T/batch/z-after.png" >"$T/ingest.out" 2>&1
status=$?
check "sohoa ingest on a name that is not UTF-8 exits 0" test "$status" -eq 0
check "both scans of the batch are recorded" \
    bash -c "test \$(sohoa list --json | jq '[.[] | select(.source_name==\"lo-\\\\xe0.png\" or .source_name==\"z-after.png\")] | length') -eq 2"
check "ingest names the scan escaped" grep -qF 'lo-\xe0.png' "$T/ingest.out"
sohoa ingest --json "$T/batch/$(printf 'lo-\xe0.png')" >"$T/ingest.json" 2>/dev/null
check "ingest --json gives valid JSON for it" jq -e '.duplicate_of != null' "$T/ingest.json"
echo "1..$tap_n"
