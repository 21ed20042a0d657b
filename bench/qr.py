#!/usr/bin/env python3
"""A small QR code writer (ISO/IEC 18004, TCVN 7322) for the bench only.

usage: bench/qr.py [--scale N] OUT.pbm < PAYLOAD     (the payload as UTF-8)

bench/fields-make-set uses `qrencode` when it is installed and this when it
is not, so the bench needs no package beyond ImageMagick.  It writes byte mode
at error correction level M, versions 1 to 15 (up to 412 bytes, which holds
every payload of the set), the mask chosen by the standard's penalty rules,
with a quiet zone of 4 modules, as a plain PBM of N pixels a module.
Standard library only.
"""
import sys

# Level M: (EC codewords per block, [(blocks, data codewords per block)...]).
BLOCKS_M = {
    1: (10, [(1, 16)]), 2: (16, [(1, 28)]), 3: (26, [(1, 44)]),
    4: (18, [(2, 32)]), 5: (24, [(2, 43)]), 6: (16, [(4, 27)]),
    7: (18, [(4, 31)]), 8: (22, [(2, 38), (2, 39)]),
    9: (22, [(3, 36), (2, 37)]), 10: (26, [(4, 43), (1, 44)]),
    11: (30, [(1, 50), (4, 51)]), 12: (22, [(6, 36), (2, 37)]),
    13: (22, [(8, 37), (1, 38)]), 14: (24, [(4, 40), (5, 41)]),
    15: (24, [(5, 41), (5, 42)]),
}
# Centres of the alignment patterns, per version (rows and columns alike).
ALIGN = {
    1: [], 2: [6, 18], 3: [6, 22], 4: [6, 26], 5: [6, 30], 6: [6, 34],
    7: [6, 22, 38], 8: [6, 24, 42], 9: [6, 26, 46], 10: [6, 28, 50],
    11: [6, 30, 54], 12: [6, 32, 58], 13: [6, 34, 62], 14: [6, 26, 46, 66],
    15: [6, 26, 48, 70],
}

# GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1.
EXP = [0] * 512
LOG = [0] * 256
_v = 1
for _i in range(255):
    EXP[_i] = _v
    LOG[_v] = _i
    _v <<= 1
    if _v & 0x100:
        _v ^= 0x11D
for _i in range(255, 512):
    EXP[_i] = EXP[_i - 255]


def gf_mul(a, b):
    return 0 if a == 0 or b == 0 else EXP[LOG[a] + LOG[b]]


def rs_remainder(data, n):
    """The n Reed-Solomon check codewords of data (generator roots a^0..a^n-1)."""
    gen = [1]
    for i in range(n):
        # gen *= (x - a^i); coefficients highest degree first.
        nxt = gen + [0]
        for j, c in enumerate(gen):
            nxt[j + 1] ^= gf_mul(c, EXP[i])
        gen = nxt
    rem = [0] * n
    for byte in data:
        factor = byte ^ rem[0]
        rem = rem[1:] + [0]
        for j in range(n):
            rem[j] ^= gf_mul(gen[j + 1], factor)
    return rem


def bch(value, poly, shift):
    """value followed by its BCH remainder: format (0x537) and version (0x1F25) bits."""
    rem = value << shift
    top = poly.bit_length() - 1
    while rem.bit_length() - 1 >= top:
        rem ^= poly << (rem.bit_length() - 1 - top)
    return (value << shift) | rem


class Matrix:
    def __init__(self, version):
        self.v = version
        self.n = 17 + 4 * version
        self.dark = [[False] * self.n for _ in range(self.n)]
        self.fixed = [[False] * self.n for _ in range(self.n)]

    def put(self, r, c, dark):
        self.dark[r][c] = dark
        self.fixed[r][c] = True

    def function_patterns(self):
        n = self.n
        for r0, c0 in ((0, 0), (0, n - 7), (n - 7, 0)):
            # The finder, and its white separator where it fits on the symbol.
            for dr in range(-1, 8):
                for dc in range(-1, 8):
                    r, c = r0 + dr, c0 + dc
                    if not (0 <= r < n and 0 <= c < n):
                        continue
                    ring = max(abs(dr - 3), abs(dc - 3))
                    self.put(r, c, ring != 2 and ring != 4)
        for i in range(8, n - 8):
            self.put(6, i, i % 2 == 0)
            self.put(i, 6, i % 2 == 0)
        centres = ALIGN[self.v]
        last = centres[-1] if centres else None
        for r in centres:
            for c in centres:
                if (r, c) in ((6, 6), (6, last), (last, 6)):
                    continue    # under a finder
                for dr in range(-2, 3):
                    for dc in range(-2, 3):
                        self.put(r + dr, c + dc, max(abs(dr), abs(dc)) != 1)
        self.format_bits(0)     # reserve the places, written for real later
        if self.v >= 7:
            bits = bch(self.v, 0x1F25, 12)
            for i in range(18):
                a, b = n - 11 + i % 3, i // 3
                self.put(b, a, (bits >> i) & 1 == 1)
                self.put(a, b, (bits >> i) & 1 == 1)

    def format_bits(self, mask):
        n = self.n
        bits = bch((0 << 3) | mask, 0x537, 10) ^ 0x5412     # level M is 00
        bit = [(bits >> i) & 1 == 1 for i in range(15)]
        # Around the top left finder: bits 0-7 down column 8, 8-14 along row 8.
        rows = [0, 1, 2, 3, 4, 5, 7, 8]
        for i in range(8):
            self.put(rows[i], 8, bit[i])
        cols = [7, 5, 4, 3, 2, 1, 0]
        for i in range(8, 15):
            self.put(8, cols[i - 8], bit[i])
        # The copy: bits 0-7 along row 8 from the right, 8-14 up column 8.
        for i in range(8):
            self.put(8, n - 1 - i, bit[i])
        for i in range(8, 15):
            self.put(n - 15 + i, 8, bit[i])
        self.put(n - 8, 8, True)    # the dark module

    def free_cells(self):
        """The data modules in placement order: two columns at a time from
        the right, up then down, stepping over the vertical timing column."""
        n, out, upward = self.n, [], True
        right = n - 1
        while right > 0:
            if right == 6:
                right -= 1
            rows = range(n - 1, -1, -1) if upward else range(n)
            for r in rows:
                for c in (right, right - 1):
                    if not self.fixed[r][c]:
                        out.append((r, c))
            upward = not upward
            right -= 2
        return out


