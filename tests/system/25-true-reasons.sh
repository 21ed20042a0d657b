#!/usr/bin/env bash
# The reason given for a bad scan is true and is one line: a page too small
# to hold text says so with its size, a page that needs more memory than
# job_memory_mb names that limit and its value, and libtiff's two-line
# complaints arrive as one sentence, from `sohoa ingest` and from sohoad.
. "$(dirname "$0")/lib.sh"
G=$FIXTURES/good
mkdir -p "$T/in"
# An address-sanitizer build sets no memory limit (worker.c).
asan=
grep -q __asan_init "$SOHOA" && asan=1

# Pages too small for a line of text: a strip 2281 x 7 cut through a line
# of a scan, and a single pixel, as PNG and as TIFF.
convert "$G/decision.grey-lzw.tif" -crop 1650x7+0+300 +repage \
    -background white -extent 2281x7 -type Grayscale "$T/in/strip.png"
convert -size 1x1 xc:black -type Grayscale "$T/in/dot.png"
convert "$T/in/strip.png" -compress lzw "$T/in/strip.tif"
convert "$T/in/dot.png" "$T/in/dot.tif"

# expect_one_line FILE PATTERN WHAT [sohoa.conf]: exit 1, and one line on
# stderr, naming the file, saying PATTERN.
expect_one_line() {
	local f=$1 pat=$2 what=$3 conf=${4:-}
	if [ -n "$conf" ]; then
		SOHOA_CONF=$conf SOHOA_EXPECT=1 sohoa ingest "$f" >"$T/out" 2>"$T/err"
	else
		SOHOA_EXPECT=1 sohoa ingest "$f" >"$T/out" 2>"$T/err"
	fi
	local status=$?
	check "$(basename "$f"): exit status is 1" test "$status" -eq 1
	check "$(basename "$f"): one line on stderr says $what" \
	    bash -c "test \$(wc -l <'$T/err') -eq 1 && grep -q -- '^sohoa: $f: .*$pat' '$T/err'"
}
expect_one_line "$T/in/strip.png" "page 1 is 2281 x 7 pixels, too small to hold any text" \
    "the page is too small, with its size"
expect_one_line "$T/in/dot.png" "page 1 is 1 x 1 pixels, too small" \
    "the page is too small, with its size"
expect_one_line "$T/in/strip.tif" "page 1 is 2281 x 7 pixels, too small" \
    "the page is too small, with its size"
expect_one_line "$T/in/dot.tif" "page 1 is 1 x 1 pixels, too small" \
    "the page is too small, with its size"
check "no record was made for a page too small to read" \
    test "$(count_records)" -eq 0

# A JPEG-compressed TIFF whose JPEG data is subsampled 2x2 while its tags
# say plain RGB: libtiff's "Improper JPEG sampling factors 2,2\nApparently
# should be 1,1."
convert "$G/business-household.rgb-jpeg.tif" -crop 400x200+0+0 +repage \
    -compress none "$T/rgb.tif"
tiffcp -c jpeg -r 16 "$T/rgb.tif" "$T/in/sampling.tif" &&
    tiffset -s 262 2 "$T/in/sampling.tif"
expect_one_line "$T/in/sampling.tif" "sampling factors 2,2; Apparently should be 1,1" \
    "what libtiff found, joined into one sentence"
check "sampling.tif: the reason has no line break, escaped or raw" \
    bash -c "! grep -q -F '\\n' '$T/err'"
SOHOA_EXPECT=1 sohoa ingest --json "$T/in/sampling.tif" >"$T/json" 2>/dev/null
check "sampling.tif: --json gives the reason as one line too" \
    test "$(jq '.error | test("sampling factors 2,2; Apparently") and
        (test("[\n\r]") | not)' "$T/json")" = true

# big_tiff SRC OUT K BITS: SRC with each pixel made K x K, as a Deflate
# TIFF of BITS (8: grey, 1: black and white) at 600 dpi.  ImageMagick
# takes minutes over a page this size here; this takes seconds.
big_tiff() {
	python3 - "$@" <<'PY'
import struct, subprocess, sys, zlib
src, out, k, bits = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
w, h = (int(v) for v in subprocess.check_output(
    ["identify", "-format", "%w %h", src]).split())
grey = subprocess.check_output(["convert", src, "-depth", "8", "gray:-"])
rows = []
for y in range(h):
    line = grey[y * w:(y + 1) * w]
    if bits == 8:       # 0 is black
        row = bytes(b for b in line for _ in range(k))
    else:               # 1 is black, 8 pixels to a byte
        px = bytes(1 if b < 128 else 0 for b in line for _ in range(k))
        px += bytes(-len(px) % 8)
        row = bytes(sum(px[i + j] << (7 - j) for j in range(8))
            for i in range(0, len(px), 8))
    rows.extend([row] * k)
W, H, R = w * k, h * k, 64
strips = [zlib.compress(b"".join(rows[y:y + R]), 6) for y in range(0, H, R)]
n = len(strips)
where = 8 + 2 + 12 * 12 + 4             # after the header and the IFD
offsets, at = [], where + 8 * n + 16     # after the arrays and resolutions
for st in strips:
    offsets.append(at)
    at += len(st)
def entry(tag, typ, count, value):
    return struct.pack("<HHII", tag, typ, count, value)
ifd = struct.pack("<H", 12) + b"".join([
    entry(256, 4, 1, W), entry(257, 4, 1, H), entry(258, 3, 1, bits),
    entry(259, 3, 1, 8), entry(262, 3, 1, 1 if bits == 8 else 0),
    entry(273, 4, n, where), entry(277, 3, 1, 1), entry(278, 4, 1, R),
    entry(279, 4, n, where + 4 * n), entry(282, 5, 1, where + 8 * n),
    entry(283, 5, 1, where + 8 * n + 8), entry(296, 3, 1, 2)])
with open(out, "wb") as f:
    f.write(b"II*\0" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0))
    f.write(struct.pack("<%dI" % n, *offsets))
    f.write(struct.pack("<%dI" % n, *(len(st) for st in strips)))
    f.write(struct.pack("<IIII", 600, 1, 600, 1) + b"".join(strips))
