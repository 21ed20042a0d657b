#!/usr/bin/env bash
# PDFs are taken as scans: a scanned PDF is recorded with all its pages and
# its words are found; a born-digital PDF gives exactly its text layer with
# no OCR; the original is kept byte for byte; an encrypted, damaged or too
# long PDF is refused with one plain line and no record, as a TIFF would be.
. "$(dirname "$0")/lib.sh"
G=$FIXTURES/good
MKPDF="python3 $FIXTURES/src/make_pdf.py"

# Scanned PDFs as scanners write them: the G4 image of each page, as is.
tiff2pdf -x 200 -y 200 -o "$T/decision.pdf" "$G/decision.g4-nores.tif"
tiff2pdf -o "$T/multipage.pdf" "$G/multipage.tif"
# A born-digital PDF of two pages with a real text layer.
p1="Decision on the registration of business households|issued to the household of Tran Van Binh"
p2="The permit holder shall start building within twelve months"
$MKPDF "$T/born.pdf" "$p1" "$p2"
$MKPDF --encrypted "$T/locked.pdf" "A page nobody may read without the password"
head -c 2000 "$T/decision.pdf" >"$T/cut.pdf"

sohoa ingest --json "$T/decision.pdf" "$T/multipage.pdf" "$T/born.pdf" \
    >"$T/ingest.json" 2>"$T/ingest.err"
status=$?
check "three good PDFs are recorded (exit 0)" test "$status" -eq 0
rec() { jq -rs ".[] | select(.source_name==\"$1\") | .$2" "$T/ingest.json"; }
check "the multi-page PDF is recorded with its 3 pages" test "$(rec multipage.pdf pages)" = 3
check "the born-digital PDF is recorded with its 2 pages" test "$(rec born.pdf pages)" = 2

check "a scanned PDF's words are found by search" \
    bash -c "[[ '$(found 'Quyết định')' == *decision.pdf* ]]"
check "the third page of the scanned PDF is read too" \
    bash -c "[[ '$(found 'Giấy phép xây dựng Lê Hoàng Long')' == *multipage.pdf* ]]"
check "the born-digital PDF's words are found by search" \
    bash -c "[[ '$(found twelve months permit holder)' == *born.pdf* ]]"

for f in decision multipage born; do
	id=$(rec $f.pdf id)
	check "$f.pdf: get --original gives the PDF byte for byte" \
	    bash -c "sohoa get $id --original -o - | cmp - '$T/$f.pdf'"
done

# The born-digital text is its text layer, word for word, with no OCR.
id=$(rec born.pdf id)
words() { tr -s ' \n\f|' '\n\n\n\n' | grep -v '^$'; }
sohoa get "$id" --text -o - | words >"$T/born.words"
printf '%s\n%s\n' "$p1" "$p2" | words >"$T/born.expected"
check "the born-digital PDF's text is exactly its words (CER 0)" \
    diff -u "$T/born.expected" "$T/born.words"
pkg=$SOHOA_DATA/$(rec born.pdf archive)
check "metadata.json says each born-digital page came from its text layer" \
    bash -c "tar -xOf '$pkg' --wildcards '*/data/metadata.json' | jq -e '.format == \"pdf\" and (.page_info | length == 2 and all(.text == \"text layer\"))'"
check "a PDF whose every page had text is its own searchable PDF" \
    bash -c "sohoa get $id --pdf -o - | cmp - '$T/born.pdf'"

pkg=$SOHOA_DATA/$(rec multipage.pdf archive)
check "the scanned PDF's pages were recognised at their own resolution" \
    bash -c "tar -xOf '$pkg' --wildcards '*/data/metadata.json' | jq -e '.page_info | length == 3 and all(.text == \"ocr\" and .dpi == 300 and .width == 1650)'"
check "the scanned PDF's searchable PDF has its 3 pages" \
    bash -c "sohoa get $(rec multipage.pdf id) --pdf -o - | pdfinfo - | grep -qE '^Pages: +3$'"
pkg=$SOHOA_DATA/$(rec decision.pdf archive)
check "a 200 dpi G4 page is read at 200 dpi" \
    bash -c "tar -xOf '$pkg' --wildcards '*/data/metadata.json' | jq -e '.page_info[0].dpi == 200'"

