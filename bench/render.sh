# bench/render.sh: sourced by bench/quality-make-set and bench/fields-make-set.
# Renders one page source (the format of tests/fixtures/README.md "Sources")
# into a clean grey 300-dpi page the way tests/fixtures/make-fixtures.sh
# does it: one pango render per line, placed on an A4-wide canvas.  Also the
# scan looks both benches spoil pages with.
#
# Beyond the fixtures' format, a flag may start with `|`: such lines form a
# side-by-side block, as Nghị định 30/2020 lays out the two headers and the
# recipients list beside the signature: `|h` and `|L` lines stack in the left
# column, `|H` lines in the right one, both from the top of the block.  The
# ground truth keeps the source order (the left column, then the right).
#
# The caller sets TMP (a scratch folder) and may set IM, FONT, POINTS.

IM=${IM:-/usr/bin/convert}
FONT=${FONT:-Liberation Serif}
POINTS=${POINTS:-13}
DPI=300
PAGE_W=2480        # A4 width at 300 dpi
MX=240
MY=200
NOSTAMP=(+set date:create +set date:modify -define png:exclude-chunks=date,time)

die() { echo "${0##*/}: $*" >&2; exit 1; }

render_check_tools() {
	local t
	for t in "$IM" tiffcp; do command -v "$t" >/dev/null || die "missing tool: $t"; done
	case $("$IM" -list format) in *PANGO*) ;; *) die "$IM has no pango coder (apt-get install imagemagick)" ;; esac
}

