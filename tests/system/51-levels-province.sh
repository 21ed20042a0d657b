#!/usr/bin/env bash
# An installation of two tiers (since 1 July 2025): sohoa.conf names the
# levels province and commune only, and says the former districts'
# results count under province.  Profiles (ingest, reindex, sohoad -n),
# search, the register and the report take those levels and refuse the
# others in one plain line that names them.
. "$(dirname "$0")/lib.sh"
G=$FIXTURES/good
# check_status leaves what the refused command said in $T/check.out, which
# the next check writes over: it is copied to $T/said first.
ASOF=(--as-of 2025-09-30)

mkdir "$T/profiles"
cat >"$T/sohoa.conf" <<CONF
[sohoa]
profiles = $T/profiles

[targets]
province = 70%
commune = 50%
CONF
export SOHOA_CONF=$T/sohoa.conf
mkprofile() {	# FILE NAME AGENCY_CODE AGENCY_NAME LEVEL
	printf '[profile]\nname = %s\nagency_code = %s\nagency_name = %s\nlevel = %s\n' \
	    "$2" "$3" "$4" "$5" >"$1"
}
mkprofile "$T/profiles/tinh.conf" so-tu-phap 000.00.12.H26 "Sở Tư pháp thành phố Hà Nội" province
mkprofile "$T/profiles/huyen.conf" quan-cau-giay 000.00.05.H26 "UBND quận Cầu Giấy" district
mkprofile "$T/city.conf" old-city 000.00.12.H26 "Sở Tư pháp" city
cat >"$T/register.csv" <<'CSV'
doc_number,agency_code,agency_name,level,issued_on,valid_until,status
15/QĐ-STP,000.00.12.H26,Sở Tư pháp thành phố Hà Nội,Tỉnh,2024-01-02,,valid
27/QĐ-STP,000.00.12.H26,Sở Tư pháp thành phố Hà Nội,Cấp tỉnh,2024-02-10,,valid
356/GPXD,000.00.05.H26,UBND quận Cầu Giấy,Huyện,2023-11-08,2026-11-08,valid
601/QĐ-UBND,000.00.05.H26,UBND quận Cầu Giấy,Quận,2024-05-01,,valid
77/GP-UBND,000.00.05.H26,UBND quận Cầu Giấy,cấp huyện,2024-06-12,2029-06-12,valid
88/QĐ-UBND,000.11.30.H26,UBND phường Dịch Vọng Hậu,Xã,2024-06-20,,valid
12/GCN-UBND,000.11.30.H26,UBND phường Dịch Vọng Hậu,Phường,2025-01-10,,valid
CSV

# Before sohoa.conf says where former districts go, their results have
# no level: refused, with the levels there are.
check_status "a profile with level = district is refused (exit 1)" 1 \
    sohoa ingest --profile "$T/profiles/huyen.conf" "$G/building-permit.grey.png"
cp "$T/check.out" "$T/said"
check "it names the file, the line and the levels of sohoa.conf" grep -qxF \
    "sohoa: $T/profiles/huyen.conf:5: level must be province or commune (the levels of $T/sohoa.conf), not 'district'" \
    "$T/said"
check_status "a register with huyện rows is refused (exit 1)" 1 \
    sohoa register import "$T/register.csv"
cp "$T/check.out" "$T/said"
check "each huyện row is named with the levels there are" bash -c \
    "grep -c \"level '.*' is not one of the levels .*(province, commune)\" '$T/said' | grep -qx 3"

cat >>"$T/sohoa.conf" <<'CONF'

[levels]
# the results of the districts abolished on 1 July 2025
former_district = province
CONF

small_scan "$T/strip.png"
check "a profile with level = province ingests" \
    sohoa ingest --profile "$T/profiles/tinh.conf" "$T/strip.png"
check_status "a profile with level = city is refused (exit 1)" 1 \
    sohoa ingest --profile "$T/city.conf" "$T/strip.png"
cp "$T/check.out" "$T/said"
check "in one line that names the levels" bash -c "grep -c . '$T/said' | grep -qx 1 && \
    grep -q \"city.conf:5: level must be province or commune (the levels of .*), not 'city'\" '$T/said'"
check "a former district's profile ingests" \
    sohoa ingest --profile "$T/profiles/huyen.conf" "$G/building-permit.grey.png"
check "its record counts under province" bash -c \
    "'$SOHOA' search --json --agency 000.00.05.H26 | jq -e 'length == 1 and .[0].level == \"province\"'"

# reindex reads each document again with its profile from the profiles
# folder, which it loads with the levels of sohoa.conf too.
sohoa reindex >"$T/reindex.out" 2>"$T/reindex.err"
check "reindex runs" test $? -eq 0
check "and finds the province's profiles (none read with the built-in one)" \
    bash -c "! grep -q 'built-in' '$T/reindex.err'"
