#!/usr/bin/env bash
# sohoa-web as clerks, records staff, auditors and admins meet it, and as a
# careless or hostile client does: the role matrix, logins and guessing,
# CSRF, masked ID numbers shown only with a purpose, the PDF byte for byte
# as `sohoa get` gives it, bad input of every kind answered 4xx while the
# server keeps serving, and every act in the access log.
. "$(dirname "$0")/lib.sh"
G=$FIXTURES/good
unset SUDO_USER
export SOHOA_CONF=$T/sohoa.conf
printf '[sohoa]\nprofiles = %s\n' "$T/no-profiles" >"$SOHOA_CONF"

sohoa ingest --json --jobs 2 "$G/birth-extract.g4.tif" \
    "$G/business-household.rgb-jpeg.tif" >"$T/ingest.json" 2>"$T/ingest.err"
check "two scans are ingested" test "$(jq -s length "$T/ingest.json")" -eq 2
birth=$(jq -rs '.[] | select(.source_name=="birth-extract.g4.tif") | .id' "$T/ingest.json")

for u in clerk1:clerk clerk2:clerk staff1:staff auditor1:auditor admin1:admin guess1:clerk; do
	echo "mật-khẩu-${u%%:*}" | sohoa user add "${u%%:*}" --role "${u#*:}" >/dev/null
done
check "six users are made from the command line" \
    test "$(sohoa user list --json | jq length)" -eq 6

start_web
check "sohoa-web starts and says which port it took" test -n "$WEB"

# req USER METHOD PATH [BODY [CONTENT-TYPE]]: the answer's body in $T/body,
# its status in $T/status, headers in $T/headers.  USER "-" has no cookie.
req() {
	local user=$1 method=$2 path=$3 body=${4-} type=${5:-application/json}
	local args=(-s --path-as-is -o "$T/body" -D "$T/headers" -w '%{http_code}' -X "$method")
	if [ "$user" != - ]; then
		args+=(-b "$T/$user.jar" -c "$T/$user.jar")
		[ -s "$T/$user.csrf" ] && args+=(-H "X-CSRF-Token: $(cat "$T/$user.csrf")")
	fi
	[ -n "$body" ] && args+=(-H "Content-Type: $type" --data-binary "$body")
	curl "${args[@]}" "$WEB$path" >"$T/status"
}
status() { cat "$T/status"; }
login() {
	rm -f "$T/$1.jar" "$T/$1.csrf"
	req "$1" POST /api/login "{\"user\":\"$1\",\"password\":\"${2:-mật-khẩu-$1}\"}"
	[ "$(status)" = 200 ] && jq -r .csrf "$T/body" >"$T/$1.csrf"
}

check "a clerk logs in" login clerk1
check "the answer names the user, the role and a CSRF token" \
    test "$(jq -r '.user + " " + .role + " " + (.csrf | length | tostring)' "$T/body")" = "clerk1 clerk 64"
check "the session cookie is HttpOnly and SameSite=Strict" \
    grep -qi '^set-cookie: sohoa_session=[0-9a-f]\{64\}; Path=/; HttpOnly; SameSite=Strict' "$T/headers"
for u in clerk2 staff1 auditor1 admin1; do login $u; done
check "the other roles log in" test -s "$T/admin1.csrf" -a -s "$T/auditor1.csrf" -a -s "$T/staff1.csrf"

req - POST /api/login '{"user":"clerk1","password":"sai-mật-khẩu"}'
check "a wrong password gets 401 and a plain sentence" \
    test "$(status) $(jq -r .error "$T/body")" = "401 wrong user name or password"
req - GET '/api/search?q=nguyen'
check "the API without a session gets 401" test "$(status)" = 401
req - GET /tra-cuu
check "a page without a session goes to the login page" \
    grep -qi '^location: /dang-nhap?next=/tra-cuu' "$T/headers"
req - GET /dang-nhap
check "the login page is served in Vietnamese" grep -q 'Đăng nhập' "$T/body"
curl -s -H 'Accept-Language: en-GB,en;q=0.9,vi;q=0.5' "$WEB/dang-nhap" >"$T/en.html"
check "and in English when the browser asks for it" \
    sh -c "grep -q 'Log in' '$T/en.html' && ! grep -q 'Đăng nhập' '$T/en.html'"