PY
}

# A page that needs more memory than job_memory_mb allows: the decision
# at 600 dpi on A3 paper (9900 x 6810 grey), whose decoding alone takes
# 270 MB, under the smallest limit sohoa.conf accepts, 256 MB.
printf '[sohoa]\njob_memory_mb = 256\n' >"$T/small.conf"
if [ -n "$asan" ]; then
	for what in "the reason names job_memory_mb and its value" \
	    "sohoad's reason.txt names job_memory_mb"; do
		skip "$what" "an address-sanitizer build sets no memory limit"
	done
else
	big_tiff "$G/decision.grey-lzw.tif" "$T/in/a3-600dpi.tif" 6 8
	expect_one_line "$T/in/a3-600dpi.tif" \
	    "reading page 1 needed more memory than job_memory_mb = 256 MB (sohoa.conf) allows" \
	    "the reason names job_memory_mb and its value" "$T/small.conf"
	check "no record was made for the page over the memory limit" \
	    test "$(records_named a3-600dpi.tif)" -eq 0
fi

# Tesseract, out of memory, aborts (std::bad_alloc) or faults on a NULL
# from Leptonica; the worker still answers with the limit, and goes on
# with the next job.  No sohoa.conf value makes a worker that small (256 MB
# is the least), so the worker is driven here as pool_* drives it, one
# JSON job per line, with a limit 16 MB above what it needs for a small
# page: a large bilevel page, not preprocessed, goes to Tesseract whole.

# worker_job JSON: one job to the worker on $win/$wout, its answer in
# $answer ("" when it died).
worker_job() {
	answer=
	echo "$1" >&"$win" && read -r -t 120 answer <&"$wout"
}
# start_worker [VAR=value...]: `sohoa worker` on $win/$wout, its pid in
# $wpid (the descriptors are copied: bash drops W's when the worker ends).
start_worker() {
	coproc W { exec env OMP_THREAD_LIMIT=1 "$@" "$SOHOA" worker 2>/dev/null; }
	wpid=$W_PID
	exec {win}>&"${W[1]}" {wout}<&"${W[0]}"
	eval "exec ${W[1]}>&- ${W[0]}<&-"
}
stop_worker() {
	exec {win}>&- {wout}<&-
	wait "$wpid" 2>/dev/null
}
small_job="{\"path\":\"$G/birth-extract-snippet.grey-none.tif\",\"workdir\":\"$T/wd\",\"languages\":\"vie\",\"dpi\":300}"
big_job="{\"path\":\"$T/bilevel-600dpi.tif\",\"workdir\":\"$T/wd\",\"languages\":\"vie\",\"dpi\":300,\"preprocess\":{\"enabled\":false}}"
mkdir -p "$T/wd"
trap '' PIPE	# a worker that died is a failed check, not the end of the test
if [ -n "$asan" ]; then
	for what in "the worker answers with the limit when Tesseract runs out" \
	    "the same worker reads the next scan"; do
		skip "$what" "an address-sanitizer build sets no memory limit"
	done
else
	start_worker
	worker_job "$small_job"
	base_kb=$(awk '/^VmPeak:/ { print $2 }' "/proc/$wpid/status")
	stop_worker
	limit=$((base_kb / 1024 + 16))
	big_tiff "$G/decision.g4-nores.tif" "$T/bilevel-600dpi.tif" 5 1
	start_worker SOHOA_WORKER_MEMORY_MB=$limit
	worker_job "$big_job"
	check "the worker answers with the limit when Tesseract runs out" \
	    test "$(jq -r .reason <<<"$answer")" = "reading page 1 needed more memory than job_memory_mb = $limit MB (sohoa.conf) allows"
	worker_job "$small_job"
	check "the same worker reads the next scan" \
	    bash -c "test '$(jq -r .ok <<<"$answer")' = true && kill -0 $wpid"
	stop_worker
fi

# sohoad sets the same scans aside with the same one-line reasons.
make_profile pa settle_seconds=1
export SOHOA_CONF=$T/small.conf
start_daemon
for f in strip.png sampling.tif a3-600dpi.tif; do
	[ -f "$T/in/$f" ] && cp "$T/in/$f" "$T/inbox/pa/$f"
done
Q=$T/quarantine/pa
# reason_says NAME PATTERN: NAME.reason.txt is one line that says PATTERN.
reason_says() {
	test -f "$Q/$1.reason.txt" && test "$(wc -l <"$Q/$1.reason.txt")" -eq 1 &&
	    grep -q -- "$2" "$Q/$1.reason.txt"
}
check "sohoad's reason.txt for the strip says it is too small, with its size" \
    wait_for 60 reason_says strip.png "2281 x 7 pixels, too small to hold any text"
check "sohoad's reason.txt for sampling.tif is one line, as libtiff said it" \
    wait_for 60 reason_says sampling.tif "sampling factors 2,2; Apparently should be 1,1"
if [ -f "$T/in/a3-600dpi.tif" ]; then
	check "sohoad's reason.txt names job_memory_mb" \
	    wait_for 60 reason_says a3-600dpi.tif "needed more memory than job_memory_mb = 256 MB (sohoa.conf)"
fi
check "sohoad stops cleanly" stop_daemon