check "the former district's record keeps its office's name" bash -c \
    "'$SOHOA' search --json --agency 000.00.05.H26 | jq -e '.[0].agency_name == \"UBND quận Cầu Giấy\"'"

sohoa register import --json "$T/register.csv" >"$T/import.json" 2>&1
check "the register with tỉnh, huyện, quận, xã and phường rows imports" \
    jq -e '.added == 7 and .digitized == 1' "$T/import.json"

# As of 30/09/2025: province 2 + 3 former-district results valid, 1 scanned
# (356/GPXD): 20 %, needs ceil(0.7 x 5) - 1 = 3; commune 2 valid, needs 1.
sohoa report "${ASOF[@]}" --json >"$T/r.json"
check "the report has the province and commune levels only, in that order" \
    jq -e '[.levels[].level] == ["province", "commune"]' "$T/r.json"
check "province counts the former district's results: 5 valid, 1 digitized, needs 3" \
    jq -e '.levels[0] | .valid_issued == 5 and .digitized == 1 and .rate == 0.2 and .target == 0.7 and .needed == 3' "$T/r.json"
check "commune: 2 valid, needs 1" \
    jq -e '.levels[1] | .valid_issued == 2 and .digitized == 0 and .target == 0.5 and .needed == 1' "$T/r.json"
check "the former district's office has the province target" \
    jq -e '.offices[] | select(.agency_code == "000.00.05.H26") | .level == "province" and .target == 0.7 and .valid_issued == 3' "$T/r.json"
sohoa report "${ASOF[@]}" >"$T/r.txt"
check "the table shows the same province figures" \
    grep -q "^province        5          1   20.0%     70%   no       3$" "$T/r.txt"
check "and no district row" bash -c "! grep -q '^district' '$T/r.txt'"
check "report --level province runs" sohoa report "${ASOF[@]}" --level province
check_status "report --level district is refused (exit 1)" 1 \
    sohoa report --level district

check "search --level province finds the province's and the former district's scans" \
    bash -c "'$SOHOA' search --json --level province | jq -e 'length == 2'"
check_status "search --level district is refused (exit 1)" 1 \
    sohoa search --level district
cp "$T/check.out" "$T/said"
check "in one line that names the levels" grep -qxF \
    "sohoa: search: the level is province or commune, not 'district'" "$T/said"

# The register's words, as sohoa.conf gives them: "đặc khu" is a commune.
printf '%s\n' "doc_number,agency_code,level,issued_on,status" \
    "5/QĐ-UBND,000.11.99.H26,Đặc khu,2025-08-01,valid" >"$T/dac-khu.csv"
check_status "without it, đặc khu is no level (exit 1)" 1 \
    sohoa register import "$T/dac-khu.csv"
printf 'commune = xã, phường, thị trấn, đặc khu\n' >>"$T/sohoa.conf"
check "with commune = ..., đặc khu imports" sohoa register import "$T/dac-khu.csv"
check "and counts under commune" \
    jq -e '.levels[1].valid_issued == 3' <(sohoa report "${ASOF[@]}" --json)

# The daemon checks its profiles against its sohoa.conf.
mkdir -p "$T/daemon" "$T/in" "$T/q"
printf '[profile]\nname = tinh\nagency_code = H26\nagency_name = Tỉnh\nlevel = %s\ninbox = %s\nquarantine = %s\n' \
    province "$T/in" "$T/q" >"$T/daemon/tinh.conf"
check "sohoad -n takes a profile with level = province" bash -c \
    "set -o pipefail; '$SOHOAD' -n -c '$T/sohoa.conf' --profiles '$T/daemon' | grep -qx 'configuration OK'"
sed -i 's/^level = province$/level = city/' "$T/daemon/tinh.conf"
"$SOHOAD" -n -c "$T/sohoa.conf" --profiles "$T/daemon" >"$T/n.out" 2>&1
check "and refuses one with level = city (exit 1)" test $? -eq 1
check "naming the file, the line and the levels" grep -q \
    "$T/daemon/tinh.conf:5: level must be province or commune (the levels of $T/sohoa.conf), not 'city'" "$T/n.out"

# Mistakes in [levels] name the file and line.
printf '[targets]\nprovince = 70%%\ncommune = 50%%\n\n[levels]\nformer_district = district\n' >"$T/bad.conf"
check_status "former_district must name a level of [targets]" 1 \
    sohoa report --config "$T/bad.conf"
cp "$T/check.out" "$T/said"
check "said with file and line" grep -q "bad.conf:6: former_district must name one of the levels of \[targets\] (province, commune), not 'district'" "$T/said"
end_checks
