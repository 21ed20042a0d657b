#!/usr/bin/env bash
# Folders that would swallow each other (issue 9, item 5): sohoad moves
# every file of an inbox into its spool, so an inbox that is the data
# folder, inside it, around it, a system folder, or the folder of its own
# profile is a configuration error named by file:line, at -n, at start
# and at SIGHUP; the database stays where it is.
. "$(dirname "$0")/lib.sh"

D=$SOHOA_DATA
mkdir -p "$D"

# bad_inbox WHAT INBOX PATTERN [key=value...]: -n refuses a profile whose
# inbox is INBOX, naming the file and the line of its inbox key (of the
# key $KEY when set).
bad_inbox() {
	local what=$1 inbox=$2 pattern=$3
	shift 3
	rm -rf "$T/profiles"
	make_profile px "inbox=$inbox" "$@"
	local line
	line=$(grep -n "^${KEY:-inbox} = " "$T/profiles/px.conf" | cut -d: -f1)
	"$SOHOAD" -n --data "$D" --profiles "$T/profiles" >"$T/n.out" 2>&1
	local status=$?
	if [ "$status" -eq 1 ] && grep -q "$T/profiles/px.conf:$line: .*$pattern" "$T/n.out" &&
	    ! grep -q 'configuration OK' "$T/n.out"; then
		ok "sohoad -n refuses $what, naming the file and line"
	else
		not_ok "sohoad -n refuses $what, naming the file and line"
		sed 's/^/# /' "$T/n.out"
	fi
}

bad_inbox "the data folder as an inbox" "$D" "inside the data folder"
bad_inbox "the spool as an inbox" "$D/spool" "inside the data folder"
bad_inbox "an inbox around the data folder" "$T" "the data folder .* is inside the inbox"
bad_inbox "/etc as an inbox" /etc "system folder"
bad_inbox "/ as an inbox" / "system folder"
bad_inbox "an inbox under /usr" /usr/share/sohoa-inbox "system folder"
ln -s "$D" "$T/link-to-data"
bad_inbox "a symlink to the data folder" "$T/link-to-data" "inside the data folder"
bad_inbox "the folder of its own profile" "$T/profiles" "inside its own inbox"
KEY=quarantine bad_inbox "a quarantine inside an inbox read with its subfolders" "$T/inbox/px" \
    "quarantine .* is inside the inbox" recursive=yes "quarantine=$T/inbox/px/bad"

# Two profiles whose folders cross.
rm -rf "$T/profiles"
make_profile pa "inbox=$T/in" recursive=yes
make_profile pb "inbox=$T/in/sub"
check_fails "sohoad -n refuses an inbox inside another read with its subfolders" \
    "$SOHOAD" -n --data "$D" --profiles "$T/profiles"
check_status "and says so (exit 1)" 1 bash -c "'$SOHOAD' -n --data '$D' --profiles '$T/profiles' >'$T/n.out' 2>&1; st=\$?; grep -q 'inside each other' '$T/n.out' || exit 99; exit \$st"
rm -rf "$T/profiles"
make_profile pa "inbox=$T/in"
make_profile pb "inbox=$T/in2" "quarantine=$T/in"
check_fails "sohoad -n refuses a quarantine that is another profile's inbox" \
    "$SOHOAD" -n --data "$D" --profiles "$T/profiles"

# A good set still passes, and a data folder beside the inbox is fine.
rm -rf "$T/profiles"
make_profile pa
check "sohoad -n says configuration OK for separate folders" \
    bash -c "set -o pipefail; '$SOHOAD' -n --data '$D' --profiles '$T/profiles' | grep -qx 'configuration OK'"

# Not started at all on a bad one: the database is left where it is.
check "sohoad starts on the good profile" start_daemon
check "it made its database" test -f "$D/sohoa.db"
stop_daemon
rm -rf "$T/profiles"
make_profile px "inbox=$D"
check_fails "sohoad does not start with the data folder as an inbox" \
    timeout 20 "$SOHOAD" --data "$D" --profiles "$T/profiles"
check "the database is still in the data folder" test -f "$D/sohoa.db"
check "nothing was quarantined" test -z "$(ls -A "$T/quarantine/px" 2>/dev/null)"

# SIGHUP with such a profile keeps the old set, and the database.
rm -rf "$T/profiles"
make_profile pa settle_seconds=1
check "sohoad starts again" start_daemon
make_profile px "inbox=$D"
kill -HUP "$DPID"
check "a reload with the data folder as an inbox is refused" \
    wait_for 10 grep -q 'keeping the 1 profile in use' "$T/sohoad.log"
sleep 2
check "the database and pid file stay in the data folder" \
    test -f "$D/sohoa.db" -a -f "$D/sohoad.pid"
check "sohoad still runs" sohoa status

# make demo's folders (scripts/demo): the sample profile's inbox
# ./var/inbox/sample beside the data folder ./var/data, not inside it.
mkdir -p "$T/demo"
demo_data=$(sed -n 's/^SOHOA_DATA=\$PWD\///p' "$SOHOA_SRCDIR/scripts/demo")
check "make demo's data folder ($demo_data) and the sample profile pass sohoad -n" \
    sh -c "cd '$T/demo' && '$SOHOAD' -n --data '$demo_data' --profiles '$SOHOA_SRCDIR/scanner-profiles/sample.conf' >'$T/demo.out' 2>&1"

stop_daemon
echo "1..$tap_n"

