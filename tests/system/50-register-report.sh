#!/usr/bin/env bash
# Auditors: scans of a former district office, then its register; the
# report per level and office in every format with the same figures; what
# is still to scan; a register with bad rows imports nothing; re-imports
# never double, with or without dossier codes; --config changes the
# targets; the HTML renders its bars.
. "$(dirname "$0")/lib.sh"
G=$FIXTURES/good
R=$FIXTURES/register
ASOF=(--as-of 2025-09-30)

cat >"$T/sohoa.conf" <<'EOF'
[targets]
city = 70%
district = 60%
commune = 50%
EOF
export SOHOA_CONF=$T/sohoa.conf
cat >"$T/quan.conf" <<'EOF'
[profile]
name = quan-cau-giay
agency_code = 000.00.05.H26
agency_name = UBND quận Cầu Giấy
level = district
EOF

# Two scans of decision 2087/QĐ-UBND (read by its dossier code), the
# building permit 356/GPXD (no dossier code: read by number and date),
# and a byte-for-byte copy of the first decision.
cp "$G/decision.grey-lzw.tif" "$T/ban-sao.tif"
sohoa ingest --profile "$T/quan.conf" --jobs 2 "$G/decision.grey-lzw.tif" \
    "$G/decision.g4-nores.tif" "$G/building-permit.grey.png" \
    >"$T/ingest.out" 2>&1
check "three scans of the district office are ingested" test $? -eq 0
sohoa ingest --profile "$T/quan.conf" "$T/ban-sao.tif" >/dev/null 2>&1

# Without a register: counts of what is archived, and a plain note.
sohoa report "${ASOF[@]}" --json >"$T/noreg.json" 2>"$T/noreg.err"
check "report runs before any register is imported" test $? -eq 0
check "it says rates need the register" \
    jq -e '.note | test("Rates need the register")' "$T/noreg.json"
check "it counts the office's documents, each result once (2, not 4 scans)" \
    jq -e '[.offices[] | select(.agency_code == "000.00.05.H26")][0].digitized == 2 and .levels[1].valid_issued == null' "$T/noreg.json"
sohoa report "${ASOF[@]}" >"$T/noreg.txt" 2>&1
check "the table says it too" grep -q "Rates need the register" "$T/noreg.txt"

# One reader of dates: search and report take the same forms, and refuse
# a day that does not exist in the same words.
check "search --from takes dd/mm/yyyy" bash -c "'$SOHOA' search --json \
    --from 20/03/2024 --to 20/03/2024 | jq -e 'length >= 1 and all(.[]; .issued_on == \"2024-03-20\")'"
check "... and finds what yyyy-mm-dd finds" test \
    "$("$SOHOA" search --json --from 20/03/2024 | jq -c '[.[].id]')" = \
    "$("$SOHOA" search --json --from 2024-03-20 | jq -c '[.[].id]')"
check "search --from 30/09/2025 runs" "$SOHOA" search --from 30/09/2025
check "report --from 30/09/2025 runs" "$SOHOA" report "${ASOF[@]}" --from 30/09/2025
"$SOHOA" search --from 31/02/2025 >"$T/search-date.out" 2>"$T/search-date.err"
check "search refuses --from 31/02/2025 (exit 1)" test $? -eq 1
"$SOHOA" report --from 31/02/2025 >"$T/report-date.out" 2>"$T/report-date.err"
check "report refuses it too (exit 1)" test $? -eq 1
check "search says it is not a date" grep -qxF \
    "sohoa: search: --from '31/02/2025' is not a date (dd/mm/yyyy or yyyy-mm-dd)" \
    "$T/search-date.err"
check "report says it in the same words" diff \
    <(sed 's/^sohoa: search: //' "$T/search-date.err") \
    <(sed 's/^sohoa: report: //' "$T/report-date.err")

# A register with bad rows: every line named, nothing imported.
SOHOA_EXPECT=1 sohoa register import "$R/register-bad.csv" >"$T/bad.out" 2>&1
check "a register with bad rows is refused (exit 1)" test $? -eq 1
for l in 3 4 5 6 7 8 11; do
	check "the bad row on line $l is named" grep -q "register-bad.csv:$l: " "$T/bad.out"
done
check "it says nothing was imported" grep -q "nothing was imported" "$T/bad.out"
sohoa report --json "${ASOF[@]}" >"$T/after-bad.json"
check "and nothing was" jq -e '.register_entries == 0' "$T/after-bad.json"

sohoa register import --json "$R/register.csv" >"$T/import.json" 2>&1
check "the register imports" jq -e '.added == 15 and .entries == 15' "$T/import.json"
check "two of its results are matched to the scans" jq -e '.digitized == 2' "$T/import.json"