# ---- the role matrix ----
matrix_row() {
	local path=$1 want=$2 got="" u
	for u in clerk1 staff1 auditor1 admin1; do
		req $u GET "$path"
		got="$got $(status)"
	done
	[ "$got" = " $want" ] || { echo "# $path: got$got, want $want"; return 1; }
}
check "search: clerks, staff, admins" matrix_row '/api/search?q=nguyen' "200 200 403 200"
check "a record: clerks, staff, admins" matrix_row "/api/documents/$birth" "200 200 403 200"
check "the scanners' status: staff and admins" matrix_row /api/status "403 200 403 200"
check "the quarantine: staff and admins" matrix_row /api/quarantine "403 200 403 200"
check "the report: auditors and admins" matrix_row /api/report "403 403 200 200"
check "the access log: admins" matrix_row /api/log "403 403 403 200"
check "the users: admins" matrix_row /api/users "403 403 403 200"
check "the page Tra cứu" matrix_row /tra-cuu "200 200 403 200"
check "the page Máy quét" matrix_row /may-quet "403 200 403 200"
check "the page Báo cáo" matrix_row /bao-cao "403 403 200 200"
check "the page Quản trị" matrix_row /quan-tri "403 403 403 200"

# ---- search, masking, purpose ----
req clerk1 GET '/api/search?q=nguyen%20van'
check "a name typed without diacritics finds the birth extract" \
    test "$(jq -r '.results[0].source_name' "$T/body")" = birth-extract.g4.tif
check "ID numbers are masked in the results" \
    test "$(jq -r '.results[0].id_numbers[0]' "$T/body")" = '001******345'
check "and in the snippet's digits" sh -c "! grep -q 001323012345 '$T/body'"
req clerk1 GET "/api/search?q=nguyen%20van&reveal=1"
check "showing full ID numbers without a purpose is refused with 400" test "$(status)" = 400
req clerk1 GET "/api/search?q=nguyen%20van&reveal=1&purpose=x%C3%A1c%20minh%20h%E1%BB%93%20s%C6%A1%20123"
check "with a purpose the full number is shown" \
    test "$(jq -r '.results[0].id_numbers[0]' "$T/body")" = 001323012345
req clerk1 GET "/api/documents/$birth"
check "a record shows its fields, masked" \
    test "$(jq -r '.doc_type + " " + .id_numbers[0]' "$T/body")" = "$(sohoa show --json "$birth" | jq -r .doc_type) 001******345"
req clerk1 GET "/api/documents/$birth?reveal=1&purpose=%C4%91%E1%BB%91i%20chi%E1%BA%BFu"
check "and in full with a purpose" test "$(jq -r '.id_numbers[0]' "$T/body")" = 001323012345

# ---- the PDF and the original ----
sohoa get "$birth" --pdf -o "$T/cli.pdf"
req clerk1 GET "/api/documents/$birth/pdf"
check "the PDF shown in the page is the archived one, byte for byte" cmp -s "$T/body" "$T/cli.pdf"
check "shown inline, as a PDF" sh -c "grep -qi '^content-type: application/pdf' '$T/headers' && grep -qi '^content-disposition: inline' '$T/headers'"
req clerk1 GET "/api/documents/$birth/pdf?download=1"
check "downloading without a purpose gets 400" test "$(status)" = 400
req clerk1 GET "/api/documents/$birth/pdf?download=1&purpose=l%C6%B0u%20h%E1%BB%93%20s%C6%A1"
check "downloading with a purpose gives the same bytes as an attachment" \
    sh -c "cmp -s '$T/body' '$T/cli.pdf' && grep -qi '^content-disposition: attachment' '$T/headers'"
