"""Text scoring shared by bench/quality_score.py and bench/fields_score.py.

Character error rate is eval-public's cer.py (NFC, whitespace collapsed,
Levenshtein / reference characters) when it is there, else the same
computed here.  Word recall is the share of the reference's words (a
multiset, punctuation trimmed from their ends) that the text has: exact,
and with case, tone and vowel marks folded and đ read as d, which is how a
clerk's search matches.  Standard library only.
"""
import collections
import importlib.util
import os
import re
import unicodedata

PUNCT = re.compile(r"^[\W_]+|[\W_]+$")


class OwnCer:
    """cer.py's normalisation and distance, for when eval-public is absent."""

    @staticmethod
    def score(reference, hypothesis):
        ref = re.sub(r"\s+", " ", unicodedata.normalize("NFC", reference)).strip()
        hyp = re.sub(r"\s+", " ", unicodedata.normalize("NFC", hypothesis)).strip()
        prev = list(range(len(hyp) + 1))
        for i, a in enumerate(ref, 1):
            cur = [i]
            for j, b in enumerate(hyp, 1):
                cur.append(min(prev[j - 1] + (a != b), cur[j - 1] + 1, prev[j] + 1))
            prev = cur
        return {"cer": prev[-1] / len(ref) if ref else float(len(hyp) > 0)}


def load_cer(path):
    if not os.path.exists(path):
        return OwnCer
    spec = importlib.util.spec_from_file_location("cer", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def fold(word):
    s = unicodedata.normalize("NFD", word.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in s if not unicodedata.combining(c))


def words(text, folded):
    out = []
    for w in unicodedata.normalize("NFC", text).split():
        w = PUNCT.sub("", w)
        if w:
            out.append(fold(w) if folded else w)
    return collections.Counter(out)


def recall(ref, hyp, folded):
    r, h = words(ref, folded), words(hyp, folded)
    return sum((r & h).values()), sum(r.values())


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


