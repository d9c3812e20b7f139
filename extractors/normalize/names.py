"""Defendant names as typed on dockets.

Reads: `DOE, JOHN M`, `Doe,John M.`, `DEFENDANT: DOE, JOHN M  DOB 04/02/61`, `JOHN M DOE`, `PEOPLE VS. JOHN DOE`,
OCR-damaged labels (`perenpant DOE, JOHN`) and digits inside name words (`D0E` -> `DOE`).
Returns upper case, "LAST, FIRST MIDDLE" (middle names kept as written, a middle initial without its dot) when a
comma gives the order, or when the shape of a name written without one does: a middle initial last is a
printout's LAST FIRST M (`MARTIN KEVIN F`), one in the middle is FIRST M LAST (`LISA J SCHWARTZ`), and of two
words the one that is a common given name (data/given_names.txt) and not the other is the first name
(`EVANS KEVIN`, `RUBEN BROWN`). Otherwise the words in the order written. Hyphens and apostrophes inside names
stay.

Refuses (returns None): text with fewer than two letters left after removing labels, dates and numbers.
Stops at the first date, number or trailing label (DOB, SEX, AKA, ADDRESS, BOOKING, CII ...), and after
the dotted middle initial of a comma form ("DOE, JOHN M. xx" -> "DOE, JOHN M"), a suffix (JR, SR, III) excepted.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from rapidfuzz.distance import Levenshtein

__all__ = ["normalize_name"]

_LEAD_LABELS = ("DEFENDANT", "DEFENDANTS", "DEFT", "DEF", "DFT", "NAME", "DEFENDANTNAME", "PEOPLE", "VS", "V",
                "VERSUS", "THE", "OF", "STATE", "CALIFORNIA", "PLAINTIFF", "AND", "RE", "IN", "MATTER")
_FUZZY_LEAD = ("DEFENDANT", "PLAINTIFF", "CALIFORNIA")
_STOP = {"DATE", "DOB", "DB", "BD", "BIRTHDATE", "DOOB", "POB", "POP", "DOP", "BIRTH", "BORN", "SEX", "AKA", "ADDRESS", "ADDR", "BOOKING",
         "BKG", "CII", "AGE", "RACE", "HT", "WT", "DL", "SSN", "CASE", "CASENO", "DR", "DRNO", "ARREST", "ATTY"}
_SUFFIXES = {"JR", "SR", "II", "III", "IV"}
_DIGIT_AS_LETTER = str.maketrans({"0": "O", "1": "I", "5": "S", "8": "B", "|": "I", "$": "S"})


def _is_lead_label(word: str) -> bool:
    w = re.sub(r"[^A-Z]", "", word.upper())
    if not w:
        return True
    if w in _LEAD_LABELS:
        return True
    return len(w) >= 7 and any(Levenshtein.distance(w, lab, score_cutoff=3) <= 3 for lab in _FUZZY_LEAD)


def _clean_word(word: str) -> str:
    letters = sum(ch.isalpha() for ch in word)
    if letters * 2 > len(re.sub(r"[^A-Za-z0-9]", "", word) or "x"):
        word = word.translate(_DIGIT_AS_LETTER)
    return re.sub(r"[^A-Z'\-]", "", word.upper()).strip("'-")


def normalize_name(text: str) -> str | None:
    """Upper-case 'LAST, FIRST M' (or the words in written order when there is no comma); None if no name."""
    if not text:
        return None
    s = text.replace(";", ",")
    words = re.findall(r"[^\s,]+|,", s)
    out: list[str] = []
    out_raw: list[str] = []
    leading = True
    for w in words:
        if w == ",":
            out.append(",")
            continue
        key = re.sub(r"[^A-Z0-9]", "", w.upper()).replace("0", "O")
        if leading and (_is_lead_label(w) or re.fullmatch(r"[0-9@O]{1,2}[:.]?", w)):
            continue  # labels, and a defendant number such as "DEFENDANT 01:"
        leading = False
        if key in _STOP or sum(ch.isdigit() for ch in w) >= 2:
            break
        after_comma = sum(x != "," for x in out[out.index(",") + 1:]) if "," in out else 0
        if after_comma >= 2 and re.fullmatch(r"[A-Z]\.", out_raw[-1]) and key not in _SUFFIXES:
            break  # "DOE, JOHN M." ends the name; what follows is another field
        cw = _clean_word(w)
        if cw:
            out.append(cw)
            out_raw.append(w.upper())
    while out and out[0] == ",":
        out.pop(0)
    while out and out[-1] == ",":
        out.pop()
    if "," in out:
        i = out.index(",")
        last, rest = [w for w in out[:i]], [w for w in out[i + 1:] if w != ","]
        name = " ".join(last) + (", " + " ".join(rest) if rest else "")
    else:
        name = _last_first(out)
    return name if sum(ch.isalpha() for ch in name) >= 2 else None


@lru_cache(maxsize=1)
def _given_names() -> frozenset[str]:
    raw = resources.files("extractors.data").joinpath("given_names.txt").read_text(encoding="utf-8")
    return frozenset(x.strip() for x in raw.splitlines() if x.strip() and not x.startswith("#"))


def _last_first(words: list[str]) -> str:
    """A name written without a comma as 'LAST, FIRST M' where its shape or a given name tells the order."""
    if any(w in _SUFFIXES for w in words):
        return " ".join(words)
    initial = [len(w) == 1 for w in words]
    if len(words) == 3 and initial == [False, False, True]:  # MARTIN KEVIN F
        return f"{words[0]}, {words[1]} {words[2]}"
    if len(words) == 3 and initial == [False, True, False]:  # LISA J SCHWARTZ
        return f"{words[2]}, {words[0]} {words[1]}"
    if len(words) == 2 and not any(initial):
        first_a, first_b = (w in _given_names() for w in words)
        if first_b and not first_a:  # EVANS KEVIN
            return f"{words[0]}, {words[1]}"
        if first_a and not first_b:  # RUBEN BROWN
            return f"{words[1]}, {words[0]}"
    return " ".join(words)