sohoa get "$birth" --original -o "$T/cli.orig"
req clerk1 GET "/api/documents/$birth/original?purpose=so%20s%C3%A1nh"
check "the original comes out as it was scanned" cmp -s "$T/body" "$T/cli.orig"
req clerk1 GET "/api/documents/$birth/secret"
check "a part a package has not gets 404" test "$(status)" = 404
# A package altered on disk: its PDF no longer what the manifest says.
other=$(jq -rs '.[] | select(.source_name!="birth-extract.g4.tif") | .id' "$T/ingest.json")
pkg=$SOHOA_DATA/$(sohoa show --json "$other" | jq -r .archive)
cp -p "$pkg" "$T/pkg.kept"
mkdir "$T/bag" && bsdtar -xf "$pkg" -C "$T/bag"
printf 'altered' >>"$(find "$T/bag" -name document.pdf)"
(cd "$T/bag" && bsdtar -cf "$pkg" ./*)
req clerk1 GET "/api/documents/$other/pdf"
check "an altered package gets 500 and says the PDF does not match" \
    sh -c "test \"\$(cat '$T/status')\" = 500 && jq -r .error '$T/body' | grep -q 'does not match its checksum'"
check "and no copy of it is left in the data folder" \
    test -z "$(find "$SOHOA_DATA" -maxdepth 1 -name '.sohoa-web-*')"
cp -p "$T/pkg.kept" "$pkg"

# ---- CSRF and corrections ----
mv "$T/staff1.csrf" "$T/staff1.csrf.kept"
req staff1 POST "/api/documents/$birth/corrections" '{"fields":{"doc_number":"99/GKS"}}'
check "a correction without the CSRF token is refused with 403" test "$(status)" = 403
echo 0000000000000000000000000000000000000000000000000000000000000000 >"$T/staff1.csrf"
req staff1 POST "/api/documents/$birth/corrections" '{"fields":{"doc_number":"99/GKS"}}'
check "and with a wrong one" test "$(status)" = 403
mv "$T/staff1.csrf.kept" "$T/staff1.csrf"
req staff1 POST "/api/documents/$birth/corrections" '{"fields":{"doc_number":"99/GKS"}}'
check "with its token staff correct a field" test "$(status)" = 200
check "the correction is the record's, as sohoa show says" \
    test "$(sohoa show --json "$birth" | jq -r '.doc_number + " " + .corrections[-1].who')" = "99/GKS staff1"
req clerk1 POST "/api/documents/$birth/corrections" '{"fields":{"doc_number":"1/X"}}'
check "a clerk may not correct" test "$(status)" = 403
req staff1 POST "/api/documents/$birth/corrections" '{"fields":{"issued_on":"31/02/2024"}}'
check "an impossible date is refused with its reason" \
    sh -c "test \"\$(cat '$T/status')\" = 400 && jq -e '.error | test(\"date\")' '$T/body' >/dev/null"

# ---- bad input ----
still_serving() { req clerk1 GET /api/me; test "$(status)" = 200; }
req staff1 POST "/api/documents/$birth/corrections" '{"fields":'
check "malformed JSON gets 400" test "$(status)" = 400
head -c 70000 /dev/zero | tr '\0' a >"$T/big"
req staff1 POST "/api/documents/$birth/corrections" "@$T/big"
check "a body over the cap gets 413" test "$(status)" = 413
req staff1 POST "/api/documents/$birth/corrections" 'doc_number=1' application/x-www-form-urlencoded
check "a form that is not JSON gets 415" test "$(status)" = 415
req clerk1 GET /api/documents/abc
check "an ID that is not a number gets 404" test "$(status)" = 404
req clerk1 GET /api/documents/99999
check "a record that does not exist gets 404" test "$(status)" = 404
req clerk1 GET /static/../../../etc/passwd
check "../ in a path gets 404, no file" sh -c "test \"\$(cat '$T/status')\" = 404 && ! grep -q root: '$T/body'"
req clerk1 GET "/api/documents/$birth/../../../etc/passwd"
check "../ after a record too" sh -c "test \"\$(cat '$T/status')\" -ge 400 && test \"\$(cat '$T/status')\" -lt 500"
req clerk1 GET '/api/search?q=%ff%fe'
check "a query that is not UTF-8 gets 400" test "$(status)" = 400
req clerk1 GET '/api/search?q=nguyen%00van'
check "a NUL in a query gets 400" test "$(status)" = 400
# The cookie by hand: curl leaves a request of this size unfinished when
# it takes the cookie from its jar.
long=$(head -c 100000 /dev/zero | tr '\0' a)
cookie="Cookie: sohoa_session=$(awk '$6 == "sohoa_session" {print $7}' "$T/clerk1.jar")"
curl -s -o "$T/body" -w '%{http_code}' -H "$cookie" "$WEB/api/search?q=$long" >"$T/status"
check "a query of 100 kB with the session gets 400 and a sentence" \
    test "$(status) $(jq -r .error "$T/body")" = "400 q is longer than 1000 bytes"
long=$long$long$long
python3 - "${WEB#http://}" "$cookie" >"$T/status" <<'PY'
import socket, sys
host, port = sys.argv[1].split(':')
s = socket.create_connection((host, int(port)))
s.sendall(b'GET /api/search?q=' + b'a' * 300000 + b' HTTP/1.1\r\nHost: x\r\n' +
    sys.argv[2].encode() + b'\r\nConnection: close\r\n\r\n')
answer = b''
while True:
    b = s.recv(65536)
    if not b:
        break
    answer += b
print(answer.split(b' ')[1].decode() if answer else '000', end='')
PY
check "a URL of 300 kB gets libmicrohttpd's 414" test "$(status)" = 414
req clerk1 GET "/api/search?q=${long:0:2000}"
check "a query over 1000 bytes gets 400 and a sentence" \
    test "$(status) $(jq -r .error "$T/body")" = "400 q is longer than 1000 bytes"
fts_ok=1
for q in '%22nguyen' 'nguy*' 'NEAR(nguyen%20van)' 'people:nguyen' '%22%22%22' '*' 'AND' '(' 'a%20OR' '^van' '-nguyen'; do
	req clerk1 GET "/api/search?q=$q"
	s=$(status)
	if [ "$s" != 200 ] && [ "$s" != 400 ]; then echo "# q=$q: $s"; fts_ok=0; fi
	if grep -qi 'sqlite\|fts5\|syntax error\|SELECT' "$T/body"; then echo "# q=$q: $(cat "$T/body")"; fts_ok=0; fi
done
check "FTS5 syntax gets 200 or 400, never SQL text" test $fts_ok = 1
check "sohoa-web still serves after all that" still_serving
req clerk1 DELETE /api/users
check "a method the API does not take gets 405" test "$(status)" = 405

# ---- guessing ----
for i in 1 2 3 4 5; do req - POST /api/login '{"user":"guess1","password":"sai"}'; done
check "five wrong passwords for a user end in 429" test "$(status)" = 429
req - POST /api/login '{"user":"guess1","password":"mật-khẩu-guess1"}'
check "then even the right password is refused for a while" test "$(status)" = 429
check "another clerk at the same address still logs in" login clerk1
sohoa log --json --limit 1000 >"$T/log.json"
check "each wrong password is in the access log, with the address" \
    test "$(jq '[.[] | select(.action=="login-failed" and .address=="127.0.0.1")] | length' "$T/log.json")" -ge 6

# ---- disabled users, logout ----
req admin1 POST /api/users/clerk2/disable
check "an admin disables a user" test "$(status)" = 200
req clerk2 GET /api/me
check "the disabled user's session is refused at once" test "$(status)" = 401
req clerk1 POST /api/logout
check "logging out" test "$(status)" = 200
req clerk1 GET /api/me
check "ends the session" test "$(status)" = 401
login clerk1
echo 'mật-khẩu-mới-auditor1' | sohoa user passwd auditor1 >/dev/null
req auditor1 GET /api/me
check "a new password ends the sessions opened with the old one" test "$(status)" = 401
check "and the new password logs in" login auditor1 'mật-khẩu-mới-auditor1'

# ---- report, status, log ----
req auditor1 GET /api/report
sohoa report --format json >"$T/cli-report.json"
check "the report is sohoa report's JSON" \
    test "$(jq -S 'del(.generated_at)' "$T/body")" = "$(jq -S 'del(.generated_at)' "$T/cli-report.json")"
req auditor1 GET /api/report.csv
check "the report's CSV starts with the UTF-8 BOM" test "$(head -c 3 "$T/body" | od -An -tx1 | tr -d ' ')" = efbbbf
req auditor1 GET '/api/report?as_of=30/02/2025'
check "a bad date in the report gets 400" test "$(status)" = 400
req staff1 GET /api/status
check "the status is sohoa status's JSON" \
    test "$(jq -c 'keys' "$T/body")" = "$(SOHOA_EXPECT=1 sohoa status --json | jq -c keys)"
req admin1 GET '/api/log?user=clerk1&action=get'
check "the access log filters by user and action" \
    test "$(jq '[.entries[] | select(.who != "clerk1" or .action != "get")] | length' "$T/body")" -eq 0 -a "$(jq '.entries | length' "$T/body")" -ge 2
req admin1 GET /api/log.csv
check "the access log's CSV for Excel" test "$(head -c 3 "$T/body" | od -An -tx1 | tr -d ' ')" = efbbbf
sohoa log --json --limit 1000 >"$T/log.json"
check "the reveal is logged with its purpose and the clerk" \
    test "$(jq '[.[] | select(.via=="web" and .who=="clerk1" and .purpose=="đối chiếu")] | length' "$T/log.json")" -ge 1
check "the download with its purpose" \
    test "$(jq -r '[.[] | select(.action=="get" and .who=="clerk1")][-1].purpose' "$T/log.json")" = "lưu hồ sơ"
check "logins, logouts and the correction" \
    test "$(jq -r '[.[] | select(.via=="web") | .action] | unique | join(" ")' "$T/log.json" | grep -o 'correct\|login\|logout' | sort -u | tr '\n' ' ')" = "correct login logout "
check "searches as the web user" \
    test "$(jq '[.[] | select(.action=="search" and .who=="clerk1" and .via=="web")] | length' "$T/log.json")" -ge 2

# Many searches at once, from two users with two purposes: the entries are
# written together (web_log.c), and each keeps its own user and purpose.
burst() {
	local i pids=()
	for i in $(seq 1 12); do
		curl -s -o /dev/null -w '%{http_code}\n' -b "$T/clerk1.jar" \
		    "$WEB/api/search?q=burst-clerk-$i&reveal=1&purpose=tra%20soat%20$i" >>"$T/burst" &
		pids+=($!)
		curl -s -o /dev/null -w '%{http_code}\n' -b "$T/staff1.jar" \
		    "$WEB/api/search?q=burst-staff-$i" >>"$T/burst" &
		pids+=($!)
	done
	wait "${pids[@]}"
}
burst
check "24 searches at once are all answered" test "$(grep -c '^200$' "$T/burst")" -eq 24
sohoa log --json --limit 1000 >"$T/log.json"
check "each is in the access log once, with its own user and purpose" \
    test "$(jq '[.[] | select(.action=="search" and (.query // "" | startswith("burst-")))
      | select((.query | startswith("burst-clerk-")) and .who=="clerk1" and .purpose==("tra soat " + (.query | ltrimstr("burst-clerk-")))
            or (.query | startswith("burst-staff-")) and .who=="staff1" and .purpose==null)] | length' "$T/log.json")" -eq 24 \
      -a "$(jq '[.[] | select(.action=="search" and (.query // "" | startswith("burst-")))] | length' "$T/log.json")" -eq 24

# A busy office: ten thousand entries of others after the clerk's.
sqlite3 "$SOHOA_DATA/sohoa.db" "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10050) INSERT INTO access_log(at, who, action, via) SELECT strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), 'filler', 'list', 'cli' FROM c"
req admin1 GET '/api/log?user=clerk1&action=get'
check "the filters reach entries older than the newest ten thousand" \
    test "$(jq '.entries | length' "$T/body")" -ge 2

# ---- a quarantined scan put back ----
make_profile inbox1
start_daemon
cp "$FIXTURES/bad/not-an-image.tif" "$T/inbox/inbox1/hỏng.tif"
wait_for 30 sh -c "test -f '$T/quarantine/inbox1/hỏng.tif'"
req staff1 GET /api/quarantine
check "the quarantine lists the bad scan with its reason" \
    test "$(jq -r '.items[0].name + ": " + (.items[0].reason | length > 0 | tostring)' "$T/body")" = "hỏng.tif: true"
qid=$(jq -r '.items[0].id' "$T/body")
req staff1 POST "/api/quarantine/$qid/requeue"
check "staff put it back in the queue" test "$(status)" = 200
check "sohoad reads it again and sets it aside again" \
    wait_for 30 sh -c "test -f '$T/quarantine/inbox1/hỏng.tif' && ! test -f '$T/inbox/inbox1/hỏng.tif'"
req staff1 POST "/api/quarantine/$qid/requeue"
check "the old job is gone: 404" test "$(status)" = 404
stop_daemon
stop_web
check "sohoa-web stops on SIGTERM with status 0" test "$WEB_STATUS" = 0
