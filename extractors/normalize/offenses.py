"""Does the offense typed on a count's row fit the code section read for it?

Docket rows give the section and a short description ("11358 HS  CULTIVATE MJ"). A section misread by
one look-alike digit (11353 for 11358) is a real section, so the table of sections alone cannot catch
it; the description can. `support` counts the description's words that the section's title in the
table also uses, after expanding the usual docket abbreviations (POSS, MJ, CONTR SUBST, ADW ...) and
comparing word stems (the first five letters: CULTIVATE ~ Cultivation). `reread` returns the one
look-alike section whose title the row supports when the section as read has no support at all.

Titles are joined by the names dockets commonly give the same offenses (`extractors/data/offense_names.csv`:
"drunk in public" for PC 647, "ADW" for PC 245), which the code books' titles do not use.

It never guesses from thin air: a row without a description (prose, a bare section) supports
nothing and changes nothing, and two look-alikes that fit equally well change nothing either.
"""
from __future__ import annotations

import csv
import io
import re
from functools import lru_cache
from importlib import resources

from rapidfuzz.distance import Levenshtein

from extractors.normalize._ocr import DIGIT_FOR
from extractors.normalize.sections import all_sections, section_info
from extractors.normalize.statutes import digit_neighbors, read_subdivision
from extractors.types import Statute

__all__ = ["support", "reread", "from_description", "subdivision_fit"]

# Abbreviations as typed on dockets and minute orders, spelled out as the code books' titles spell them.
_ABBREV = {
    "POSS": "POSSESSION", "POS": "POSSESSION", "POSSESS": "POSSESSION", "MJ": "MARIJUANA", "MARIJ": "MARIJUANA",
    "MARIHUANA": "MARIJUANA", "CONC": "CONCENTRATED", "HASH": "CANNABIS", "HASHISH": "CANNABIS",
    "CULT": "CULTIVATION", "PLANTING": "CULTIVATION", "PLANT": "CULTIVATION", "GROW": "CULTIVATION",
    "TRANSP": "TRANSPORTATION", "TRANS": "TRANSPORTATION", "TRANSPORT": "TRANSPORTATION", "SELL": "SALE",
    "SELLING": "SALE", "SALES": "SALE", "SOLD": "SALE", "GIVE": "GIFT", "GIVING": "GIFT", "FURN": "FURNISHING",
    "NARC": "NARCOTIC", "CONTR": "CONTROLLED", "CNTL": "CONTROLLED", "SUBST": "SUBSTANCE", "SUBS": "SUBSTANCE",
    "CS": "CONTROLLED SUBSTANCE", "ADW": "ASSAULT DEADLY WEAPON", "ASLT": "ASSAULT", "UI": "UNDER INFLUENCE",
    "DUI": "DRIVING UNDER INFLUENCE", "INTOX": "INTOXICATED", "LIC": "LICENSE", "SUSP": "SUSPENDED",
"HYPO": "HYPODERMIC", "OBSTR": "OBSTRUCTING", "OBSTRUCT": "OBSTRUCTING",
    "RESIST": "RESISTING", "BURG": "BURGLARY", "RECV": "RECEIVING", "RCV": "RECEIVING", "STLN": "STOLEN",
    "PROP": "PROPERTY", "WPN": "WEAPON", "WEAP": "WEAPON", "GBI": "GREAT BODILY INJURY", "PARA": "PARAPHERNALIA",
}
# Words of the row that describe the docket entry, not the offense, and title words that say nothing.
_IGNORE = {
    "A", "AN", "THE", "OF", "OR", "AND", "FOR", "TO", "IN", "ON", "BY", "WITH", "W", "NOT", "UNDER", "OVER",
    "HEALTH", "SAFETY", "PENAL", "CODE", "SECTION", "SEC", "VIOLATION", "COUNT", "COUNTS", "CT", "CNT",
    "FELONY", "FEL", "MISDEMEANOR", "MISD", "MISD.", "INFRACTION", "CONVICTED", "CONV", "PLEA", "GUILTY", "NOLO",
    "DISMISSED", "DISM", "ACQUITTED", "DIVERTED", "DIVERSION", "PENDING", "COURT", "JURY", "TRIAL", "SENTENCE",
    "PROBATION", "DAYS", "JAIL", "FINE", "CHARGES", "CHARGED", "DEFENDANT", "INFORMATION", "COMPLAINT", "FILED",
    "DEGREE", "ENHANCEMENT", "HS", "PC", "VC", "BP", "WI", "HSC", "PEN", "ETC",
}


def _stems(text: str) -> set[str]:
    words: list[str] = []
    for w in re.findall(r"[A-Za-z]+", text.upper()):
        words.extend(_ABBREV.get(w, w).split())
    return {w[:5] for w in words if len(w) >= 3 and w not in _IGNORE}


@lru_cache(maxsize=1)
def _common_names() -> dict[tuple[str, str], str]:
    raw = resources.files("extractors.data").joinpath("offense_names.csv").read_text(encoding="utf-8")
    return {(r["code"], r["section"]): r["names"].replace("|", " ") for r in csv.DictReader(io.StringIO(raw))}


