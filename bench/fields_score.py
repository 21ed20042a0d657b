#!/usr/bin/env python3
"""Scores what bench/fields collected and prints its tables.

usage: bench/fields_score.py [--json] WORKDIR CER_PY SOHOA DATADIR ENGINE...

WORKDIR/pages.tsv has one page a line: name, image, ground-truth text (in
block order), fields truth (or -), kind, look, overlays, the ground truth in
row order (optional).  WORKDIR/ENGINE/NAME.txt is an
engine's text of a page; WORKDIR/records.json is `sohoa ingest --json`'s
output, one object a line.  Searches run `SOHOA search --data DATADIR`.

Fields (sohoa only): a field is right when it equals the truth, null where
the truth is null included (a field the truth file does not name is not
scored); a wrong value is one shown where the truth is another or null;
numbers and codes compared with case and
spaces ignored, text after NFC with case and runs of spaces ignored, people
and id_numbers as sets.  Accuracy = right / pages.  An "invented" dossier
code is a value where the truth is null or another code.  Fields the JSON
contract does not carry yet (procedure_code, valid_until) count as null.

Text (every engine): mean CER over pages, word recall exact and folded
(bench/textscore.py), pooled over the pages' words.  The headers stand side
by side, so a text may rightly read them as blocks (the left header, then
the right) or across the page: the CER of a page is the lower of its CER
against either ground truth, and both are shown too.

Search (sohoa): for each page, its holder's name with and without
diacritics, its first ID number, its dossier code and its document number
as issued, each through `sohoa search --limit 3`: the share of pages found
in the top 3, among the pages that have such a value.
"""
import collections
import json
import os
import re
import subprocess
import sys
import unicodedata

from textscore import fold, load_cer, read, recall

FIELDS = ["doc_type", "doc_number", "issued_on", "people", "id_numbers",
          "dossier_code", "procedure_code", "valid_until"]
SHAPES = [("name", "name with diacritics"), ("name_folded", "name without diacritics"),
          ("id", "ID number"), ("dossier", "dossier code"),
          ("number", "document number as issued")]


def nfc_text(s):
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s)).strip().casefold()


def code(s):
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", s)).upper()


def same(field, truth, got):
    if field in ("people", "id_numbers"):
        norm = nfc_text if field == "people" else code
        return {norm(x) for x in truth or []} == {norm(x) for x in got or [] if x}
    if truth is None or got is None:
        return truth is None and (got is None or got == "")
    if field == "doc_type":
        return nfc_text(truth) == nfc_text(got)
    if field in ("issued_on", "valid_until"):
        return truth == got
    return code(truth) == code(got)


def show(v):
    if isinstance(v, list):
        return "[" + ", ".join(v) + "]"
    return "null" if v is None else repr(v)


def folded_query(name):
    return " ".join(fold(w) for w in unicodedata.normalize("NFC", name).split())


def search(sohoa, data, query):
    try:
        out = subprocess.run([sohoa, "search", "--data", data, "--json", "--limit", "3",
                              query], capture_output=True, text=True, timeout=60).stdout
        return [r.get("source_name") for r in json.loads(out or "[]")]
    except (subprocess.SubprocessError, ValueError):
        return []