# The figures, by hand (as of 30/09/2025, targets 70/60/50 %):
#   city      3 valid (one expired, one issued later), 0 scanned: needs 3
#   district  4 valid (one revoked), 2 scanned (2087/ three times): 50 %, needs 1
#   commune   3 valid, 0 scanned: needs 2; Nghĩa Đô has no valid result
sohoa report "${ASOF[@]}" --format json >"$T/r.json"
check "JSON: city 3 valid, 0 digitized, needs 3, not met" \
    jq -e '.levels[0] | .level == "city" and .valid_issued == 3 and .digitized == 0 and .needed == 3 and .met == false and .target == 0.7' "$T/r.json"
check "JSON: district 4 valid, 2 digitized, rate 0.5, needs 1" \
    jq -e '.levels[1] | .level == "district" and .valid_issued == 4 and .digitized == 2 and .rate == 0.5 and .needed == 1 and .met == false' "$T/r.json"
check "JSON: commune 3 valid, 0 digitized, needs 2" \
    jq -e '.levels[2] | .valid_issued == 3 and .digitized == 0 and .needed == 2' "$T/r.json"
check "JSON: an office with no valid result has a null rate" \
    jq -e '.offices[] | select(.agency_code == "000.11.31.H26") | .valid_issued == 0 and .rate == null and .met == null and .needed == 0' "$T/r.json"
check "JSON: offices carry code, name and level" \
    jq -e '.as_of == "2025-09-30" and (.offices | length == 4) and (.offices[1] | .agency_code == "000.00.05.H26" and .agency_name == "UBND quận Cầu Giấy" and .level == "district")' "$T/r.json"

sohoa report "${ASOF[@]}" >"$T/r.txt"
check "table: the same district figures" \
    grep -q "^district        4          2   50.0%     60%   no       1$" "$T/r.txt"
check "table: '-' for the office with no valid result" \
    grep -q "^000.11.31.H26  commune         0          0       -     50%    -       0  UBND phường Nghĩa Đô, quận Cầu Giấy$" "$T/r.txt"

sohoa report "${ASOF[@]}" --format csv -o "$T/r.csv"
check "CSV -o writes the file" test -s "$T/r.csv"
check "CSV starts with a UTF-8 BOM" test "$(head -c 3 "$T/r.csv" | od -An -tx1 | tr -d ' ')" = efbbbf
check "CSV ends every line with CRLF" \
    test "$(grep -c $'\r$' "$T/r.csv")" -eq "$(wc -l <"$T/r.csv")" -a "$(wc -l <"$T/r.csv")" -eq 8
check "CSV: the same district figures" \
    grep -q '^"2025-09-30",level,"district",,,4,2,0.5000,0.6,no,1'$'\r''$' "$T/r.csv"
check "CSV: Vietnamese names intact, quoted with their comma" \
    grep -q '"000.11.31.H26","UBND phường Nghĩa Đô, quận Cầu Giấy",0,0,,0.5,,0' "$T/r.csv"
check "CSV parses back to the JSON figures" python3 - "$T/r.csv" "$T/r.json" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
js = json.load(open(sys.argv[2]))
offices = {o["agency_code"]: o for o in js["offices"]}
levels = {l["level"]: l for l in js["levels"]}
assert len(rows) == len(offices) + len(levels), rows
for r in rows:
    j = offices[r["agency_code"]] if r["kind"] == "office" else levels[r["level"]]
    for k in ("valid_issued", "digitized", "needed"):
        assert int(r[k]) == j[k], (k, r, j)
    assert (r["rate"] == "") == (j["rate"] is None)
    if r["rate"]:
        assert abs(float(r["rate"]) - j["rate"]) < 0.0001
PY

sohoa report "${ASOF[@]}" --format html -o "$T/r.html"
check "HTML: one self-contained page" \
    bash -c "grep -q '<svg' '$T/r.html' && grep -q '@media print' '$T/r.html' && ! grep -q '<script\|<link\|src=' '$T/r.html'"
check "HTML: the same district figures" \
    grep -q '<td>district</td><td class="n">4</td><td class="n">2</td><td class="n">50.0%</td><td class="n">60%</td><td class="unmet">no</td><td class="n">1</td>' "$T/r.html"
check "HTML: the date, and a bar per level and office with a rate (6)" \
    bash -c "grep -q '2025-09-30' '$T/r.html' && test \$(grep -o 'class=\"bar\"' '$T/r.html' | wc -l) -eq 6"

