# Sourced by every system test: a private data folder, TAP helpers.
# Each check prints "ok N - what" or "not ok N - what" and, on failure,
# the command's output as "# " comments.
set -u
: "${SOHOA:?run through tests/run}"
T=$(mktemp -d /tmp/sohoa-test.XXXXXX)
export T
trap 'rm -rf "$T"' EXIT
export SOHOA_DATA=$T/data
tap_n=0 tap_failed=0

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
not_ok() { tap_n=$((tap_n + 1)) tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $1"; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1 # SKIP $2"; }

# sohoa ARGS...: runs sohoa.  A run whose exit status is not the one
# expected (SOHOA_EXPECT, 0 unless set for that run, as in
# "SOHOA_EXPECT=1 sohoa get 9999 ...") fails the test even where the status
# is lost: inside $(...), at the left of a pipe, or in a set-up command
# whose status nothing looks at.  A crashed sohoa once printed nothing, and
# "a word on no page finds nothing" passed.  The run is written to
# $T/unexpected, and the next check fails with it.  Where the test looks at
# the statuses itself (SOHOA_ANY_STATUS set), as wait_for does while it
# polls until the state is reached, any status is expected but a crash.
sohoa() {
	local st want=${SOHOA_EXPECT:-0}
	"$SOHOA" "$@"
	st=$?
	if [ "$st" -ne "$want" ] && { [ -z "${SOHOA_ANY_STATUS:-}" ] || [ "$st" -ge 128 ]; }; then
		# The file first: stderr may be a pipe that grep -q closed.
		printf '# sohoa %s: exit status %d, expected %d\n' "$*" "$st" \
		    "$want" >>"$T/unexpected"
		printf '# sohoa %s: exit status %d, expected %d\n' "$*" "$st" \
		    "$want" >&2
	fi
	return $st
}
export -f sohoa
unexpected_seen=0

# The runs of sohoa with an unexpected exit status since the last check,
# as "# " lines; fails when there are none.
unexpected_runs() {
	local n
	[ -s "$T/unexpected" ] || return 1
	n=$(wc -l <"$T/unexpected")
	[ "$n" -gt "$unexpected_seen" ] || return 1
	tail -n +"$((unexpected_seen + 1))" "$T/unexpected"
	unexpected_seen=$n
}

# check "what a user would notice" command args...: passes when it exits 0
# and no sohoa run since the last check exited unexpectedly.
check() {
	local what=$1
	shift
	if "$@" >"$T/check.out" 2>&1 && ! unexpected_runs >"$T/check.runs"; then
		ok "$what"
	else
		unexpected_runs >>"$T/check.runs"
		not_ok "$what"
		cat "$T/check.runs"
		sed 's/^/# /' "$T/check.out" | head -40
	fi
}

# check_status "what" STATUS command args...: passes when the command exits
# with STATUS (for a refusal, the status the manual gives it; a crash is
# never one); sohoa's runs in it are expected to exit so.
check_status() {
	local what=$1 want=$2 st
	shift 2
	SOHOA_EXPECT=$want "$@" >"$T/check.out" 2>&1
	st=$?
	if [ "$st" -eq "$want" ] && ! unexpected_runs >"$T/check.runs"; then
		ok "$what"
	else
		unexpected_runs >>"$T/check.runs"
		not_ok "$what"
		echo "# exit status $st, expected $want"
		cat "$T/check.runs"
		sed 's/^/# /' "$T/check.out" | head -40
	fi
}

# check_fails "what" command args...: passes when it exits non-zero, but
# not by a signal (a crash is no refusal).  For sohoa, check_status says
# which status.
check_fails() {
	local what=$1 st
	shift
	"$@" >"$T/check.out" 2>&1
	st=$?
	if [ "$st" -ne 0 ] && [ "$st" -lt 128 ] && ! unexpected_runs >"$T/check.runs"; then
		ok "$what"
	else
		unexpected_runs >>"$T/check.runs"
		not_ok "$what"
		echo "# exit status $st, expected a refusal (1 to 127)"
		cat "$T/check.runs"
		sed 's/^/# /' "$T/check.out" | head -40
	fi
}

