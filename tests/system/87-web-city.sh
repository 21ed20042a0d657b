#!/usr/bin/env bash
# sohoa-web as the city's console ([web] source = city, issue 13): two
# offices ship into one PostgreSQL, and a console of the city finds the
# records of both (each with its office), shows one as OFFICE:ID, refuses
# a plain number, a download (the scans stay in their offices) and a
# correction (the city reads only) with a sentence, sums both offices in
# its report, writes the web user into the city's access log, and answers
# 503 while PostgreSQL is down, serving again once it is back.
. "$(dirname "$0")/lib.sh"
G=$FIXTURES/good
R=$FIXTURES/register
unset SUDO_USER

if ! start_pg; then
	skip "sohoa-web with source = city" "no PostgreSQL 15 here (initdb not found)"
	exit 0
fi
city_two_offices
# The console reads as one of the city's users, never as an office.
psql -X -q "$ADMIN" -c "CREATE ROLE city_console LOGIN IN ROLE sohoa_reader" >/dev/null
check "the city database is made, with two offices" test \
    "$(psql -X -At "$ADMIN" -c 'SELECT count(*) FROM offices')" -eq 2
check "office A syncs to the city" A sync
check "office B syncs to the city" B sync

# ---- the configuration ----
cat >"$T/bad-source.conf" <<'EOF'
[web]
source = thanh-pho
EOF
SOHOA_DATA=$T/web "$SOHOA_WEB" -c "$T/bad-source.conf" --listen 127.0.0.1:0 \
    >"$T/said" 2>&1
check "source other than office or city: sohoa-web does not start (1)" test $? -eq 1
check "... saying file:line and the two words" bash -c \
    "[ \$(grep -c '' '$T/said') -eq 1 ] && grep -q 'bad-source.conf:2: source is office .* or city' '$T/said'"
printf '[web]\nsource = city\n' >"$T/no-city.conf"
SOHOA_DATA=$T/web "$SOHOA_WEB" -c "$T/no-city.conf" --listen 127.0.0.1:0 \
    >"$T/said" 2>&1
check "source = city without [city]: sohoa-web does not start (1)" test $? -eq 1
check "... saying [city] is needed" bash -c \
    "[ \$(grep -c '' '$T/said') -eq 1 ] && grep -q 'no-city.conf:2: \[web\] source = city needs a \[city\] section' '$T/said'"

# ---- the city's console ----
cat >"$T/web.conf" <<EOF
[web]
source = city

[city]
url = host=$T/pg dbname=city user=city_console
office = thanh-pho
EOF
export SOHOA_CONF=$T/web.conf SOHOA_DATA=$T/web
for u in clerk1:clerk auditor1:auditor staff1:staff; do
	echo "mật-khẩu-${u%%:*}" | sohoa user add "${u%%:*}" --role "${u#*:}" >/dev/null
done
start_web -c "$T/web.conf"
check "sohoa-web starts as the city's console" test -n "$WEB"
check "... and says it reads the city database" grep -q 'records from the city database' "$T/web.log"

req() {
	local user=$1 method=$2 path=$3 body=${4-}
	local args=(-s --path-as-is -o "$T/body" -D "$T/headers" -w '%{http_code}' -X "$method"
	    -b "$T/$user.jar" -c "$T/$user.jar")
	[ -s "$T/$user.csrf" ] && args+=(-H "X-CSRF-Token: $(cat "$T/$user.csrf")")
	[ -n "$body" ] && args+=(-H "Content-Type: application/json" --data-binary "$body")
	curl "${args[@]}" "$WEB$path" >"$T/status"
}
status() { cat "$T/status"; }
login() {
	rm -f "$T/$1.jar" "$T/$1.csrf"
	req "$1" POST /api/login "{\"user\":\"$1\",\"password\":\"mật-khẩu-$1\"}"
	[ "$(status)" = 200 ] && jq -r .csrf "$T/body" >"$T/$1.csrf"
}
# answer STATUS JQ: the last answer had STATUS and its body passes JQ.
answer() {
	[ "$(status)" = "$1" ] && jq -e "$2" "$T/body" >/dev/null ||
	    { echo "status $(status):"; head -c 2000 "$T/body"; return 1; }
}

check "a clerk logs in (the users are the console's own)" login clerk1
login auditor1
login staff1
req clerk1 GET /api/me
check "/api/me says the source is the city" answer 200 '.source == "city"'

req clerk1 GET '/api/search?q=ubnd'
check "a search finds records of both offices, each with its office" answer 200 \
    '(.results | length) >= 2 and all(.results[]; .office == "phuong-a" or .office == "quan-b")'
req clerk1 GET '/api/search?q=nguyen%20thi%20thu%20huong'
check "a record of office A is found" answer 200 '.results[0].office == "phuong-a"'
req clerk1 GET '/api/search?person_id=001323012345'
check "the ID numbers are masked without a purpose" answer 200 \
    '.results[0].id_numbers | index("001******345") != null'
req clerk1 GET '/api/search?person_id=001323012345&reveal=1&purpose=c%E1%BA%A5p%20b%E1%BA%A3n%20sao'
check "... and shown with one" answer 200 '.results[0].id_numbers | index("001323012345") != null'
ID=$(jq '.results[0].id' "$T/body")
req clerk1 GET '/api/search?type=quyet%20dinh'
check "a filter alone finds B's decision" answer 200 'any(.results[]; .office == "quan-b")'
req clerk1 GET '/api/search?q=nguyen&from=31/02/2024'
check "a bad filter is the clerk's to fix: 400" answer 400 '.error | length > 0'
req auditor1 GET '/api/search?q=nguyen'
check "auditors do not search records, as in an office" test "$(status)" = 403