# What records staff pull from the cabinet next, oldest first.
sohoa report "${ASOF[@]}" --missing --agency 000.00.05.H26 >"$T/m.txt"
check "--missing lists the district's two results still to scan, oldest first" \
    bash -c "grep -A3 'UBND quận Cầu Giấy (district): 2' '$T/m.txt' | grep -o '601/QĐ-UBND\|77/GP-UBND' | tr '\n' ' ' | grep -qx '601/QĐ-UBND 77/GP-UBND '"
sohoa report "${ASOF[@]}" --missing --format csv >"$T/m.csv"
check "--missing in CSV: one row per result (3 + 2 + 3)" test "$(wc -l <"$T/m.csv")" -eq 9
sohoa report "${ASOF[@]}" --missing --format json >"$T/m.json"
check "--missing in JSON: per office" \
    jq -e '[.offices[] | .missing | length] == [3, 2, 3, 0]' "$T/m.json"
sohoa report "${ASOF[@]}" --missing --format html >"$T/m.html"
check "--missing in HTML" grep -q '<td>601/QĐ-UBND</td>' "$T/m.html"

sohoa register unmatched --json >"$T/u.json" 2>/dev/null
check "register unmatched lists the 13 entries no scan matches" jq -e 'length == 13' "$T/u.json"
sohoa register unmatched --documents >"$T/ud.txt" 2>"$T/ud.err"
check "every scan matches an entry (the copy is not listed)" \
    bash -c "test ! -s '$T/ud.txt' && grep -q '^0 archived documents' '$T/ud.err'"

# Re-imports: the same file, the same register in its other forms.
for f in register.csv register-semicolon-bom.csv register-vi.csv; do
	sohoa register import --json "$R/$f" >"$T/again.json" 2>&1
	check "re-importing $f adds nothing" jq -e '.added == 0 and .entries == 15' "$T/again.json"
done

# The same register exported again without its dossier-code column (as
# of 31/12/2025 it holds 11 valid results): each row is the entry already
# held with its number, agency and date, not a new one.  In a copy of the
# office's data, so that what follows still sees register.csv alone.
LATER=(--as-of 2025-12-31)
cp -a "$SOHOA_DATA" "$T/data-nocode"
nocode() { SOHOA_DATA=$T/data-nocode sohoa "$@"; }
valid_total() { nocode report "${LATER[@]}" --json | jq '[.levels[].valid_issued] | add'; }
nocode register import "$R/register.csv" >/dev/null 2>&1
check "before it, the report counts 11 valid results" test "$(valid_total)" -eq 11
nocode register import "$R/register-no-code.csv" >"$T/nocode.out" 2>&1
check "the export without dossier codes imports (exit 0)" test $? -eq 0
check "it says its 15 rows are unchanged, none new" grep -q \
    "15 rows imported: 0 new, 0 updated, 15 unchanged.  The register holds 15 entries, 2 of them matched" "$T/nocode.out"
check "the report still counts 11 valid results, not 19" test "$(valid_total)" -eq 11
check "and the district's two scanned results, matched by dossier code" \
    jq -e '.levels[1].digitized == 2' <(nocode report "${LATER[@]}" --json)

# The other way round, in a register of its own: first without dossier
# codes, then with them, then a change sent without them.
other() { SOHOA_DATA=$T/data2 sohoa "$@"; }
other register import "$R/register-no-code.csv" >"$T/o1.out" 2>&1
check "a register without dossier codes imports its 15 entries" \
    grep -q "15 rows imported: 15 new" "$T/o1.out"
other register import "$R/register.csv" >"$T/o2.out" 2>&1
check "the same with dossier codes updates 11 of them and adds none" \
    grep -q "15 rows imported: 0 new, 11 updated, 4 unchanged.  The register holds 15 entries" "$T/o2.out"
sed 's/^601\/QĐ-UBND,\(.*\),valid$/601\/QĐ-UBND,\1,revoked/' \
    "$R/register-no-code.csv" >"$T/revoked.csv"
other register import "$T/revoked.csv" >"$T/o3.out" 2>&1
check "601/QĐ-UBND revoked, without its dossier code: one entry updated" \
    grep -q "15 rows imported: 0 new, 1 updated, 14 unchanged.  The register holds 15 entries" "$T/o3.out"
check "it is still the entry with its dossier code, now revoked" \
    jq -e '.[] | select(.doc_number == "601/QĐ-UBND") | .status == "revoked" and .dossier_code == "000.00.05.H26-240501-0032"' \
    <(other register unmatched --json 2>/dev/null)
check "and the report counts 10 valid results" test "$(other report "${LATER[@]}" --json | jq '[.levels[].valid_issued] | add')" -eq 10

