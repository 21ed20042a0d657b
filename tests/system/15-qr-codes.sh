#!/usr/bin/env bash
# A result with the QR code Thông tư 01/2023 puts at its top left: the
# dossier code comes from the QR even where the printed one differs (a
# slip, a smudge), and the disagreement is kept as evidence; a QR holding
# only the office's web address gives no dossier code; the raw payloads
# are in the package's metadata.json.
. "$(dirname "$0")/lib.sh"
G=$FIXTURES/good
QR_CODE=000.23.11.H26-240316-0042
PRINTED=000.23.11.H26-240315-0017

if ! command -v qrencode >/dev/null; then
	skip "QR pages ingest" "qrencode is not installed"
	echo "1..$tap_n"
	exit 0
fi

# qr_page OUT PAYLOAD: the decision with room above its header for a
# 2 cm QR at the top left (300 dpi), as the procedure systems print it.
qr_page() {
	qrencode -l M -m 0 -s 4 -o "$T/q.png" "$2" &&
	convert "$G/decision.grey-lzw.tif" -background white -gravity north \
	    -splice 0x320 -gravity northwest \
	    \( "$T/q.png" -filter point -resize 236x236 \) -geometry +110+40 \
	    -composite -colorspace gray -alpha off -depth 8 -compress lzw "$1"
}

qr_page "$T/qr-url.tif" "https://dichvucong.hanoi.gov.vn/tra-cuu?maHoSo=$QR_CODE&maTTHC=1.001612.000.00.00.H26&soDinhDanh=001323012345&ngayHetHan=31/12/2030"
qr_page "$T/qr-web.tif" "https://ubnd.trungkinh.hanoi.gov.vn/"

sohoa ingest --json "$T/qr-url.tif" "$T/qr-web.tif" >"$T/ingest.json" 2>"$T/ingest.err"
check "both QR pages are recorded" test "$(jq -s length "$T/ingest.json")" -eq 2
rec() { jq -rs ".[] | select(.source_name==\"$1\") | $2" "$T/ingest.json"; }
check "the dossier code comes from the QR, not the differing printed one" \
    test "$(rec qr-url.tif .dossier_code)" = "$QR_CODE"
check "the holder's ID number from the QR is on the record" \
    test "$(rec qr-url.tif '.id_numbers | index("001323012345") != null')" = true
check "the record has the procedure code and validity from the QR" \
    test "$(rec qr-url.tif '.procedure_code + " " + .valid_until')" = "1.001612.000.00.00.H26 2030-12-31"
check "a QR with a web address only leaves the printed dossier code" \
    test "$(rec qr-web.tif .dossier_code)" = "$PRINTED"

meta() {
	local pkg=$SOHOA_DATA/$(rec "$1" .archive)
	tar -xOf "$pkg" --wildcards '*/data/metadata.json'
}
meta qr-url.tif >"$T/url.json"
meta qr-web.tif >"$T/web.json"
check "metadata.json holds the QR's raw payload" \
    test "$(jq -r '.codes[0].text' "$T/url.json")" = "https://dichvucong.hanoi.gov.vn/tra-cuu?maHoSo=$QR_CODE&maTTHC=1.001612.000.00.00.H26&soDinhDanh=001323012345&ngayHetHan=31/12/2030"
check "metadata.json says the code was a QR code on page 1" \
    test "$(jq -r '.codes[0].format + " " + (.codes[0].page | tostring)' "$T/url.json")" = "QRCode 1"
check "metadata.json keeps the disagreement: QR and printed dossier codes" \
    test "$(jq -r '.evidence.dossier_code.qr + " " + .evidence.dossier_code.text' "$T/url.json")" = "$QR_CODE $PRINTED"
check "metadata.json has the procedure code and validity from the QR" \
    test "$(jq -r '.procedure_code + " " + .valid_until' "$T/url.json")" = "1.001612.000.00.00.H26 2030-12-31"
check "the web-address QR's payload is kept, and it gave no fields" \
    test "$(jq -r '(.codes[0].text) + " " + (.codes[0].fields | length | tostring) + " " + ([.evidence[] | select(.from == "qr code")] | length | tostring)' "$T/web.json")" = "https://ubnd.trungkinh.hanoi.gov.vn/ 0 0"
check "a page with no code has an empty codes list" \
    bash -c "sohoa ingest --json '$G/birth-extract.g4.tif' >/dev/null && tar -xOf \"\$SOHOA_DATA/\$(sohoa list --json | jq -r '.[] | select(.source_name==\"birth-extract.g4.tif\") | .archive')\" --wildcards '*/data/metadata.json' | jq -e '.codes == []'"

sohoa reindex >"$T/reindex.out" 2>&1
check "a reindex keeps the QR's dossier code, not the printed one" \
    test "$(sohoa list --json | jq -r '.[] | select(.source_name=="qr-url.tif") | .dossier_code')" = "$QR_CODE"
check "a reindex leaves the web-address QR's page with its printed code" \
    test "$(sohoa list --json | jq -r '.[] | select(.source_name=="qr-web.tif") | .dossier_code')" = "$PRINTED"
echo "1..$tap_n"