MASKS = [
    lambda r, c: (r + c) % 2 == 0,
    lambda r, c: r % 2 == 0,
    lambda r, c: c % 3 == 0,
    lambda r, c: (r + c) % 3 == 0,
    lambda r, c: (r // 2 + c // 3) % 2 == 0,
    lambda r, c: (r * c) % 2 + (r * c) % 3 == 0,
    lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
    lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0,
]


def penalty(m):
    n, d, score = m.n, m.dark, 0
    lines = [row for row in d] + [[d[r][c] for r in range(n)] for c in range(n)]
    for line in lines:
        run, prev = 0, None
        for x in line:
            if x == prev:
                run += 1
            else:
                if run >= 5:
                    score += run - 2
                run, prev = 1, x
        if run >= 5:
            score += run - 2
        s = "".join("1" if x else "0" for x in line)
        for pat in ("10111010000", "00001011101"):
            score += 40 * s.count(pat)
    for r in range(n - 1):
        for c in range(n - 1):
            if d[r][c] == d[r][c + 1] == d[r + 1][c] == d[r + 1][c + 1]:
                score += 3
    dark = sum(sum(row) for row in d)
    score += 10 * (abs(dark * 20 - n * n * 10) // (n * n))
    return score


def encode(payload, masks=range(8)):
    """The module matrix (list of rows of bools) of payload (bytes)."""
    for version in range(1, 16):
        ec, groups = BLOCKS_M[version]
        capacity = sum(b * k for b, k in groups)
        count_bits = 8 if version < 10 else 16
        if 4 + count_bits + 8 * len(payload) <= 8 * capacity:
            break
    else:
        raise ValueError("payload of %d bytes is too long" % len(payload))
    bits = "0100" + format(len(payload), "0%db" % count_bits)
    bits += "".join(format(b, "08b") for b in payload)
    bits += "0" * min(4, 8 * capacity - len(bits))
    bits += "0" * (-len(bits) % 8)
    data = [int(bits[i:i + 8], 2) for i in range(0, len(bits), 8)]
    pad = [0xEC, 0x11]
    while len(data) < capacity:
        data.append(pad[(len(data) - len(bits) // 8) % 2])
    blocks, pos = [], 0
    for count, k in groups:
        for _ in range(count):
            blocks.append(data[pos:pos + k])
            pos += k
    checks = [rs_remainder(b, ec) for b in blocks]
    stream = []
    for i in range(max(len(b) for b in blocks)):
        stream += [b[i] for b in blocks if i < len(b)]
    for i in range(ec):
        stream += [c[i] for c in checks]

    best = None
    for mask in masks:
        m = Matrix(version)
        m.function_patterns()
        cells = m.free_cells()
        assert len(cells) >= 8 * len(stream) and len(cells) - 8 * len(stream) < 8
        for k, (r, c) in enumerate(cells):
            on = k < 8 * len(stream) and (stream[k >> 3] >> (7 - (k & 7))) & 1 == 1
            m.dark[r][c] = on != MASKS[mask](r, c)
        m.format_bits(mask)
        p = penalty(m)
        if best is None or p < best[0]:
            best = (p, m)
    return best[1].dark


def write_pbm(rows, path, scale):
    quiet = 4
    n = len(rows) + 2 * quiet
    with open(path, "w", encoding="ascii") as f:
        f.write("P1\n%d %d\n" % (n * scale, n * scale))
        blank = "0 " * (n * scale)
        for r in range(-quiet, len(rows) + quiet):
            if 0 <= r < len(rows):
                line = ""
                for c in range(-quiet, len(rows) + quiet):
                    on = 0 <= c < len(rows) and rows[r][c]
                    line += ("1 " if on else "0 ") * scale
            else:
                line = blank
            for _ in range(scale):
                f.write(line.rstrip() + "\n")


def main(argv):
    scale = 4
    if len(argv) >= 2 and argv[0] == "--scale":
        scale, argv = int(argv[1]), argv[2:]
    if len(argv) != 1:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    write_pbm(encode(sys.stdin.buffer.read()), argv[0], scale)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