def main(argv):
    as_json = argv[:1] == ["--json"]
    if as_json:
        argv = argv[1:]
    work, cer_py, sohoa, data, engines = argv[0], argv[1], argv[2], argv[3], argv[4:]
    cer = load_cer(cer_py)
    pages = []
    with open(os.path.join(work, "pages.tsv"), encoding="utf-8") as f:
        for line in f:
            name, img, gt, fields, kind, look, overlays, *rows = line.rstrip("\n").split("\t")
            rows = rows[0] if rows and rows[0] and os.path.exists(rows[0]) else None
            pages.append({"name": name, "image": os.path.basename(img), "gt": gt, "rows": rows,
                          "fields": None if fields == "-" else fields, "kind": kind,
                          "look": look, "overlays": overlays})
    records = {}
    for line in read(os.path.join(work, "records.json")).splitlines():
        try:
            r = json.loads(line)
        except ValueError:
            continue
        records.setdefault(r.get("source_name"), r)

    # Text, every engine.
    text = {e: [] for e in engines}
    for p in pages:
        ref = read(p["gt"])
        rows = read(p["rows"]) if p["rows"] else None
        p["text"] = {}
        for e in engines:
            hyp = read(os.path.join(work, e, p["name"] + ".txt"))
            ex, tot = recall(ref, hyp, False)
            fo, _ = recall(ref, hyp, True)
            blocks = cer.score(ref, hyp)["cer"]
            across = cer.score(rows, hyp)["cer"] if rows else blocks
            row = {"cer": min(blocks, across), "cer_blocks": blocks, "cer_rows": across,
                   "exact": ex, "folded": fo, "words": tot}
            text[e].append(row)
            p["text"][e] = row

    def text_summary(rows):
        tot = sum(r["words"] for r in rows) or 1
        m = max(len(rows), 1)
        return {"pages": len(rows), "cer": sum(r["cer"] for r in rows) / m,
                "cer_blocks": sum(r["cer_blocks"] for r in rows) / m,
                "cer_rows": sum(r["cer_rows"] for r in rows) / m,
                "recall": sum(r["exact"] for r in rows) / tot,
                "recall_folded": sum(r["folded"] for r in rows) / tot}

    result = {"pages": len(pages), "text": {e: text_summary(text[e]) for e in engines}}
    looks = []
    for p in pages:
        if p["look"] not in looks:
            looks.append(p["look"])
    result["text_by_look"] = {
        lk: {e: text_summary([p["text"][e] for p in pages if p["look"] == lk])
             for e in engines} for lk in looks}

    # Fields and search, sohoa.
    fpages = [p for p in pages if p["fields"]]
    right = collections.Counter()
    scored = collections.Counter()
    wrong_value = collections.Counter()
    have = collections.Counter()
    right_have = collections.Counter()
    by_kind = collections.defaultdict(collections.Counter)
    kinds = collections.Counter()
    invented = 0
    qr = collections.Counter()
    nqr = 0
    found = collections.Counter()
    asked = collections.Counter()
    for p in fpages:
        truth = json.loads(read(p["fields"]))
        rec = records.get(p["image"]) or {}
        p["wrong"] = []
        if not rec or "error" in rec:
            p["wrong"].append("not recorded: %s" % rec.get("error", "no record"))
        kinds[p["kind"]] += 1
        for fld in FIELDS:
            if fld not in truth:
                continue
            scored[fld] += 1
            t, g = truth.get(fld), rec.get(fld)
            ok = same(fld, t, g)
            right[fld] += ok
            by_kind[p["kind"]][fld] += ok
            if t not in (None, []):
                have[fld] += 1
                right_have[fld] += ok
            if not ok and g not in (None, "", []):
                wrong_value[fld] += 1
            if not ok:
                p["wrong"].append("%s: %s, truth %s" % (fld, show(g), show(t)))
        if rec.get("dossier_code") and not same("dossier_code", truth.get("dossier_code"),
                                                rec.get("dossier_code")):
            invented += 1
        if truth.get("qr"):
            nqr += 1
            for fld in ("dossier_code", "procedure_code", "id_numbers"):
                qr[fld] += same(fld, truth.get(fld), rec.get(fld))
        if data and sohoa:
            queries = {}
            if truth.get("holder"):
                queries["name"] = truth["holder"]
                queries["name_folded"] = folded_query(truth["holder"])
            if truth.get("id_numbers"):
                queries["id"] = truth["id_numbers"][0]
            if truth.get("dossier_code"):
                queries["dossier"] = truth["dossier_code"]
            if truth.get("doc_number"):
                queries["number"] = truth["doc_number"]
            for shape, q in queries.items():
                asked[shape] += 1
                hit = p["image"] in search(sohoa, data, q)
                found[shape] += hit
                if not hit:
                    p["wrong"].append("search by %s %r: not in the top 3" % (
                        dict(SHAPES)[shape], q))
    n = len(fpages) or 1
    result["fields"] = {fld: {"right": right[fld], "accuracy": right[fld] / scored[fld],
                              "wrong_values": wrong_value[fld],
                              "pages_with_value": have[fld],
                              "right_with_value": right_have[fld]}
                        for fld in FIELDS if scored[fld]}
    result["fields_pages"] = len(fpages)
    result["dossier_codes_invented"] = invented
    result["fields_by_kind"] = {k: {"pages": kinds[k], **{f: by_kind[k][f] / kinds[k]
                                                          for f in result["fields"]}}
                                for k in kinds}
    result["qr_pages"] = {"pages": nqr, **{f: (qr[f] / nqr if nqr else None)
                                           for f in ("dossier_code", "procedure_code",
                                                     "id_numbers")}}
    result["search"] = {s: {"pages": asked[s], "found_top3": found[s],
                            "share": found[s] / asked[s] if asked[s] else None}
                        for s, _ in SHAPES if asked[s]}
    result["per_page"] = [{"page": p["name"], "kind": p["kind"], "look": p["look"],
                           "overlays": p["overlays"],
                           "cer": {e: round(p["text"][e]["cer"], 4) for e in engines},
                           "wrong": p.get("wrong", [])} for p in pages]
    if as_json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    print_tables(result, engines)
    return 0


