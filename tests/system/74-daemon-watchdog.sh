#!/usr/bin/env bash
# sohoad keeps systemd's watchdog fed through a fast batch (issue 9, item
# 4): with WATCHDOG_USEC=2000000 and 200 small scans read back to back,
# WATCHDOG=1 never pauses for the 2 s after which systemd would kill a
# healthy daemon, and STATUS= goes on telling the queue.
. "$(dirname "$0")/lib.sh"

make_profile pw settle_seconds=1
small_scan "$T/base.png"
mkdir -p "$T/batch"
for i in $(seq 1 200); do
	{ cat "$T/base.png"; printf 'scan %d' "$i"; } >"$T/batch/w$i.png"
done

# Every datagram sohoad sends, with the time it came (monotonic seconds).
python3 - "$T/notify.sock" "$T/notify.log" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(120)
with open(sys.argv[2], 'a') as log:
    try:
        while True:
            m = s.recv(4096).decode()
            for line in m.split('\n'):
                if line:
                    log.write('%.3f %s\n' % (time.monotonic(), line))
            log.flush()
    except socket.timeout:
        pass
PY
listener=$!
wait_for 5 test -S "$T/notify.sock"
NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=2000000 start_daemon
check "sohoad pings the watchdog while idle" \
    wait_for 10 grep -q ' WATCHDOG=1$' "$T/notify.log"
start=$(python3 -c 'import time; print("%.3f" % time.monotonic())')
mv "$T"/batch/*.png "$T/inbox/pw/"
check "all 200 scans are recorded" \
    wait_for 300 bash -c "test \$(sohoa list --json --limit 1000 | jq length) -eq 200"
end=$(python3 -c 'import time; print("%.3f" % time.monotonic())')
sleep 1
# The longest silence of the watchdog from the drop to the last record.
gap=$(awk -v s="$start" -v e="$end" '
    $2 == "WATCHDOG=1" { if ($1 >= s && last != "" && $1 - last > max) max = $1 - last; last = $1 }
    END { printf "%.2f", max + 0 }' "$T/notify.log")
n=$(awk -v s="$start" -v e="$end" '$2 == "WATCHDOG=1" && $1 >= s && $1 <= e' "$T/notify.log" | wc -l)
echo "# batch of 200 took $(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }') s; $n watchdog pings, longest gap $gap s"
check "the watchdog never goes 2 s without a ping during the batch (longest: $gap s)" \
    awk -v g="$gap" 'BEGIN { exit !(g > 0 && g < 2.0) }'
check "sohoad tells its STATUS during the batch" \
    test "$(awk -v s="$start" -v e="$end" '$1 >= s && $1 <= e && $2 ~ /^STATUS=queue/' "$T/notify.log" | wc -l)" -ge 1
check "sohoad stops" stop_daemon
kill "$listener" 2>/dev/null
echo "1..$tap_n"