# A signed PDF: the signature is listed with its signer and time and it
# verifies; the same PDF changed after signing is listed as not verifying.
# The certificate is self-made here (openssl, then an NSS database for
# poppler's pdfsig, which signs), so its chain is not trusted.
if command -v certutil >/dev/null && command -v pk12util >/dev/null; then
	mkdir "$T/nss"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" \
	    -out "$T/cert.pem" -days 3650 -subj "/CN=Nguyen Van Ky/O=UBND Phuong Dich Vong Hau/C=VN" 2>/dev/null
	openssl pkcs12 -export -inkey "$T/key.pem" -in "$T/cert.pem" -name ky \
	    -passout pass: -out "$T/ky.p12"
	certutil -N -d "sql:$T/nss" --empty-password
	pk12util -i "$T/ky.p12" -d "sql:$T/nss" -W "" >/dev/null
	pdfsig -add-signature -nssdir "sql:$T/nss" -nick ky "$T/born.pdf" "$T/signed.pdf" 2>/dev/null
	python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); open(sys.argv[2], "wb").write(d.replace(b"twelve months", b"twenty months", 1))' \
	    "$T/signed.pdf" "$T/tampered.pdf"
	sohoa ingest --json --data "$T/signed" "$T/signed.pdf" "$T/tampered.pdf" >"$T/signed.json" 2>"$T/signed.err"
	sig() { jq -rs ".[] | select(.source_name==\"$1\") | .signatures[0].$2" "$T/signed.json"; }
	check "a signed PDF is recorded" test "$(jq -s length "$T/signed.json")" -eq 2
	check "its signature is listed with the signer's name" test "$(sig signed.pdf signer)" = "Nguyen Van Ky"
	check "its signing time is ISO 8601" \
	    bash -c "[[ '$(sig signed.pdf signed_at)' =~ ^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-9:]{8}(Z|[+-][0-9:]{5})$ ]]"
	check "the untouched signature verifies" test "$(sig signed.pdf verified)" = true
	check "the self-made certificate is not called trusted" test "$(sig signed.pdf certificate)" != "the certificate is trusted"
	check "a PDF changed after signing does not verify, and says why" \
	    test "$(sig tampered.pdf verified) $(sig tampered.pdf status)" = "false the document was changed after it was signed"
	pkg=$T/signed/$(jq -rs '.[] | select(.source_name=="signed.pdf") | .archive' "$T/signed.json")
	check "metadata.json keeps the signatures" \
	    bash -c "tar -xOf '$pkg' --wildcards '*/data/metadata.json' | jq -e '.signatures | length == 1'"
	check "the signed original is kept byte for byte, signature intact" \
	    bash -c "tar -xOf '$pkg' --wildcards '*/data/original.pdf' | cmp - '$T/signed.pdf'"
	check "a PDF with no signature lists none" \
	    test "$(jq -rs '.[] | select(.source_name=="born.pdf") | .signatures | length' "$T/ingest.json")" -eq 0
else
	skip "signed PDFs" "certutil and pk12util (libnss3-tools) are missing"
fi

# Bad PDFs: one plain line naming the file, exit 1, no record.
expect_reason "$T/locked.pdf" "protected by a password" "it is encrypted"
expect_reason "$T/cut.pdf" "PDF is damaged" "it is damaged"
check "no record was made for the bad PDFs" test "$(count_records)" -eq 3

# sohoa.conf's max_pages holds for PDFs as for TIFFs.
printf '[sohoa]\nmax_pages = 2\n' >"$T/limits.conf"
SOHOA_CONF=$T/limits.conf SOHOA_EXPECT=1 sohoa ingest --data "$T/limits" "$T/multipage.pdf" \
    >/dev/null 2>"$T/err"
status=$?
check "max_pages refuses a longer PDF" test "$status" -eq 1
check "the refusal says how many pages are allowed" grep -q 'more than 2 pages' "$T/err"

echo "1..$tap_n"
[ "$tap_failed" -eq 0 ]
