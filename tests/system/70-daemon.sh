#!/usr/bin/env bash
# sohoad on temporary folders: configuration check, a scan written slowly
# taken only when whole, bad scans set aside with a reason, names that are
# never taken, SIGHUP with a broken and with a good profile, status, stop.
. "$(dirname "$0")/lib.sh"
G=$FIXTURES/good
B=$FIXTURES/bad

# -n on good and broken profiles.
make_profile pa settle_seconds=4
check "sohoad -n says configuration OK for good profiles" \
    bash -c "set -o pipefail; '$SOHOAD' -n --profiles '$T/profiles' | grep -qx 'configuration OK'"
mkdir -p "$T/broken"
printf '[profile]\nname = x\nagency_code = 000.11.30.H26\nagency_name = X\nlevel = county\ninbox = /tmp/x\nquarantine = /tmp/y\n' \
    >"$T/broken/x.conf"
"$SOHOAD" -n --profiles "$T/broken" >"$T/n.out" 2>&1
status=$?
check "sohoad -n exits 1 on a broken profile" test "$status" -eq 1
check "sohoad -n names the file and line of the mistake" \
    grep -q "$T/broken/x.conf:5: level must be" "$T/n.out"
check "sohoad -n does not say OK then" bash -c "! grep -q 'configuration OK' '$T/n.out'"
printf '[profile]\nname = y\nagency_code = 000.11.30.H26\nagency_name = Y\nlevel = city\n' \
    >"$T/broken/x.conf"
check_status "sohoad -n wants an inbox for the daemon (exit 1)" 1 \
    bash -c "'$SOHOAD' -n --profiles '$T/broken' >'$T/n.out' 2>&1; st=\$?; grep -q \"needs 'inbox'\" '$T/n.out' || exit 99; exit \$st"
check_status "status says the daemon is not running before it starts" 1 sohoa status

# Whoever reads the pid file, holding it open and locked for reading (a
# backup, a monitoring agent, an older sohoa status), sohoad still starts.
mkdir -p "$SOHOA_DATA"
python3 - "$SOHOA_DATA/sohoad.pid" "$T/reader.ready" <<'PY' &
import fcntl, sys, time
f = open(sys.argv[1], 'a+')
fcntl.flock(f, fcntl.LOCK_SH)
open(sys.argv[2], 'w').close()
time.sleep(15)
PY
reader=$!
wait_for 10 test -e "$T/reader.ready"
check "sohoad starts while the pid file is held open by a reader" start_daemon
kill "$reader" 2>/dev/null
wait "$reader" 2>/dev/null
check "status shows it running, with its pid" \
    bash -c "sohoa status | grep -q 'is running (pid $DPID)'"
check "status --json gives the pid" \
    test "$(sohoa status --json | jq .pid)" = "$DPID"
check_fails "a second sohoad on the same data refuses to start" \
    "$SOHOAD" --data "$SOHOA_DATA" --profiles "$T/profiles"
check "and says which one is running" \
    bash -c "'$SOHOAD' --data '$SOHOA_DATA' --profiles '$T/profiles' 2>&1 | grep -q 'another sohoad (pid $DPID) is already running'"
check "the first one still runs" sohoa status

# A scan written slowly in chunks, the file held open (3.2 s in all).
python3 - "$G/decision.grey-lzw.tif" "$T/inbox/pa/slow.tif" <<'PY' &
import sys, time
data = open(sys.argv[1], 'rb').read()
with open(sys.argv[2], 'wb') as f:
    step = len(data) // 8 + 1
    for i in range(0, len(data), step):
        f.write(data[i:i + step]); f.flush(); time.sleep(0.4)
PY
writer=$!
# The same, reopening the file for every chunk (each chunk a close).
python3 - "$G/business-household.rgb-jpeg.tif" "$T/inbox/pa/reopen.tif" <<'PY' &
import sys, time
data = open(sys.argv[1], 'rb').read()
step = len(data) // 8 + 1
for i in range(0, len(data), step):
    with open(sys.argv[2], 'ab') as f:
        f.write(data[i:i + step])
    time.sleep(0.3)