@lru_cache(maxsize=4096)
def _title_stems(code: str, section: str) -> frozenset[str]:
    info = section_info(code, section)
    if info is None:
        return frozenset()
    return frozenset(_stems(info.title + " " + _common_names().get((info.code, info.section), "")))


def support(st: Statute, text: str) -> int:
    """How many of the row's description words the section's title also uses (0 when the section is
    not in the table or the row has no description)."""
    return len(_title_stems(st.code, st.section) & _stems(text))


def confirms(st: Statute, text: str) -> bool:
    """The row's description names the offense of the section as read (two words or more), and names
    no look-alike section (one digit swapped by the typeface) as well: OCR could not have turned one
    section into another that the same words describe."""
    if not st.known or "." in st.section or not st.section.isdigit():
        return False
    words = _stems(text)
    n = len(_title_stems(st.code, st.section) & words)
    if n < 2:
        return False
    return all(len(_title_stems(st.code, c) & words) < n for c in digit_neighbors(st.section)
               if section_info(st.code, c) is not None)


def reread(st: Statute, text: str) -> Statute | None:
    """The look-alike section (one digit swapped by the typeface) that the row's description supports,
    when the section as read is unknown or has no support, and exactly one look-alike has the most;
    else None."""
    whole, dot, dec = st.section.partition(".")
    if not whole.isdigit() or (dot and not dec.isdigit()) or (st.known and support(st, text)):
        return None
    # "12822.5" is 12022.5 with a slashed zero read as 8: the whole part's look-alikes, the decimal kept
    infos = [i for c in digit_neighbors(whole) if (i := section_info(st.code, c + dot + dec)) is not None]
    info = _best_supported(infos, _stems(text), at_least=1)
    if info is None:
        return None
    sub = st.subdivision if st.subdivision in info.subdivisions else None
    return Statute(st.code, info.section, sub, st.attempt, True)


def _best_supported(infos, words: set[str], at_least: int):
    """The one section the words support most (at least `at_least` words); None when none or a tie."""
    scored: dict[int, list] = {}
    for info in infos:
        n = len(_title_stems(info.code, info.section) & words)
        if n >= at_least:
            scored.setdefault(n, []).append(info)
    best = scored[max(scored)] if scored else []
    return best[0] if len(best) == 1 else None


def from_description(token: str, text: str) -> Statute | None:
    """A section no normalizer could read ("UC1e851", "1:12.50)", "L4ee", "20 245¢4)") on a row whose description names an
    offense: the one section of the table within two characters of the token's digits that the
    description supports best (two words or more). For review only: the caller marks it untrusted."""
    pieces = ["".join(ch if ch.isdigit() else DIGIT_FOR.get(ch, "") for ch in t) for t in token.split()]
    pieces = [d for d in pieces if len(d) >= 2]  # "20 245¢4)": the code read as digits, then the section
    if not pieces:
        return None
    near = [i for i in all_sections() if i.level != "procedure" and i.section.replace(".", "").isdigit()
            and any(Levenshtein.distance(i.section.replace(".", ""), d, score_cutoff=2) <= 2 for d in pieces)]
    info = _best_supported(near, _stems(text), at_least=2)
    return Statute(info.code, info.section, read_subdivision(info, token), False, True) if info else None


# ----------------------------------------------------------------------------- subdivisions

@lru_cache(maxsize=1)
def _subdivision_elements() -> dict[tuple[str, str], dict[str, re.Pattern]]:
    """(code, section) -> subdivision -> the pattern of what only that subdivision's offense has
    (`extractors/data/subdivision_elements.csv`: "UNDER 1 OZ" for HS 11357(b), "HASHISH" for (a))."""
    raw = resources.files("extractors.data").joinpath("subdivision_elements.csv").read_text(encoding="utf-8")
    out: dict[tuple[str, str], dict[str, re.Pattern]] = {}
    for r in csv.DictReader(io.StringIO(raw)):
        out.setdefault((r["code"], r["section"]), {})[r["subdivision"]] = re.compile(r["elements"], re.I)
    return out


def _named_subdivision(st: Statute, text: str) -> str | None:
    """The one subdivision of the statute's section whose element the row's description names (None:
    none, several, or a section the table does not break down)."""
    subs = _subdivision_elements().get((st.code, st.section))
    if not subs:
        return None
    named = [sub for sub, pattern in subs.items() if pattern.search(text)]
    return named[0] if len(named) == 1 else None


def subdivision_fit(st: Statute, text: str) -> bool | None:
    """Does the row's description name the element of the subdivision read, and of no other subdivision
    of the section? True: it names that one alone; False: it names another one alone (the subdivision
    or the row was misread); None: no subdivision was read, or the row says nothing that tells them
    apart, or the table has no such section."""
    if st.subdivision is None:
        return None
    named = _named_subdivision(st, text)
    return None if named is None else named == st.subdivision

