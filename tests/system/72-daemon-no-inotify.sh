#!/usr/bin/env bash
# On a machine whose inotify limits are used up by other programs (a shared
# server, a container host), sohoad must not stop or go deaf: it says so in
# plain words and looks at its inboxes itself every few seconds.
. "$(dirname "$0")/lib.sh"
SHIM=$SOHOA_SHIMS/no-inotify.so
# The address sanitizer wants to be loaded first; the shim does not mind.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

check "a small test scan could be made" small_scan "$T/strip.png"

for limit in instances watches; do
	case $limit in
	instances) what="no folder watcher can be had" sysctl=max_user_instances ;;
	watches) what="no folder can be watched" sysctl=max_user_watches ;;
	esac
	export SOHOA_DATA=$T/data-$limit
	rm -rf "$T/profiles"
	make_profile "$limit" settle_seconds=1
	LD_PRELOAD=$SHIM SHIM_INOTIFY=$limit start_daemon
	check "$what: sohoad still starts" sohoa status
	{ cat "$T/strip.png"; echo "$limit"; } >"$T/inbox/$limit/scan-$limit.png"
	# Polling every 2 s; the full rescan (every 60 s) would be too late.
	check "$what: a scan dropped in is recorded within 30 s" \
	    wait_for 30 has_records "scan-$limit.png" 1
	check "$what: the log says why, in plain words" \
	    grep -q "fs.inotify.$sysctl.*; looking at .* every 2 seconds instead" "$T/sohoad.log"
	check "$what: the inbox is empty" test -z "$(ls -A "$T/inbox/$limit")"
	check "$what: sohoad stops cleanly" stop_daemon
done