PY
writer2=$!
wait $writer $writer2
check "the slowly written scan is recorded" wait_for 60 has_records slow.tif 1
check "the scan reopened per chunk is recorded" wait_for 60 has_records reopen.tif 1
check "the slow scan was taken whole (same SHA-256 as the original)" \
    test "$(sohoa search --json Quỳnh | jq -r '.[] | select(.source_name=="slow.tif") | .sha256')" \
    = "$(sha256sum <"$G/decision.grey-lzw.tif" | cut -d' ' -f1)"
check "the reopened scan was taken whole" \
    test "$(sohoa list --json | jq -r '.[] | select(.source_name=="reopen.tif") | .sha256')" \
    = "$(sha256sum <"$G/business-household.rgb-jpeg.tif" | cut -d' ' -f1)"
check "no part of them was set aside" test -z "$(ls -A "$T/quarantine/pa" 2>/dev/null)"

# A corrupt scan is set aside with its reason; the next good one goes on.
cp "$B/truncated.tif" "$T/inbox/pa/hong.tif"
check "a corrupt scan lands in quarantine" wait_for 60 test -f "$T/quarantine/pa/hong.tif"
check "its reason file is beside it, one plain sentence" \
    bash -c "test \$(wc -l <'$T/quarantine/pa/hong.tif.reason.txt') -eq 1 && grep -q 'cut short' '$T/quarantine/pa/hong.tif.reason.txt'"
check "the quarantined file is the original, byte for byte" cmp "$B/truncated.tif" "$T/quarantine/pa/hong.tif"
check "the corrupt scan got no record" test "$(records_named hong.tif)" -eq 0
cp "$G/building-permit.grey.png" "$T/inbox/pa/next.png"
check "the next good scan still goes through" wait_for 60 has_records next.png 1

# PDFs in the inbox: a damaged one is set aside like a TIFF, a good one taken.
tiff2pdf -o "$T/scan.pdf" "$G/decision.g4-nores.tif"
head -c 2000 "$T/scan.pdf" >"$T/inbox/pa/hong.pdf"
check "a damaged PDF lands in quarantine" wait_for 60 test -f "$T/quarantine/pa/hong.pdf"
check "its reason is one plain sentence" \
    bash -c "test \$(wc -l <'$T/quarantine/pa/hong.pdf.reason.txt') -eq 1 && grep -q 'PDF is damaged' '$T/quarantine/pa/hong.pdf.reason.txt'"
python3 "$FIXTURES/src/make_pdf.py" "$T/born.pdf" "A decision issued electronically to the household"
cp "$T/born.pdf" "$T/inbox/pa/born.pdf"
check "a born-digital PDF dropped in the inbox is recorded" wait_for 60 has_records born.pdf 1

# Names and kinds that are never taken.
cp "$G/birth-extract.g4.tif" "$T/inbox/pa/.hidden.tif"
cp "$G/birth-extract.g4.tif" "$T/inbox/pa/partial.tif.part"
cp "$G/birth-extract.g4.tif" "$T/outside.tif"
ln -s "$T/outside.tif" "$T/inbox/pa/link.tif"
mkfifo "$T/inbox/pa/fifo.tif"
cp "$G/birth-extract.rgb.jpg" "$T/inbox/pa/marker.jpg"
check "a scan dropped after them is recorded" wait_for 60 has_records marker.jpg 1
sleep 3
check "a dotfile is left alone" test -f "$T/inbox/pa/.hidden.tif"
check "a .part file is left alone" test -f "$T/inbox/pa/partial.tif.part"
check "a symlink is not followed out of the inbox" \
    bash -c "test -L '$T/inbox/pa/link.tif' && test -f '$T/outside.tif' && test \"\$(sohoa list --json | jq '[.[] | select(.source_name==\"link.tif\")] | length')\" -eq 0"
