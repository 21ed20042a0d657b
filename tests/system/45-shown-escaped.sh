#!/usr/bin/env bash
# Text from outside (a query, a user name, a file name, a field read or
# corrected, a register cell) is shown escaped: a newline or an escape
# sequence in it can neither add a forged line to what an auditor reads
# nor move the cursor.  --json and CSV keep the text as it is.
. "$(dirname "$0")/lib.sh"
unset SUDO_USER
ESC=$'\e'

# no_esc FILE: not one ESC byte in it.
no_esc() { ! grep -q "$ESC" "$1"; }

# A scan whose file name holds a newline and an escape sequence.
name=$'don\e[2K\nGIA MAO.png'
small_scan "$T/$name"
sohoa ingest "$T/$name" >/dev/null 2>&1
check "a scan with a newline and an escape in its name is ingested" \
    test "$(count_records)" -eq 1
sohoa list >"$T/list.out" 2>&1
check "list shows it on one line" test "$(wc -l <"$T/list.out")" -eq 1
check "list holds no escape byte" no_esc "$T/list.out"
check "list shows the name escaped" grep -qF 'don\e[2K\nGIA MAO.png' "$T/list.out"
check "--json keeps the name as it is" \
    test "$(sohoa list --json | jq -r '.[0].source_name')" = "$name"

# A field corrected to hold controls (a number typed, or pasted).
sohoa edit 1 $'doc_number=12/QĐ\e[1A\rGIA MAO' >"$T/edit.out" 2>&1
check "edit's lines hold no escape byte" no_esc "$T/edit.out"
# Corrections are shown as JSON values, whose escapes say \u001B.
check "edit shows the new value escaped" grep -qF '"12/QĐ\u001B[1A\rGIA MAO"' "$T/edit.out"
sohoa list >"$T/list.out" 2>&1
check "list shows the corrected number escaped" \
    bash -c "grep -qF '12/QĐ\\e[1A\\rGIA MAO' '$T/list.out' && ! grep -q \$'\\r' '$T/list.out'"
sohoa show 1 >"$T/show.out" 2>&1
check "show holds no escape byte and no carriage return" \
    bash -c "no_esc() { ! grep -q \$'\\e' \"\$1\"; }; no_esc '$T/show.out' && ! grep -q \$'\\r' '$T/show.out'"
check "show has one line per field, and its corrections" \
    test "$(grep -c . "$T/show.out")" -eq "$(( $(sohoa show --json 1 | jq 'del(.corrections) | length') + 2 ))"
check "show's source_name line is escaped" \
    grep -qF 'source_name     don\e[2K\nGIA MAO.png' "$T/show.out"
sohoa search --type $'giay\e[2J' x >/dev/null 2>&1

# The access log: a query that would add a line to what an auditor reads.
q=$'an\nGIA MAO\e[1A'
sohoa search "$q" >"$T/search.out" 2>"$T/search.err"
check "nothing found for: is one line on stderr" \
    test "$(wc -l <"$T/search.err")" -eq 1
check "and shows the query escaped, with no escape byte" \
    bash -c "grep -qxF 'nothing found for: an\\nGIA MAO\\e[1A' '$T/search.err' && ! grep -q \$'\\e' '$T/search.err'"
# As root, sohoa believes SUDO_USER (the account that ran sudo).
[ "$(id -u)" -eq 0 ] &&
    SUDO_USER=$'clerk\nFORGED\e[2K' sohoa search nguyen >/dev/null 2>&1
sohoa log >"$T/log.out" 2>&1
check "log has exactly one line per entry" \
    test "$(wc -l <"$T/log.out")" -eq "$(sohoa log --json | jq length)"
check "log holds no escape byte" no_esc "$T/log.out"
check "log shows the query escaped" grep -qF '"an\nGIA MAO\e[1A"' "$T/log.out"
check "log shows a filter escaped" grep -qF -e '--type giay\e[2J' "$T/log.out"
if [ "$(id -u)" -eq 0 ]; then
	check "log shows a user name (sudo's) escaped" \
	    grep -qF 'clerk\nFORGED\e[2K' "$T/log.out"
else
	skip "log shows a user name (sudo's) escaped" "not root"
fi
check "log --json keeps the query as it is" \
    bash -c "sohoa log --json | jq -e --arg q \"\$1\" 'any(.[]; .query == \$q)' >/dev/null" _ "$q"

# Register cells: the one-stop software's text, in the table, the report
# and its HTML; CSV keeps it, quoted.
printf '%s\n' 'dossier_code,doc_number,agency_code,level,issued_on,status,agency_name' \
    "\"000.11.30.H26-240101-0001\",\"5/QĐ$ESC[2K\",000.11.30.H26,commune,2024-01-01,valid,\"UBND"$'\n'"GIA MAO$ESC[1A\"" \
    "\"000.11.31.H26-240101-0002\",\"6/QĐ\",000.11.31.H26,commune,2024-01-02,valid,\"UBND $(printf '\u202e')OAM AIG\"" \
    >"$T/reg.csv"
sohoa register import "$T/reg.csv" >"$T/import.out" 2>&1
check "a register with controls in its cells imports" grep -q '2 rows imported' "$T/import.out"
sohoa register unmatched >"$T/unmatched.out" 2>/dev/null
check "register unmatched: one line per entry, no escape byte" \
    bash -c "test \$(wc -l <'$T/unmatched.out') -eq 2 && ! grep -q \$'\\e' '$T/unmatched.out' && grep -qF '5/QĐ\\e[2K' '$T/unmatched.out'"
sohoa report --missing >"$T/report.out" 2>&1
check "the report table holds no escape byte and no bidi control" \
    bash -c "! grep -q -e \$'\\e' -e \$'\\u202e' '$T/report.out'"
check "the report table shows the office name escaped, on its line" \
    grep -qF 'UBND\nGIA MAO\e[1A' "$T/report.out"
sohoa report --missing --format html -o "$T/report.html" >/dev/null 2>&1
check "the HTML report holds no escape byte and no bidi control" \
    bash -c "! grep -q -e \$'\\e' -e \$'\\u202e' '$T/report.html' && grep -qF '\\u202e' '$T/report.html' && grep -qF 'UBND\\nGIA MAO\\e[1A' '$T/report.html'"
sohoa report --missing --format csv -o "$T/report.csv" >/dev/null 2>&1
check "CSV keeps the cells as they are, quoted" \
    python3 -c "
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8-sig', newline='')))
names = sorted(r[3] for r in rows[1:])
nums = sorted(r[5] for r in rows[1:])
sys.exit(not (names == sorted(['UBND\nGIA MAO\x1b[1A', 'UBND \u202eOAM AIG']) and nums == ['5/QĐ\x1b[2K', '6/QĐ']))
" "$T/report.csv"

echo "1..$tap_n"
[ "$tap_failed" -eq 0 ]
