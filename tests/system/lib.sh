# Sourced by every system test: a private data folder, TAP helpers.
# Each check prints "ok N - what" or "not ok N - what" and, on failure,
# the command's output as "# " comments.
set -u
: "${SOHOA:?run through tests/run}"
T=$(mktemp -d /tmp/sohoa-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
export SOHOA_DATA=$T/data
tap_n=0

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
not_ok() { tap_n=$((tap_n + 1)); echo "not ok $tap_n - $1"; }
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