check "a fifo is left alone" test -p "$T/inbox/pa/fifo.tif"
rm -f "$T/inbox/pa/.hidden.tif" "$T/inbox/pa/partial.tif.part" "$T/inbox/pa/link.tif" "$T/inbox/pa/fifo.tif"

# SIGHUP with a broken profile keeps the old set working.
printf '[profile]\nname = pb\nagency_code = bad code\n' >"$T/profiles/pb.conf"
kill -HUP "$DPID"
check "a broken profile on SIGHUP is named with file:line" \
    wait_for 10 grep -q "$T/profiles/pb.conf:3: agency_code" "$T/sohoad.log"
check "the daemon says it keeps the old profiles" wait_for 10 grep -q "keeping the 1 profile in use" "$T/sohoad.log"
cp "$G/decision.g4-nores.tif" "$T/inbox/pa/after-hup.tif"
check "the old profile still works after a broken reload" wait_for 60 has_records after-hup.tif 1
# SIGHUP with a good new profile: its inbox is watched.
rm -f "$T/profiles/pb.conf"
make_profile pc settle_seconds=1 level=city
kill -HUP "$DPID"
check "a good reload takes the new profile" wait_for 10 grep -q "2 profiles in use" "$T/sohoad.log"
cp "$G/building-permit.palette-deflate.tif" "$T/inbox/pc/new-office.tif"
check "the new profile's inbox is watched" wait_for 60 has_records new-office.tif 1
check "the new profile's office is on the record" \
    test "$(sohoa list --json | jq -r '.[] | select(.source_name=="new-office.tif") | .level')" = city

check "status --json counts today's work per profile" \
    test "$(sohoa status --json | jq '.running and (.profiles[] | select(.profile=="pa") | .done_today >= 5 and .quarantined == 2 and .queue == 0)')" = true
check "inboxes and spool are empty" \
    test -z "$(find "$T/inbox" "$SOHOA_DATA/spool" -type f)"

check "SIGTERM stops the daemon with status 0" stop_daemon
check_status "status says the daemon is not running after it stopped" 1 sohoa status

# systemd's notify protocol: READY, STATUS with queue and pages/min, STOPPING.
python3 - "$T/notify.sock" "$T/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
with open(sys.argv[2], 'a') as log:
    try:
        while True:
            log.write(s.recv(4096).decode() + '\n')
            log.flush()
    except socket.timeout:
        pass
PY
listener=$!
wait_for 5 test -S "$T/notify.sock"
NOTIFY_SOCKET=$T/notify.sock start_daemon
check "sohoad tells systemd it is ready" wait_for 10 grep -q '^READY=1' "$T/notify.log"
check "sohoad's STATUS has the queue and pages per minute" \
    wait_for 10 grep -q '^STATUS=queue [0-9]*, .* pages/min' "$T/notify.log"
stop_daemon
check "sohoad tells systemd it is stopping" grep -q '^STOPPING=1' "$T/notify.log"
kill "$listener" 2>/dev/null

# When idle after enough new documents, the daemon merges the full text.
printf '[sohoa]\noptimize_after = 1\noptimize_idle_seconds = 1\n' >"$T/opt.conf"
start_daemon -c "$T/opt.conf"
{ cat "$G/birth-extract.g4.tif"; printf 'a new scan'; } >"$T/inbox/pa/opt.tif"
check "a scan is recorded before the merge" wait_for 60 has_records opt.tif 1
check "the idle daemon merges the full-text index" \
    wait_for 20 grep -q 'merging the full-text index after 1 new' "$T/sohoad.log"
check "search still finds the scan after the merge" \
    test "$(sohoa search --json 'Dịch Vọng Hậu' | jq '[.[] | select(.source_name=="opt.tif")] | length')" -eq 1
stop_daemon