# At the end: the runs with an unexpected status after the last check.
end_checks() {
	local runs
	runs=$(unexpected_runs) || return 0
	not_ok "every sohoa run after the last check exited as expected"
	echo "$runs"
	return 1
}

# The number of records `sohoa list` shows; a sohoa that fails prints no
# number, and the check comparing it fails.
count_records() {
	sohoa list --json --limit 100000 | jq length
}

# found ARGS...: the source names `sohoa search` finds, sorted, on one
# line; a search that fails fails the next check.
found() { sohoa search --json --limit 50 "$@" | jq -r '.[].source_name' | sort | tr '\n' ' '; }

# expect_reason FILE PATTERN WHAT: `sohoa ingest FILE` refuses it (exit 1)
# with one line on stderr naming the file and matching PATTERN.
expect_reason() {
	local f=$1 pat=$2 what=$3 status
	SOHOA_EXPECT=1 sohoa ingest "$f" >"$T/out" 2>"$T/err"
	status=$?
	check "$(basename "$f"): exit status is 1" test "$status" -eq 1
	check "$(basename "$f"): one line on stderr names the file and says $what" \
	    bash -c "grep -c . '$T/err' | grep -qx 1 && grep -q -- '$f: .*$pat' '$T/err'"
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
		SOHOA_ANY_STATUS=1 "$@" >/dev/null 2>&1 && return 0
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
	wait_for 40 sohoa status && return 0
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
	sohoa list --json --limit 100000 2>/dev/null |
	    jq --arg n "$1" '[.[] | select(.source_name == $n)] | length'
}

# After a failure, the end of the daemon's log goes with the test's output,
# so that a failure on another machine (CI) can be understood from there.
daemon_log_tail() {
	[ "$tap_failed" -gt 0 ] && [ -s "$T/sohoad.log" ] || return 0
	echo "# the last lines sohoad logged:"
	tail -n 25 "$T/sohoad.log" | sed 's/^/#   /'
}
# ---- the web console ----

# start_web [args...]: starts sohoa-web on $SOHOA_DATA on a free loopback
# port and sets WEB to its URL (http://127.0.0.1:PORT) and WPID; logs to
# $T/web.log.  WEB is empty when it did not start within 10 s.
start_web() {
	: "${SOHOA_WEB:?}"
	: >"$T/web.log"
	"$SOHOA_WEB" --data "$SOHOA_DATA" --listen 127.0.0.1:0 "$@" \
	    >>"$T/web.log" 2>&1 &
	WPID=$!
	WEB=
	local i port
	for ((i = 0; i < 50; i++)); do
		port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$T/web.log")
		if [ -n "$port" ]; then WEB=http://127.0.0.1:$port; return 0; fi
		kill -0 "$WPID" 2>/dev/null || break
		sleep 0.2
	done
	echo "# sohoa-web did not start:"; sed 's/^/#   /' "$T/web.log"
	return 1
}

# stop_web: SIGTERM, and its exit status in WEB_STATUS.
stop_web() {
	[ -n "${WPID:-}" ] || return 0
	kill -TERM "$WPID" 2>/dev/null
	wait "$WPID"
	WEB_STATUS=$?
	WPID=
}

web_log_tail() {
	[ "$tap_failed" -gt 0 ] && [ -s "$T/web.log" ] || return 0
	echo "# the last lines sohoa-web logged:"
	tail -n 25 "$T/web.log" | sed 's/^/#   /'
}

