#!/usr/bin/env bash
# The exit statuses the manuals promise, so that a script can tell a
# mistake in how it called sohoa from work that failed: 2 for a usage
# error (an unknown command or option, an option without its value, a
# missing or extra argument, a value that is none), said in one line
# "sohoa: usage: ..." on stderr, and nothing done; 1 for work that failed;
# 0 for --help, on stdout.  The same for sohoad.  No scan is read here.
. "$(dirname "$0")/lib.sh"

# usage_error "what" ARGS...: `sohoa ARGS` exits 2 with one line on stderr
# starting "sohoa: usage: ", nothing on stdout, and makes no data folder.
usage_error() {
	local what=$1
	shift
	check_status "$what: exit 2" 2 sohoa "$@"
	SOHOA_EXPECT=2 sohoa "$@" >"$T/usage.out" 2>"$T/usage.err"
	check "$what: one line 'sohoa: usage: ...' on stderr, nothing else" \
	    bash -c "[ ! -s '$T/usage.out' ] &&
	    [ \"\$(grep -c '' '$T/usage.err')\" -eq 1 ] &&
	    grep -q '^sohoa: usage: ' '$T/usage.err' &&
	    [ ! -e '$SOHOA_DATA' ]"
}

# The command line as a whole.
usage_error "an unknown command" frob
check "... names the commands there are" \
    grep -q "unknown command 'frob'; the commands are ingest, search, " \
    "$T/usage.err"
check_status "sohoa alone is a usage error" 2 sohoa
SOHOA_EXPECT=2 sohoa >"$T/usage.out" 2>"$T/usage.err"
check "... and prints the usage on stderr only" \
    bash -c "[ ! -s '$T/usage.out' ] && grep -q '^usage: sohoa COMMAND' '$T/usage.err'"

# Each command: an unknown option, and what it needs or refuses.
usage_error "ingest with an unknown option" ingest --bogus x.tif
usage_error "ingest with no scan" ingest
usage_error "ingest --jobs 0" ingest --jobs 0 x.tif
usage_error "ingest --jobs without its value" ingest x.tif --jobs
usage_error "search with an unknown option" search --bogus nguyen
usage_error "search with neither words nor filters" search
usage_error "search --limit that is no number" search --limit x nguyen
usage_error "search --limit without its value" search nguyen --limit
check "... names the option" grep -q -- "--limit needs a value" "$T/usage.err"
usage_error "list with an argument" list extra
usage_error "list --limit 0" list --limit 0
usage_error "list with an unknown short option" list -x
check "... names it" grep -q -- "unknown option '-x'" "$T/usage.err"
usage_error "show with no id" show
usage_error "show of an id that is no number" show abc
usage_error "show with an option of another command" show --jobs 2 1
usage_error "get with no id" get
usage_error "get without -o" get 1 --pdf
usage_error "get without what to take" get 1 -o "$T/x"
usage_error "get -o without its value" get 1 --pdf -o
usage_error "get with an unknown option" get 1 --pdf -o "$T/x" --bogus
check "... names the option and the usage" \
    grep -q -- "unknown option '--bogus'; sohoa get ID --original" "$T/usage.err"
usage_error "verify with an argument" verify extra
usage_error "status with an argument" status extra
usage_error "log with an argument" log extra
usage_error "log --limit -3" log --limit -3
usage_error "edit with no field" edit 1
usage_error "edit of an id that is no number" edit x doc_number=1
usage_error "reindex with an argument" reindex extra
usage_error "reindex --profile without its value" reindex --profile
usage_error "register with no subcommand" register
usage_error "register with an unknown subcommand" register export x.csv
usage_error "register import with no file" register import
usage_error "register import --documents" register import --documents x.csv
usage_error "register unmatched with an argument" register unmatched extra
usage_error "report with an argument" report extra
usage_error "report --format that is none" report --format pdf
usage_error "report with an unknown option" report --bogus

# --help: 0, on stdout, for sohoa and each command.
for c in ingest search list show get verify status log edit reindex register \
    report; do
	check "sohoa $c --help: exit 0, its usage on stdout, nothing on stderr" \
	    bash -c "sohoa $c --help >'$T/help.out' 2>'$T/help.err' &&
	    grep -q '^usage: sohoa $c' '$T/help.out' && [ ! -s '$T/help.err' ]"
done
for h in --help -h help; do
	check "sohoa $h: exit 0, the commands on stdout" \
	    bash -c "sohoa $h 2>/dev/null | grep -q '^  report '"
done
check "no usage error or --help made a data folder" test ! -e "$SOHOA_DATA"

# Work that fails is 1, not 2.  (check_status leaves the output in
# $T/check.out, which the next check's own output replaces.)
check_status "get on an empty data folder exits 1" 1 \
    sohoa get 999999 --text -o "$T/x"
cp "$T/check.out" "$T/fail.out"
check "... saying there is no data" grep -q "no sohoa data" "$T/fail.out"
check_status "register import of a file that does not exist exits 1" 1 \
    sohoa register import "$T/nonexistent.csv"
check_status "get of a document that does not exist exits 1" 1 \
    sohoa get 999999 --text -o "$T/x"
cp "$T/check.out" "$T/fail.out"
check "... saying so, and writes nothing" \
    bash -c "grep -q 'no document #999999' '$T/fail.out' && [ ! -e '$T/x' ]"
check_status "report with a --config that does not exist exits 1" 1 \
    sohoa report --config "$T/nonexistent.conf"

# sohoad: the same promise (sohoad(8)).
check_status "sohoad with an unknown option exits 2" 2 "$SOHOAD" --bogus
cp "$T/check.out" "$T/fail.out"
check "... with its usage" grep -q '^usage: sohoad' "$T/fail.out"
check_status "sohoad with an argument exits 2" 2 "$SOHOAD" extra
check_status "sohoad --data without its value exits 2" 2 "$SOHOAD" --data
check "sohoad --help: exit 0, its usage on stdout" \
    bash -c "'$SOHOAD' --help 2>/dev/null | grep -q '^usage: sohoad'"
check_status "sohoad -n with a sohoa.conf that does not exist exits 1" 1 \
    "$SOHOAD" -n -c "$T/nonexistent.conf" --data "$T/d" --profiles "$T/p"

end_checks
[ "$tap_failed" -eq 0 ]
