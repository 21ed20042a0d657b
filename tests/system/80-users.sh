#!/usr/bin/env bash
# sohoa user: the people who sign in to sohoa-web.  An admin adds a user
# with a role, the password piped on standard input or typed twice at a
# terminal without echo; lists them as a table or JSON (never a hash);
# sets a new password; disables one.  A short or empty password is
# refused in one line and nothing is added; a wrong command line exits 2
# and makes no data folder; each change is in the access log.
. "$(dirname "$0")/lib.sh"

# usage_error "what" ARGS...: exit 2, one line "sohoa: usage: ..." on
# stderr, nothing on stdout, no data folder made.
usage_error() {
	local what=$1
	shift
	SOHOA_EXPECT=2 sohoa "$@" </dev/null >"$T/usage.out" 2>"$T/usage.err"
	check "$what: exit 2, one line 'sohoa: usage: ...', nothing made" \
	    bash -c "[ ! -s '$T/usage.out' ] &&
	    [ \"\$(grep -c '' '$T/usage.err')\" -eq 1 ] &&
	    grep -q '^sohoa: usage: ' '$T/usage.err' &&
	    [ ! -e '$SOHOA_DATA' ]"
}

usage_error "user alone" user
usage_error "an unknown user command" user frob
usage_error "user add with no name" user add --role clerk
usage_error "user add with no role" user add lan.nguyen
usage_error "user add with a role that is none" user add lan.nguyen --role boss
check "... naming the roles there are" \
    grep -q "the roles are clerk, staff, auditor and admin" "$T/usage.err"
usage_error "user add of a name with a space" user add 'lan nguyen' --role clerk
usage_error "user add of a name with marks" user add 'lân' --role clerk
usage_error "user add with two names" user add a b --role clerk
usage_error "user list with an argument" user list extra
usage_error "user passwd with no name" user passwd
usage_error "user disable with two names" user disable a b
usage_error "--role on user list" user list --role clerk
check "sohoa user --help: exit 0, its usage on stdout" \
    bash -c "sohoa user --help | grep -q '^usage: sohoa user add NAME --role ROLE'"
check "sohoa --help lists the user command" \
    bash -c "sohoa --help | grep -q '^  user add NAME'"

check_status "a short password is refused (exit 1)" 1 \
    bash -c "echo 'seven77' | sohoa user add lan.nguyen --role clerk"
cp "$T/check.out" "$T/said"
check "... in one line saying why" \
    bash -c "[ \"\$(grep -c '' '$T/said')\" -eq 1 ] &&
    grep -q 'too short: it needs at least 8 characters' '$T/said'"
check_status "an empty password is refused" 1 \
    bash -c "echo '' | sohoa user add lan.nguyen --role clerk"
cp "$T/check.out" "$T/said"
check "... saying it is empty" grep -q 'the password is empty' "$T/said"
check_status "no password at all on standard input is refused" 1 \
    sohoa user add lan.nguyen --role clerk </dev/null
cp "$T/check.out" "$T/said"
check "... saying so" grep -q 'no password on standard input' "$T/said"
check "the refusals made nothing, not even the data folder" \
    test ! -e "$SOHOA_DATA"

check "user add with the password on standard input" \
    bash -c "echo 'mật khẩu của Lan' | sohoa user add lan.nguyen --role clerk | grep -qx 'user lan.nguyen added, role clerk'"
check "a second user, the password from a file with Windows line ends" \
    bash -c "printf 'auditor pass\r\n' | sohoa user add an.tran --role auditor"
check_status "the same name again is refused (exit 1)" 1 \
    bash -c "echo 'another password' | sohoa user add lan.nguyen --role staff"
cp "$T/check.out" "$T/said"
check "... saying it is taken" grep -q 'there is a user lan.nguyen already' "$T/said"
check_status "... and so is the same name in capitals" 1 \
    bash -c "echo 'another password' | sohoa user add LAN.NGUYEN --role staff"
cp "$T/check.out" "$T/said"

sohoa user list >"$T/list.out"
check "user list: a table of name, role, state and creation date" \
    bash -c "head -1 '$T/list.out' | grep -q '^name  *role  *state  *created\$' &&
    grep -Eq '^an.tran  +auditor  +enabled  +[0-9]{4}-[0-9]{2}-[0-9]{2}\$' '$T/list.out' &&
    grep -Eq '^lan.nguyen  +clerk  +enabled  +[0-9]{4}-' '$T/list.out' &&
    test \$(wc -l <'$T/list.out') -eq 3"
sohoa user list --json >"$T/list.json"
check "user list --json: the users by name, with role, state and times" \
    jq -e 'length == 2 and .[0].name == "an.tran" and .[1].role == "clerk" and
    (.[1].disabled == false) and (.[1].created_at | test("^[0-9]{4}-")) and
    (.[1].changed_at | type) == "string"' "$T/list.json"
check "... and never a password or its hash" \
    bash -c "! grep -Eqi 'argon|password|hash' '$T/list.json'"
check "the database keeps an Argon2id hash, not the password" \
    bash -c "sqlite3 -readonly '$SOHOA_DATA/sohoa.db' \"SELECT password FROM users WHERE name = 'lan.nguyen'\" | grep -q '^\\\$argon2id\\\$v=19\\\$m=19456,t=2,p=1\\\$' &&
    ! sqlite3 -readonly '$SOHOA_DATA/sohoa.db' 'SELECT * FROM users' | grep -q 'của Lan'"
check "the database file stays private (0640)" \
    test "$(stat -c %a "$SOHOA_DATA/sohoa.db")" = 640

hash() {
	sqlite3 -readonly "$SOHOA_DATA/sohoa.db" "SELECT password FROM users WHERE name = '$1'"
}
old=$(hash lan.nguyen)
check "user passwd with the new password on standard input" \
    bash -c "echo 'một mật khẩu mới' | sohoa user passwd lan.nguyen | grep -qx 'user lan.nguyen: new password set'"
check "... the hash is a new one" test "$(hash lan.nguyen)" != "$old"
old=$(hash lan.nguyen)
check_status "user passwd with a short password is refused" 1 \
    bash -c "echo short | sohoa user passwd lan.nguyen"
cp "$T/check.out" "$T/said"
check "... and the password is kept" test "$(hash lan.nguyen)" = "$old"
check_status "user passwd of nobody says so (exit 1)" 1 \
    bash -c "echo 'some password' | sohoa user passwd nobody"
cp "$T/check.out" "$T/said"
check "... naming the user" grep -q 'there is no user nobody' "$T/said"

check "user disable" \
    bash -c "sohoa user disable an.tran | grep -qx 'user an.tran disabled'"
check "... user list says disabled" \
    bash -c "sohoa user list | grep -Eq '^an.tran  +auditor  +disabled '"
check "... and so does --json" \
    test "$(sohoa user list --json | jq -c '[.[] | .disabled]')" = '[true,false]'
check "disabling again is no error" sohoa user disable an.tran
check_status "user disable of nobody says so (exit 1)" 1 sohoa user disable nobody
cp "$T/check.out" "$T/said"

check "the access log names each change and who made it" \
    bash -c "sohoa log | grep -c -E ' cli  user-(add|passwd|disable) \"(lan.nguyen|an.tran)\"\$' | grep -qx 4"
check "... and --json says it was the command line's" \
    test "$(sohoa log --json | jq -c '[.[] | select(.action | startswith("user-")) | [.action, .what, .via]] | .[0]')" = '["user-disable","an.tran","cli"]'

# At a terminal: asked twice, not echoed.  The answers are typed after
# the prompts (the terminal drops what was typed before echo went off).
if command -v script >/dev/null; then
	type_twice() {
		(sleep 0.5; echo "$1"; sleep 0.5; echo "$2"; sleep 1) |
		    script -qec "$SOHOA user add tty.user --role staff" /dev/null
	}
	type_twice 'typed password' 'other password' >"$T/tty.out" 2>&1
	check "at a terminal, two passwords that differ are refused" \
	    bash -c "grep -q 'the two passwords differ; nothing changed' '$T/tty.out' &&
	    ! sohoa user list | grep -q tty.user"
	type_twice 'typed password' 'typed password' >"$T/tty.out" 2>&1
	check "at a terminal, the same password twice adds the user" \
	    bash -c "grep -q 'New password for tty.user: ' '$T/tty.out' &&
	    grep -q 'The same password again: ' '$T/tty.out' &&
	    sohoa user list | grep -Eq '^tty.user  +staff  +enabled'"
	check "... and the password was not shown" \
	    bash -c "! grep -q 'typed password' '$T/tty.out'"
else
	skip "at a terminal, two passwords that differ are refused" "no script(1)"
	skip "at a terminal, the same password twice adds the user" "no script(1)"
	skip "... and the password was not shown" "no script(1)"
fi
end_checks
echo "1..$tap_n"