def print_tables(r, engines):
    print("## Text (%d pages)\n" % r["pages"])
    print("| measure | " + " | ".join(engines) + " |")
    print("|---|" + "---:|" * len(engines))
    for key, label in (("cer", "CER, mean over pages (the better order)"),
                       ("cer_blocks", "CER, ground truth in block order"),
                       ("cer_rows", "CER, ground truth in row order"),
                       ("recall", "word recall, exact"),
                       ("recall_folded", "word recall, folded")):
        print("| %s | %s |" % (label, " | ".join("%.4f" % r["text"][e][key] for e in engines)))
    print("\nCER per look:\n")
    print("| look | pages | " + " | ".join(engines) + " |")
    print("|---|---:|" + "---:|" * len(engines))
    for lk, row in r["text_by_look"].items():
        print("| %s | %d | %s |" % (lk, row[engines[0]]["pages"],
                                     " | ".join("%.4f" % row[e]["cer"] for e in engines)))
    if not r["fields_pages"] or all(p["kind"] == "real" for p in r["per_page"]):
        print("\nCER per page (the better order):\n")
        print("| page | group | " + " | ".join(engines) + " |")
        print("|---|---|" + "---:|" * len(engines))
        for p in r["per_page"]:
            print("| %s | %s | %s |" % (p["page"], p["look"],
                                         " | ".join("%.4f" % p["cer"][e] for e in engines)))
    if not r["fields_pages"]:
        return
    print("\n## Fields, sohoa (%d pages)\n" % r["fields_pages"])
    print("| field | accuracy | right | wrong values | pages with a value | right among them |")
    print("|---|---:|---:|---:|---:|---:|")
    for f, v in r["fields"].items():
        print("| %s | %.3f | %d | %d | %d | %d |" % (f, v["accuracy"], v["right"],
                                                     v["wrong_values"], v["pages_with_value"],
                                                     v["right_with_value"]))
    print("| dossier codes invented | %d | | | | |" % r["dossier_codes_invented"])
    q = r["qr_pages"]
    if q["pages"]:
        print("\nPages with a QR code (%d): dossier_code %.3f, procedure_code %.3f, "
              "id_numbers %.3f right." % (q["pages"], q["dossier_code"], q["procedure_code"],
                                          q["id_numbers"]))
    print("\nAccuracy per kind of page:\n")
    scored = list(r["fields"])
    print("| kind | pages | " + " | ".join(scored) + " |")
    print("|---|---:|" + "---:|" * len(scored))
    for k, v in r["fields_by_kind"].items():
        print("| %s | %d | %s |" % (k, v["pages"], " | ".join("%.2f" % v[f] for f in scored)))
    if r["search"]:
        print("\n## Search, sohoa: the page in the top 3\n")
        print("| query | pages | found | share |")
        print("|---|---:|---:|---:|")
        for s, label in SHAPES:
            v = r["search"].get(s)
            if v:
                print("| %s | %d | %d | %.3f |" % (label, v["pages"], v["found_top3"],
                                                    v["share"]))
    print("\n## Per page: what sohoa got wrong\n")
    print("| page | overlays | CER " + "/".join(engines) + " | wrong |")
    print("|---|---|---|---|")
    for p in r["per_page"]:
        if p["wrong"] or p["kind"] == "real":
            print("| %s | %s | %s | %s |" % (
                p["page"], p["overlays"], "/".join("%.3f" % p["cer"][e] for e in engines),
                "; ".join(w.replace("|", "\\|") for w in p["wrong"]) or "-"))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
