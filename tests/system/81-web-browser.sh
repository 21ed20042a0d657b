#!/usr/bin/env bash
# The console in a real browser: Debian's chromium, headless, driven by
# puppeteer-core (tests/browser/console.mjs) through each role's pages,
# with the screenshots kept in build/test-artifacts/screenshots/.
. "$(dirname "$0")/lib.sh"
G=$FIXTURES/good
R=$FIXTURES/register
B=$SOHOA_SRCDIR/tests/browser
unset SUDO_USER
export SOHOA_CONF=$T/sohoa.conf
printf '[sohoa]\nprofiles = %s\n[targets]\ncity = 70%%\ndistrict = 60%%\ncommune = 50%%\n' \
    "$T/no-profiles" >"$SOHOA_CONF"

if ! [ -x /usr/bin/chromium ] || ! command -v node >/dev/null ||
    ! [ -d "$B/node_modules/puppeteer-core" ]; then
	skip "the console in chromium" "chromium, node or tests/browser/node_modules missing (scripts/install-deps)"
	exit 0
fi

sohoa ingest --json --jobs 2 "$G/birth-extract.g4.tif" \
    "$G/business-household.rgb-jpeg.tif" "$G/decision.grey-lzw.tif" \
    >"$T/ingest.json" 2>"$T/ingest.err"
check "three scans are ingested" test "$(jq -s length "$T/ingest.json")" -eq 3
sohoa register import --json "$R/register.csv" >"$T/import.json" 2>&1
check "the register imports, so the report has rates" jq -e '.added == 15' "$T/import.json"
for u in clerk1:clerk staff1:staff auditor1:auditor admin1:admin; do
	echo "mật-khẩu-${u%%:*}" | sohoa user add "${u%%:*}" --role "${u#*:}" >/dev/null
done
check "a user for each role" test "$(sohoa user list --json | jq length)" -eq 4

start_web
check "sohoa-web starts" test -n "$WEB"

art=${SOHOA_ARTIFACTS:-$SOHOA_SRCDIR/build/test-artifacts}/screenshots
rm -rf "$art"
# console.mjs's own TAP lines become ours, numbered on from here.
SOHOA_ARTIFACTS=$art node "$B/console.mjs" "$WEB" >"$T/browser.tap" 2>"$T/browser.err"
st=$?
while IFS= read -r l; do
	case $l in
	"ok "*) ok "chromium: ${l#* - }" ;;
	"not ok "*) not_ok "chromium: ${l#* - }" ;;
	"#"*) echo "$l" ;;
	esac
done <"$T/browser.tap"
sed 's/^/#   /' "$T/browser.err" | head -20
check "the browser walk ends well" test "$st" -eq 0
check "a screenshot of each page" test "$(ls "$art"/*.png 2>/dev/null | wc -l)" -ge 6
stop_web
