#!/usr/bin/env bash
# Bad input never crashes and never leaves a partial record: one line on
# stderr naming the file and the reason, the rest of the batch goes on,
# the exit status is non-zero, the original is left untouched.
. "$(dirname "$0")/lib.sh"
B=$FIXTURES/bad
G=$FIXTURES/good

expect_reason "$B/empty.tif" "empty" "it is empty"
expect_reason "$B/truncated.tif" "cut short" "it is cut short"
expect_reason "$B/corrupt-ifd.tif" "damaged" "it is damaged"
expect_reason "$B/not-an-image.tif" "not an image" "it is not an image"
expect_reason "$B/huge-header.tif" "100000 x 100000" "the size it claims"
expect_reason "$B/many-pages.tif" "more than 1000 pages" "it has too many pages"
expect_reason "$B/truncated.png" "damaged or cut short" "it is damaged"
expect_reason "$B/garbage.jpg" "JPEG .*damaged" "it is damaged"

check "no record was made for any bad file" test "$(count_records)" -eq 0

# A batch mixing bad and good files: the good ones go through.
cp "$B/truncated.tif" "$T/truncated.tif"
before=$(sha256sum "$T/truncated.tif")
SOHOA_EXPECT=1 sohoa ingest "$B/empty.tif" "$G/birth-extract.g4.tif" "$T/truncated.tif" \
    "$B/huge-header.tif" "$G/building-permit.grey.png" >"$T/out" 2>"$T/err"
status=$?
check "a mixed batch exits 1" test "$status" -eq 1
check "the good files of a mixed batch are recorded" test "$(count_records)" -eq 2
check "each bad file of the batch has its line on stderr" \
    test "$(grep -c -E 'empty.tif|truncated.tif|huge-header.tif' "$T/err")" -eq 3
check "the bad original is left as it was" test "$(sha256sum "$T/truncated.tif")" = "$before"
check "a file that does not exist is named with the reason" \
    bash -c "SOHOA_EXPECT=1 sohoa ingest '$T/nope.tif' 2>&1 | grep -q 'nope.tif: cannot read the file: No such file'"
check "no work folders are left behind" test -z "$(ls -A "$SOHOA_DATA/tmp" 2>/dev/null)"

# A worker that dies mid-job costs that file only: kill the first worker
# with SIGSEGV as soon as it exists; the other scans still go through.
# sohoa itself, not the wrapper function: the worker is its child.
for f in decision.grey-lzw.tif building-permit.palette-deflate.tif \
    business-household.rgb-jpeg.tif birth-extract.rgb.jpg; do
	cp "$G/$f" "$T/crash-$f"
done
export SOHOA_DATA=$T/crash
"$SOHOA" ingest --jobs 1 "$T"/crash-* >"$T/out" 2>"$T/err" &
pid=$!
for _ in $(seq 200); do
	w=$(pgrep -P "$pid" || true)
	[ -n "$w" ] && break
	sleep 0.05
done
[ -n "$w" ] && kill -SEGV "$w"
wait "$pid"
status=$?
check "a batch whose worker crashed exits non-zero" test "$status" -eq 1
check "the scan being read is named with the crash" \
    grep -q -E 'crash-.*: the worker (crashed \(Segmentation fault\)|stopped unexpectedly)' "$T/err"
check "the other three scans of the batch are recorded" test "$(count_records)" -eq 3

# sohoa.conf's limits hold for `sohoa ingest` too.
printf '[sohoa]\nmax_pages = 2\n' >"$T/limits.conf"
SOHOA_CONF=$T/limits.conf SOHOA_EXPECT=1 sohoa ingest --data "$T/limits" "$G/multipage.tif" \
    >/dev/null 2>"$T/err"
status=$?
check "sohoa.conf's max_pages refuses a longer document" test "$status" -eq 1
check "the refusal says how many pages are allowed" grep -q 'more than 2 pages' "$T/err"