# start_pg: a PostgreSQL 15 of the test's own in $T/pg, on a Unix socket
# there and no TCP, trusting local connections (the test's roles need no
# password).  PostgreSQL refuses to run as root: as root, initdb and pg_ctl
# run as the postgres user.  Sets PGHOST (the socket's folder) and
# CITY_ADMIN_URL (the superuser's connection); 1 when there is no
# PostgreSQL here (the caller skips, saying so).
PG_BIN=$(pg_config --bindir 2>/dev/null || true)
[ -x "${PG_BIN:-}/initdb" ] || PG_BIN=/usr/lib/postgresql/15/bin
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
start_pg() {
	[ -x "$PG_BIN/initdb" ] || return 1
	chmod 711 "$T"
	mkdir -p "$T/pg"
	[ "$(id -u)" -ne 0 ] || chown postgres "$T/pg"
	as_pg "$PG_BIN/initdb" -D "$T/pg/data" -A trust -U postgres -E UTF8 \
	    --locale=C.UTF-8 >"$T/pg-init.log" 2>&1 ||
	    { echo "# initdb failed:"; sed 's/^/#   /' "$T/pg-init.log"; return 1; }
	pg_ctl_start || return 1
	export PGHOST=$T/pg
	CITY_ADMIN_URL="host=$T/pg user=postgres dbname=postgres"
	export CITY_ADMIN_URL
}
# pg_ctl_start / stop_pg: the server started again (same data) or stopped;
# stop_pg -m immediate is a crash.
pg_ctl_start() {
	as_pg "$PG_BIN/pg_ctl" -D "$T/pg/data" -l "$T/pg/log" -w -o \
	    "-c listen_addresses='' -c unix_socket_directories=$T/pg -c fsync=off" \
	    start >/dev/null 2>&1 ||
	    { echo "# PostgreSQL did not start:"; tail -n 20 "$T/pg/log" | sed 's/^/#   /'; return 1; }
	PG_RUNNING=1
}
stop_pg() {
	[ -n "${PG_RUNNING:-}" ] || return 0
	as_pg "$PG_BIN/pg_ctl" -D "$T/pg/data" -w -m "${1:-fast}" stop >/dev/null 2>&1
	PG_RUNNING=
}

# city_two_offices: the city database in the test's PostgreSQL ($ADMIN, its
# superuser's), with two installations in it, each with its [city] in
# $T/a.conf and $T/b.conf: a ward, phuong-a (role office_a), and a
# district, quan-b (office_b), run as A and B.  Each ingests two scans and
# imports the fixture register; their reports match the entries, as an
# office's report refreshes them ($T/a-report.json, $T/b-report.json).
# Nothing is shipped yet.
city_two_offices() {
	ADMIN="host=$T/pg user=postgres dbname=city"
	psql -X -q "$CITY_ADMIN_URL" -c "CREATE DATABASE city" >/dev/null
	sohoa city init --url "$ADMIN" >/dev/null
	sohoa city office add phuong-a --role office_a --url "$ADMIN" >/dev/null
	sohoa city office add quan-b --role office_b --url "$ADMIN" >/dev/null
	local o
	for o in a b; do
		printf '[city]\nurl = host=%s dbname=city user=office_%s\noffice = %s\n' \
		    "$T/pg" "$o" "$([ $o = a ] && echo phuong-a || echo quan-b)" >"$T/$o.conf"
	done
	printf '[profile]\nname = phuong-dich-vong-hau\nagency_code = 000.11.30.H26\nagency_name = UBND phường Dịch Vọng Hậu\nlevel = commune\n' \
	    >"$T/a-profile.conf"
	printf '[profile]\nname = quan-cau-giay\nagency_code = 000.00.05.H26\nagency_name = UBND quận Cầu Giấy\nlevel = district\n' \
	    >"$T/b-profile.conf"
	A ingest --profile "$T/a-profile.conf" "$FIXTURES/good/birth-extract.g4.tif" \
	    "$FIXTURES/good/business-household.rgb-jpeg.tif" >/dev/null 2>&1
	B ingest --profile "$T/b-profile.conf" "$FIXTURES/good/decision.grey-lzw.tif" \
	    "$FIXTURES/good/building-permit.grey.png" >/dev/null 2>&1
	A register import "$FIXTURES/register/register.csv" >/dev/null 2>&1
	B register import "$FIXTURES/register/register.csv" >/dev/null 2>&1
	A report --json >"$T/a-report.json"
	B report --json >"$T/b-report.json"
}
A() { SOHOA_CONF=$T/a.conf SOHOA_DATA=$T/a sohoa "$@"; }
B() { SOHOA_CONF=$T/b.conf SOHOA_DATA=$T/b sohoa "$@"; }

trap 'st=$?; kill -9 ${DPID:-} ${WPID:-} 2>/dev/null; stop_pg immediate; end_checks || st=1; daemon_log_tail; web_log_tail; rm -rf "$T"; exit $st' EXIT

# has_records NAME N: exactly N records have this source name (for wait_for,
# which runs its command again on every try).
has_records() {
	test "$(records_named "$1")" -eq "$2"
}