# render SRC OUT.png GT.txt: one clean grey page.  Also writes OUT.sig, the
# signature block ("x y0 y1": centre of the right column, its first and last
# line), OUT.boxes, one "x y w h" a text line in ground-truth order, and
# OUT.rows, the text in row order (a block's left and right lines of the
# same row joined by a space, as a reader going across the page has it).
render() {
	local src=$1 out=$2 gt=$3 tw n=0 i=0 k y=0 flags text markup w h x
	local lh maxh_l=0 maxh_r=0 axis_l axis_r sig_y0=-1 sig_y1=0 col yl=0 yr=0
	local -a kind=() align=() side=() file=() width=() height=() args=() texts=()
	local -a bl=() br=()
	tw=$((PAGE_W - 2 * MX))
	: >"$gt"
	: >"${out%.png}.boxes"
	while IFS=$'\t' read -r flags text || [ -n "$flags" ]; do
		case $flags in '#'* | '') continue ;; esac
		if [ "$flags" = "-" ]; then
			kind+=(space) align+=(-) side+=(-) file+=(-) width+=(0) height+=(-) texts+=(-)
			continue
		fi
		col=-
		case $flags in '|'*) col=block flags=${flags#|} ;; esac
		n=$((n + 1))
		markup=${text//&/&amp;}
		markup=${markup//</&lt;}
		markup=${markup//>/&gt;}
		case $flags in *B*) markup="<b>$markup</b>" ;; esac
		case $flags in *I*) markup="<i>$markup</i>" ;; esac
		i=$((i + 1))
		# One process a line: render, write, and tell the size.
		read -r w h < <("$IM" -density $DPI -font "$FONT" -pointsize $POINTS \
			-background white pango:"$markup" -colorspace Gray -depth 8 \
			-write "$TMP/line$i.png" -format '%w %h\n' info:)
		kind+=(text) align+=("${flags:0:1}") side+=("$col") file+=("$TMP/line$i.png")
		texts+=("$text")
		width+=("$w") height+=("$h")
		printf '%s\n' "$text" >>"$gt"
	done <"$src"
	for ((k = 0; k < ${#kind[@]}; k++)); do
		[ "${kind[k]}" = text ] && lh=${height[k]} && break
	done
	for ((k = 0; k < ${#kind[@]}; k++)); do
		[ "${kind[k]}" = text ] || { height[k]=$((lh / 2)); continue; }
		w=${width[k]}
		[ "$w" -le "$tw" ] || die "$src: a line is $w px wide, more than $tw"
		case ${align[k]} in
		h) [ "$w" -gt "$maxh_l" ] && maxh_l=$w ;;
		H) [ "$w" -gt "$maxh_r" ] && maxh_r=$w ;;
		esac
	done
	axis_l=$((tw / 4)); [ $((maxh_l / 2)) -le $axis_l ] || axis_l=$((maxh_l / 2))
	axis_r=$((3 * tw / 4)); [ $((axis_r + maxh_r / 2)) -le "$tw" ] || axis_r=$((tw - maxh_r / 2))
	for ((k = 0; k < ${#kind[@]}; k++)); do
		w=${width[k]}
		if [ "${side[k]}" = block ]; then
			# Inside a side-by-side block: each column has its own cursor.
			if [ "${side[k - 1]:-}" != block ]; then yl=$y yr=$y; fi
			case ${align[k]} in H) y=$yr ;; *) y=$yl ;; esac
		elif [ "${side[k - 1]:-}" = block ] && [ "$k" -gt 0 ]; then
			y=$((yl > yr ? yl : yr))
		fi
		if [ "${kind[k]}" = text ]; then
			case ${align[k]} in
			L) x=0 ;;
			C) x=$(((tw - w) / 2)) ;;
			R) x=$((tw - w)) ;;
			h) x=$((axis_l - w / 2)) ;;
			H) x=$((axis_r - w / 2))
			   # The signature block: the H lines after the body.
			   if [ "$y" -gt $((lh * 8)) ]; then
				[ "$sig_y0" -ge 0 ] || sig_y0=$((MY + y))
				sig_y1=$((MY + y + height[k]))
			   fi ;;
			*) die "$src: bad flags ${align[k]}" ;;
			esac
			args+=(-page "+$((MX + x))+$((MY + y))" "${file[k]}")
			echo "$((MX + x)) $((MY + y)) $w ${height[k]}" >>"${out%.png}.boxes"
		fi
		y=$((y + height[k]))
		if [ "${side[k]}" = block ]; then
			case ${align[k]} in H) yr=$y ;; *) yl=$y ;; esac
		fi
	done
	[ "${side[k - 1]:-}" != block ] || y=$((yl > yr ? yl : yr))
	: >"${out%.png}.rows"
	for ((k = 0; k <= ${#kind[@]}; k++)); do
		if [ $k -lt ${#kind[@]} ] && [ "${side[k]}" = block ]; then
			case ${align[k]} in H) br+=("${texts[k]}") ;; *) bl+=("${texts[k]}") ;; esac
			continue
		fi
		for ((i = 0; i < ${#bl[@]} || i < ${#br[@]}; i++)); do
			text="${bl[i]:-} ${br[i]:-}"
			text=${text# }
			printf '%s\n' "${text% }" >>"${out%.png}.rows"
		done
		bl=() br=()
		[ $k -lt ${#kind[@]} ] && [ "${kind[k]}" = text ] &&
			printf '%s\n' "${texts[k]}" >>"${out%.png}.rows"
	done
	"$IM" -size "${PAGE_W}x$((y + 2 * MY))" xc:white "${args[@]}" -background white \
		-flatten +repage -colorspace Gray -depth 8 \
		-units PixelsPerInch -density $DPI "${NOSTAMP[@]}" "$out"
	echo "$((MX + axis_r)) $sig_y0 $sig_y1" >"${out%.png}.sig"
}

# --- scan looks ---------------------------------------------------------------

paper='rgb(246,240,222)'	# office paper, slightly warm
ink='rgb(24,22,26)'

tone() {	# grey page -> colour scan look: warm paper, near-black ink
	"$IM" "$1" -colorspace sRGB +level-colors "$ink","$paper" -type TrueColor "$2"
}
jpeg() {	# jpeg IN OUT [DPI [QUALITY]]
	"$IM" "$1" -sampling-factor 2x2 -quality "${4:-85}" -strip -units PixelsPerInch \
		-density "${3:-$DPI}" "$2"
}
png_grey() {
	"$IM" "$1" -colorspace Gray -depth 8 -units PixelsPerInch -density $DPI \
		"${NOSTAMP[@]}" "$2"
}
tif_g4() {
	"$IM" "$1" -threshold 55% -type Bilevel -depth 1 -units PixelsPerInch \
		-density $DPI "${NOSTAMP[@]}" -compress None "$TMP/g4.tif"
	tiffcp -c g4 "$TMP/g4.tif" "$2"
}

# seal_over IN OUT SX SY0 SY1: a red round seal (about 36 mm) stamped over
# the left part of the signature block and the lines above it, as seals are.
seal_over() {
	local cx cy r=215 size
	cx=$(($3 - 260)); cy=$((($4 + $5) / 2 - 40))
	size=$("$IM" "$1" -format '%wx%h' info:)
	"$IM" -size "$size" xc:white -fill none -stroke 'rgb(214,38,52)' \
		-strokewidth 11 -draw "circle $cx,$cy $((cx + r)),$cy" \
		-strokewidth 4 -draw "circle $cx,$cy $((cx + r - 40)),$cy" \
		-strokewidth 1 -fill 'rgb(214,38,52)' \
		-draw "polygon $cx,$((cy - 60)) $((cx + 16)),$((cy - 18)) $((cx + 58)),$((cy - 18)) $((cx + 24)),$((cy + 8)) $((cx + 37)),$((cy + 50)) $cx,$((cy + 24)) $((cx - 37)),$((cy + 50)) $((cx - 24)),$((cy + 8)) $((cx - 58)),$((cy - 18)) $((cx - 16)),$((cy - 18))" \
		-font Liberation-Sans-Bold -pointsize 34 -stroke none \
		-draw "text $((cx - 150)),$((cy - 95)) 'ỦY BAN NHÂN DÂN'" \
		-draw "text $((cx - 75)),$((cy + 125)) 'HÀ NỘI'" \
		-blur 0x1 "$TMP/seal.png"
	"$IM" "$1" "$TMP/seal.png" -compose Multiply -composite "$2"
}