req clerk1 GET "/api/documents/phuong-a:$ID"
check "a record is shown as OFFICE:ID, with its office" answer 200 \
    ".office == \"phuong-a\" and .id == $ID and (.id_numbers | index(\"001******345\") != null)"
req clerk1 GET "/api/documents/phuong-a%3A$ID"
check "... the ':' url-encoded too" answer 200 ".office == \"phuong-a\" and .id == $ID"
req clerk1 GET "/api/documents/$ID"
check "a plain number: 404 saying a city record is OFFICE:ID" answer 404 \
    '.error | test("OFFICE:ID")'
req clerk1 GET "/api/documents/phuong-a:9999"
check "a record no office has: 404" answer 404 '.error | test("there is no document phuong-a:9999")'
req clerk1 GET "/api/documents/nowhere:1"
check "an office the city does not know: 404" answer 404 '.error | test("no office .nowhere.")'
for what in pdf original text; do
	req clerk1 GET "/api/documents/phuong-a:$ID/$what?download=1&purpose=x"
	check "the $what of a city record: 409 naming its office, in Vietnamese and plain words" \
	    answer 409 '.error | test("lưu tại đơn vị phuong-a") and test("stays in its office, phuong-a")'
done
req staff1 POST "/api/documents/phuong-a:$ID/corrections" '{"fields":{"doc_number":"1"}}'
check "a correction: 403, the city reads only" answer 403 '.error | test("read only")'

req auditor1 GET /api/report
check "the report sums both offices' registers" answer 200 \
    ".city == true and .register_entries == $(jq .register_entries "$T/a-report.json") + $(jq .register_entries "$T/b-report.json")"
check "... one row per office and agency, saying its office" jq -e \
    'all(.offices[]; .office == "phuong-a" or .office == "quan-b") and
     any(.offices[]; .office == "quan-b")' "$T/body"
req auditor1 GET /api/report.csv
check "the report as CSV has the office column" bash -c \
    "[ \$(cat '$T/status') = 200 ] && grep -q 'office,level' '$T/body'"
req auditor1 GET '/api/report?as_of=yesterday'
check "a bad date in the report: 400" answer 400 '.error | length > 0'

psql -X -At "$ADMIN" -c "SELECT office, who, via, action, coalesce(document, '')
    FROM access_log ORDER BY id" >"$T/log"
check "the city's access log has the clerk's searches, via the web" \
    grep -q '^thanh-pho|clerk1|web|search|$' "$T/log"
check "... the show, with OFFICE:ID" grep -qxF "thanh-pho|clerk1|web|show|phuong-a:$ID" "$T/log"
check "... the auditor's report" grep -qxF "thanh-pho|auditor1|web|report|" "$T/log"
check "... and the purpose given" test "$(psql -X -At "$ADMIN" -c \
    "SELECT count(*) FROM access_log WHERE purpose = 'cấp bản sao'")" -ge 1

# ---- the pages, when a browser is here (81-web-browser.sh's) ----
BR=$SOHOA_SRCDIR/tests/browser
if [ -x /usr/bin/chromium ] && command -v node >/dev/null &&
    [ -d "$BR/node_modules/puppeteer-core" ]; then
	node "$BR/city.mjs" "$WEB" >"$T/browser.tap" 2>"$T/browser.err"
	st=$?
	while IFS= read -r l; do
		case $l in
		"ok "*) ok "chromium: ${l#* - }" ;;
		"not ok "*) not_ok "chromium: ${l#* - }" ;;
		"#"*) echo "$l" ;;
		esac
	done <"$T/browser.tap"
	sed 's/^/#   /' "$T/browser.err" | head -20
	check "the browser walk of the city console ends well" test "$st" -eq 0
else
	skip "the city console in chromium" "chromium, node or tests/browser/node_modules missing"
fi

# ---- PostgreSQL down, then back ----
stop_pg
req clerk1 GET '/api/search?q=ubnd'
check "PostgreSQL down: a search gets 503 and a sentence" answer 503 \
    '.error | test("city database cannot be reached")'
req clerk1 GET "/api/documents/phuong-a:$ID"
check "... a record too" test "$(status)" = 503
req auditor1 GET /api/report
check "... the report too" test "$(status)" = 503
check "sohoa-web is still running" kill -0 "$WPID"
req clerk1 GET /api/me
check "... and still serves its sessions" answer 200 '.user == "clerk1"'
pg_ctl_start
req clerk1 GET '/api/search?q=ubnd'
check "PostgreSQL back: the search works again" answer 200 '(.results | length) >= 2'
# Each of the server's threads had its own link: ask enough times that
# every thread has found its broken one and opened a new.
for i in $(seq 1 16); do
	req clerk1 GET "/api/documents/phuong-a:$ID"
	[ "$(status)" = 200 ] || break
done
check "... and so does every thread's link" answer 200 ".office == \"phuong-a\""
stop_web
check "sohoa-web stops cleanly on SIGTERM" test "$WEB_STATUS" -eq 0

echo "1..$tap_n"
