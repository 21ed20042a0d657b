# Sourced by every system test: a private data folder, TAP helpers.
# Each check prints "ok N - what" or "not ok N - what" and, on failure,
# the command's output as "# " comments.
set -u
: "${SOHOA:?run through tests/run}"
T=$(mktemp -d /tmp/sohoa-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
export SOHOA_DATA=$T/data
tap_n=0 tap_failed=0

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
not_ok() { tap_n=$((tap_n + 1)) tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $1"; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1 # SKIP $2"; }

# check "what a user would notice" command args...: passes when it exits 0.
check() {
	local what=$1
	shift
	if "$@" >"$T/check.out" 2>&1; then
		ok "$what"
	else
		not_ok "$what"
		sed 's/^/# /' "$T/check.out" | head -40
	fi
}

# check_fails "what" command args...: passes when it exits non-zero.
check_fails() {
	local what=$1
	shift
	if "$@" >"$T/check.out" 2>&1; then
		not_ok "$what"
		sed 's/^/# /' "$T/check.out" | head -40
	else
		ok "$what"
	fi
}

# The number of records `sohoa list` shows.
count_records() {
	"$SOHOA" list --json --limit 100000 2>/dev/null | jq length 2>/dev/null ||
	    echo 0
}

# small_scan FILE: one strip of a page, quick to OCR.  Bytes appended
# after it (which decoders ignore) make copies with their own SHA-256.
small_scan() {
	convert "$FIXTURES/good/building-permit.grey.png" \
	    -crop 700x140+40+60 +repage "$1" 2>/dev/null && test -s "$1"
}

# ---- the daemon ----

# wait_for SECONDS command...: retries every 0.2 s until it succeeds.
wait_for() {
	local limit=$1 i
	shift
	for ((i = 0; i < limit * 5; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# make_profile NAME [key=value...]: a profile with its inbox and quarantine
# under $T, written to $T/profiles/NAME.conf.
make_profile() {
	local name=$1 kv k
	shift
	local -A v=([name]=$name [inbox]=$T/inbox/$name
	    [quarantine]=$T/quarantine/$name [agency_code]=000.11.30.H26
	    [agency_name]="UBND phường Dịch Vọng Hậu" [level]=commune)
	for kv in "$@"; do v[${kv%%=*}]=${kv#*=}; done
	mkdir -p "$T/profiles" "${v[inbox]}"
	{
		echo "[profile]"
		for k in "${!v[@]}"; do echo "$k = ${v[$k]}"; done
	} >"$T/profiles/$name.conf"
}

# start_daemon [args...]: starts sohoad on $SOHOA_DATA and $T/profiles and
# waits until `sohoa status` says it runs.  Sets DPID; logs to $T/sohoad.log.
start_daemon() {
	: "${SOHOAD:?}"
	"$SOHOAD" --data "$SOHOA_DATA" --profiles "$T/profiles" "$@" \
	    >>"$T/sohoad.log" 2>&1 &
	DPID=$!
	wait_for 40 "$SOHOA" status && return 0
	echo "# sohoad did not start within 40 s"
	return 1
}

stop_daemon() {
	[ -n "${DPID:-}" ] || return 0
	kill -TERM "$DPID" 2>/dev/null
	wait "$DPID"
	local status=$?
	DPID=
	return $status
}

# Records with this source name.
records_named() {
	"$SOHOA" list --json --limit 100000 2>/dev/null |
	    jq --arg n "$1" '[.[] | select(.source_name == $n)] | length'
}

# After a failure, the end of the daemon's log goes with the test's output,
# so that a failure on another machine (CI) can be understood from there.
daemon_log_tail() {
	[ "$tap_failed" -gt 0 ] && [ -s "$T/sohoad.log" ] || return 0
	echo "# the last lines sohoad logged:"
	tail -n 25 "$T/sohoad.log" | sed 's/^/#   /'
}
trap 'kill -9 ${DPID:-} 2>/dev/null; daemon_log_tail; rm -rf "$T"' EXIT

# has_records NAME N: exactly N records have this source name (for wait_for,
# which runs its command again on every try).
has_records() {
	test "$(records_named "$1")" -eq "$2"
}