# One decision for two dossiers: a row without a dossier code could be
# either, so the file is refused and names the row rather than guess.
printf '%s\n' "dossier_code,doc_number,agency_code,level,issued_on,status" \
    "000.11.30.H26-240701-0201,5/QĐ-UBND,000.11.30.H26,commune,2024-07-01,valid" \
    "000.11.30.H26-240701-0202,5/QĐ-UBND,000.11.30.H26,commune,2024-07-01,valid" >"$T/two.csv"
printf '%s\n' "doc_number,agency_code,level,issued_on,status" \
    "5/QĐ-UBND,000.11.30.H26,commune,2024-07-01,revoked" >"$T/which.csv"
other register import "$T/two.csv" >"$T/o4.out" 2>&1
check "two dossiers with one decision are two entries" \
    grep -q "2 rows imported: 2 new.*holds 17 entries" "$T/o4.out"
SOHOA_EXPECT=1 other register import "$T/which.csv" >"$T/o5.out" 2>&1
check "a row without a code that could be either is refused (exit 1)" test $? -eq 1
check "its line is named with both dossier codes" grep -q \
    "which.csv:2: .*000.11.30.H26-240701-0201, 000.11.30.H26-240701-0202" "$T/o5.out"
check "and neither entry was changed" test "$(other register unmatched --json 2>/dev/null | jq '[.[] | select(.doc_number == "5/QĐ-UBND" and .status == "valid")] | length')" -eq 2

# The installation's targets: --config, here a district target of 50 %.
printf '[targets]\ncity = 70%%\ndistrict = 50%%\ncommune = 50%%\n' >"$T/other.conf"
sohoa report "${ASOF[@]}" --config "$T/other.conf" --json >"$T/c.json"
check "--config: the district meets a 50 % target" \
    jq -e '.levels[1] | .target == 0.5 and .met == true and .needed == 0' "$T/c.json"
check_status "--config names a file that must exist" 1 \
    sohoa report --config "$T/nonexistent.conf"
check_status "--level must be a level with a target" 1 sohoa report --level tinh
check_status "--format is checked: a usage error (exit 2)" 2 sohoa report --format pdf

# The HTML in a browser: it renders, and the bars are there in colour.  A
# bar is thousands of pixels of its colour; legend squares and words in
# the table are a few hundred.
colour_pixels() {	# PNG COLOUR: how many pixels have exactly that colour
	convert "$1" -format %c histogram:info:- 2>/dev/null |
	    awk -F: -v c="$2" 'toupper($0) ~ c { n += $1 } END { print n + 0 }'
}
screenshot() {		# HTML PNG
	timeout 60 chromium --headless --no-sandbox --disable-gpu \
	    --disable-background-networking --disable-component-update \
	    --no-first-run --user-data-dir="$(mktemp -d "$T/chromium.XXXXXX")" \
	    --screenshot="$2" --window-size=1200,1600 "file://$1" \
	    >>"$T/chromium.out" 2>&1
}
sohoa report "${ASOF[@]}" --format html -o "$T/red.html"
sohoa report "${ASOF[@]}" --config "$T/other.conf" --format html -o "$T/green.html"
if command -v chromium >/dev/null 2>&1 && command -v convert >/dev/null 2>&1; then
	screenshot "$T/red.html" "$T/red.png"
	screenshot "$T/green.html" "$T/green.png"
	check "headless Chromium renders the HTML report" \
	    bash -c "file '$T/red.png' | grep -q '1200 x 1600'"
	check "below its target, the district's bars are red" \
	    test "$(colour_pixels "$T/red.png" '#C62828')" -gt 4000
	check "meeting its target, they are green" \
	    test "$(colour_pixels "$T/green.png" '#2E7D32')" -gt 4000
	check "the target lines are drawn" \
	    test "$(colour_pixels "$T/green.png" '#1A237E')" -gt 200
else
	for what in "headless Chromium renders the HTML report" \
	    "below its target, the district's bars are red" \
	    "meeting its target, they are green" "the target lines are drawn"; do
		skip "$what" "chromium or ImageMagick is not installed"
	done
fi

# An updated export: 77/GP-UBND revoked, 356/GPXD now with its dossier
# code (one entry still), 88/QĐ-UBND expired, one new result.
sohoa register import --json "$R/register-update.csv" >"$T/upd.json" 2>&1
check "the updated export adds one entry and updates three" \
    jq -e '.added == 1 and .updated == 3 and .unchanged == 1 and .entries == 16' "$T/upd.json"
sohoa report "${ASOF[@]}" --json >"$T/u2.json"
check "its changes show: the district now has 3 valid, 2 digitized, target met" \
    jq -e '.levels[1] | .valid_issued == 3 and .digitized == 2 and .met == true and .needed == 0' "$T/u2.json"
