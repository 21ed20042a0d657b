#!/usr/bin/env bash
# Words read as no valid Vietnamese syllable are read again from
# Tesseract's alternatives (profile key syllables): the switch is checked
# like the others, turning it off keeps Tesseract's text as read, and where
# a word was read again the package keeps Tesseract's reading next to the
# text, with the same pages and lines.
. "$(dirname "$0")/lib.sh"
G=$FIXTURES/good

profile() {	# profile NAME LINE
	cat <<EOF
[profile]
name = $1
agency_code = 000.11.30.H26
agency_name = UBND phường Dịch Vọng Hậu
level = commune
$2
EOF
}

profile bad "syllables = maybe" >"$T/bad.conf"
check "syllables that is not yes or no is refused with file:line" \
    bash -c "SOHOA_EXPECT=1 sohoa ingest --data '$T/bad' --profile '$T/bad.conf' '$G/decision.grey-lzw.tif' 2>&1 | grep -q 'bad.conf:6: syllables must be yes or no'"

# A coarse, blurred print of two invalid syllables ("triên", "phỏ"):
# Tesseract reads them as printed, unsure of their marks.
font=/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf
convert -size 1400x300 xc:white -font "$font" -pointsize 40 -fill black \
    -annotate +40+80 "Ủy ban nhân dân phường triên khai kế hoạch" \
    -annotate +40+160 "phỏ biến pháp luật tới người dân trong tháng" \
    -blur 0x2 -resize 35% -resize 200% "$T/coarse.png" 2>/dev/null

files=("$G/decision.grey-lzw.tif" "$G/birth-extract.rgb.jpg" "$G/multipage.tif"
    "$T/coarse.png")
profile off "syllables = no" >"$T/off.conf"
sohoa ingest --data "$T/off" --profile "$T/off.conf" --json --jobs 1 \
    "${files[@]}" >"$T/off.json" 2>/dev/null
sohoa ingest --data "$T/on" --json --jobs 1 "${files[@]}" \
    >"$T/on.json" 2>/dev/null
check "both ingest every scan" \
    test "$(jq -s length "$T/off.json") $(jq -s length "$T/on.json")" = "4 4"
id_off=$(jq -r 'select(.source_name == "coarse.png") | .id' "$T/off.json")
id_on=$(jq -r 'select(.source_name == "coarse.png") | .id' "$T/on.json")
sohoa get "$id_off" --data "$T/off" --text -o "$T/coarse.off" 2>/dev/null
sohoa get "$id_on" --data "$T/on" --text -o "$T/coarse.on" 2>/dev/null
check "with syllables = no, the invalid syllables stay as read" \
    grep -q "triên khai" "$T/coarse.off"
check "by default they are read again as valid syllables Tesseract offered" \
    bash -c "grep -q 'khai kế hoạch' '$T/coarse.on' && ! grep -q 'triên' '$T/coarse.on' && ! grep -q 'phỏ' '$T/coarse.on'"

check "with syllables = no, no package holds text.raw.txt" \
    bash -c "! jq -r .archive '$T/off.json' | while read -r a; do tar -tf '$T/off/'\$a; done | grep -q 'data/text.raw.txt'"

# Where a word was read again: the raw reading is kept, it differs from
# the text, and both have the same pages and lines.
bad=0 n=0
while read -r a; do
	pkg=$T/on/$a
	tar -tf "$pkg" | grep -q 'data/text.raw.txt$' || continue
	n=$((n + 1))
	tar -xOf "$pkg" --wildcards '*/data/text.txt' >"$T/text"
	tar -xOf "$pkg" --wildcards '*/data/text.raw.txt' >"$T/raw"
	cmp -s "$T/text" "$T/raw" && bad=1
	[ "$(wc -l <"$T/text") $(tr -cd '\f' <"$T/text" | wc -c)" = \
	    "$(wc -l <"$T/raw") $(tr -cd '\f' <"$T/raw" | wc -c)" ] || bad=1
	[ "$(wc -w <"$T/text")" = "$(wc -w <"$T/raw")" ] || bad=1
done < <(jq -r .archive "$T/on.json")
check "the scan with words read again keeps Tesseract's reading" \
    test "$n" -ge 1
check "a kept raw reading differs from the text, with the same pages, lines and words" \
    test "$bad" = 0
check "the packages with a raw reading still verify" \
    sohoa verify --data "$T/on"
check "the text of a clean page is the same either way" \
    bash -c "sohoa get 1 --data '$T/off' --text -o '$T/clean.off' && sohoa get 1 --data '$T/on' --text -o '$T/clean.on' && diff '$T/clean.off' '$T/clean.on'"
