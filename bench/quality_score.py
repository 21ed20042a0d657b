#!/usr/bin/env python3
"""Scores the texts bench/quality collected and prints its table.

usage: bench/quality_score.py WORKDIR CER_PY ENGINE...

WORKDIR/sets.tsv has one page a line (set, image, ground truth, group);
WORKDIR/ENGINE/N.txt is ENGINE's text of line N and N.s its seconds;
WORKDIR/sohoa/N.pages is the page_info of sohoa's package.  Character error
rate is cer.py's (NFC, whitespace collapsed, Levenshtein / reference
characters), the unweighted mean over pages as in BASELINE.md.  Word recall
is the share of the reference's words (a multiset, punctuation trimmed from
their ends) that the text has: exact, and with case, tone and vowel marks
folded and đ read as d, which is how a clerk's search matches.
"""
import collections
import json
import os
import sys

from textscore import load_cer, read, recall


def main(argv):
    work, cer_py, engines = argv[0], argv[1], argv[2:]
    cer = load_cer(cer_py)
    pages = []
    with open(os.path.join(work, "sets.tsv"), encoding="utf-8") as f:
        for line in f:
            s, img, gt, group = line.rstrip("\n").split("\t")
            pages.append((s, img, gt, group))

    # rows[(set, engine)] = list of per-page dicts
    rows = collections.defaultdict(list)
    for n, (s, img, gt, group) in enumerate(pages, 1):
        ref = read(gt)
        for e in engines:
            hyp = read(os.path.join(work, e, "%d.txt" % n))
            sc = cer.score(ref, hyp)
            ex, tot = recall(ref, hyp, False)
            fo, _ = recall(ref, hyp, True)
            secs = float(read(os.path.join(work, e, "%d.s" % n)) or "nan")
            rows[(s, e)].append({"group": group, "cer": sc["cer"], "ex": ex,
                                 "fo": fo, "tot": tot, "s": secs,
                                 "img": os.path.basename(img)})

    def summary(rs):
        n = len(rs)
        tot = sum(r["tot"] for r in rs) or 1
        return (sum(r["cer"] for r in rs) / n, sum(r["ex"] for r in rs) / tot,
                sum(r["fo"] for r in rs) / tot, sum(r["s"] for r in rs) / n)

    subsets = [("degraded", "all", lambda r: True),
               ("degraded", "clean page", lambda r: r["group"] == "clean"),
               ("eval-public", "all", lambda r: True),
               ("eval-public", "real scans", lambda r: r["group"] != "synthetic"),
               ("eval-public", "clean (synthetic)", lambda r: r["group"] == "synthetic")]
    print("%-12s %-18s %-10s %4s %7s %8s %8s %7s" % (
        "set", "pages", "engine", "n", "CER", "recall", "folded", "s/page"))
    print("-" * 82)
    res = {}
    for s, label, pred in subsets:
        printed = False
        for e in engines:
            rs = [r for r in rows.get((s, e), []) if pred(r)]
            if not rs:
                continue
            c, ex, fo, sec = summary(rs)
            res[(s, label, e)] = (c, ex, fo, sec)
            print("%-12s %-18s %-10s %4d %7.4f %8.4f %8.4f %7.2f" % (
                s, label, e, len(rs), c, ex, fo, sec))
            printed = True
        if printed:
            print()

    # Per condition of the degraded set: mean CER.
    groups = []
    for r in rows.get(("degraded", engines[0]), []):
        if r["group"] not in groups:
            groups.append(r["group"])
    if groups:
        print("degraded set, mean CER per condition (2 pages each):")
        print("%-12s" % "condition" + "".join("%11s" % e for e in engines))
        for g in groups:
            line = "%-12s" % g
            for e in engines:
                rs = [r for r in rows[("degraded", e)] if r["group"] == g]
                line += "%11.4f" % (sum(r["cer"] for r in rs) / len(rs))
            print(line)
        print()

    # sohoa: preprocessing against recognition, from page_info.
    pre = rec = 0.0
    npg = 0
    for n in range(1, len(pages) + 1):
        try:
            info = json.loads(read(os.path.join(work, "sohoa", "%d.pages" % n)) or "[]")
        except json.JSONDecodeError:
            info = []
        for p in info or []:
            pp = p.get("preprocess") or {}
            pre += pp.get("seconds", 0.0)
            rec += p.get("ocr_seconds", 0.0)
            npg += 1
    if npg:
        print("sohoa per page: preprocessing %.3f s, recognition %.3f s: "
              "preprocessing is %.0f %% of recognition (goal <= 20 %%)" % (
                  pre / npg, rec / npg, 100 * pre / rec if rec else 0))

    # The goals of issue 6.
    def get(s, l, e):
        return res.get((s, l, e))
    so, te, om = (get("degraded", "all", e) for e in ("sohoa", "tesseract", "ocrmypdf"))
    if so and te:
        print("degraded CER: sohoa %.4f vs 0.6 x tesseract %.4f: %s" % (
            so[0], 0.6 * te[0], "met" if so[0] <= 0.6 * te[0] else "NOT met"))
        if om:
            print("degraded CER: sohoa %.4f vs ocrmypdf %.4f: %s" % (
                so[0], om[0], "met" if so[0] < om[0] else "NOT met"))
        print("degraded folded word recall: sohoa %.4f (goal >= 0.97): %s" % (
            so[2], "met" if so[2] >= 0.97 else "NOT met"))
    for s, l in (("degraded", "clean page"), ("eval-public", "clean (synthetic)")):
        for other in ("tesseract", "sohoa-raw"):
            a, b = get(s, l, "sohoa"), get(s, l, other)
            if a and b:
                print("%s %s CER: sohoa %.4f vs %s %.4f: %s" % (
                    s, l, a[0], other, b[0],
                    "no worse" if a[0] <= b[0] + 1e-9 else "WORSE"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
