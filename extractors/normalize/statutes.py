"""Statute mentions in one line of docket text, e.g. `11359 H&S`, `PC 664/187`, `HS11360(A)`,
`SEC. 11350 OF THE HEALTH AND SAFETY CODE`.

Reads: a section number next to one of the five codes (HS, PC, VC, BP, WI in any of their usual
spellings: `H&S`, `H.S.`, `HSC`, `P.C.`, `PEN`, `VEH`, `B&P`, `W&I`, `PENAL CODE` ...), the code before
or after the number, with or without separators (`H&S-11359`, `HS11360`, `SECTION 459 OF THE PENAL CODE`);
decimal sections (`12022.5`), lettered sections (`288a`, `476a`), subdivisions written `(b)`, `(A)(1)`,
`B`, `B2`; attempts written `664/11359`, `664-11359` or `ATTEMPTED 11359 HS` (returned as the target with
attempt=True); lists sharing one code (`11350/11351 HS`). Text across a line break is read too.

OCR: look-alikes are corrected (`1l359`, `113S9`, `H8S`, `HSS`, `H“S`, `UC`, `11357/B)`, `11357¢B>`,
`11357(8)`) ONLY when the corrected section, or subdivision, is in the table of sections. A number of four
or more digits that is not in the table is also tried with one digit swapped the way typewriter and
dot-matrix faces confuse them (0/6, 0/8, 0/9, 5/6, 6/8, 3/8, 3/5, 8/9, 1/7: `11556` -> 11550) or with a lost
leading 1 (`1359 H&S` -> 11359), and taken only when exactly one such section is in the table. Every
correction sets `corrected`. Otherwise an unreadable or unknown section is returned as read with
known=False, never replaced by a guess.

Refuses: a number with no code next to it (the extractor decides from context), money (`$459`,
`1,359.00`), dates and times (`3/14/88`, `23:30:02`), case and booking numbers (`BA012345`,
`1234567`), sections starting with 0, table rules (`|647` is 647), a count number before a code that has
its own number (`681 HS 113593`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..types import Statute
from ._ocr import LETTER_FOR, to_digits
from .sections import SectionInfo, canonical_section, is_known, section_info

__all__ = ["StatuteMatch", "find_statutes", "parse_statute", "is_known", "section_info", "SectionInfo"]


@dataclass(frozen=True, slots=True)
class StatuteMatch:
    """A statute found in text: character span [start, end), the text read, the statute, and whether
    an OCR correction was needed to read it."""

    start: int
    end: int
    raw: str
    statute: Statute
    corrected: bool = False


# --------------------------------------------------------------------------- code tokens

_CODE_PATTERNS: dict[str, list[str]] = {
    "HS": [
        r"HEALTH\s*(?:&|AND)\s*SAFETY(?:\s+CODE)?",
        r"H\.?\s?(?:[&/+8$e]\s?)?S\.?\s?C(?:ODE)?\.?",  # HSC, H&SC, H.S.C., H&S CODE
        r"H\s?[&/+8$e“”\"]\s?SS?\.?",  # H&S, H/S, H + S; OCR: H8S, HeS, H“S
        r"H\.\s?S\.?",  # H.S.
        r"HSS?",  # HS; OCR: HSS
    ],
    "PC": [
        r"PENAL(?:\s+CODE)?",
        r"PEN\.?(?:\s?CODE)?",
        r"P(?:\.\s?|\s?[/\-]\s?|\s)?C\.?(?:\s?CODE)?",
    ],
    "VC": [
        r"VEHICLE\s+CODE",  # not "VEHICLE" alone: "VEHICLE THEFT" is an offense description
        r"VEH\.?(?:\s?C(?:ODE)?\.?)?",
        r"[VU](?:\.\s?|\s?[/\-]\s?|\s)?C\.?(?:\s?CODE)?",  # OCR: UC
    ],
    "BP": [
        r"BUS(?:INESS)?\.?\s*(?:&|AND)\s*PROF(?:ESSIONS?)?\.?(?:\s+CODE)?",
        r"B(?:\.\s?|\s?[&/]\s?|\s)?P\.?(?:\s?C(?:ODE)?\.?)?",
        r"(?<![0-9])8\s?&\s?P\.?",  # OCR: 8&P
    ],
    "WI": [
        r"WELF(?:ARE)?\.?\s*(?:&|AND)\s*INST(?:ITUTIONS?)?\.?(?:\s+CODE)?",
        r"W(?:\.\s?|\s?[&/]\s?|\s)?I\.?(?:\s?C(?:ODE)?\.?)?",
        r"W\s?[&/.]\s?[1l|]\.?",  # OCR: W&1, W&l
    ],
}
_CODE_RE = re.compile(
    "|".join(rf"(?P<{code}>(?<![A-Za-z])(?:{'|'.join(alts)})(?![A-Za-z]))" for code, alts in _CODE_PATTERNS.items()),
    re.IGNORECASE,
)
# Code spellings that need no OCR correction (letters only, upper case, dots/&/slashes/spaces removed).
_CLEAN_CODES = {"HS", "HSC", "HSCODE", "PC", "PCCODE", "PEN", "PENCODE", "PENAL", "PENALCODE", "VC", "VCCODE",
                "VEH", "VEHC", "VEHCODE", "VEHICLE", "VEHICLECODE", "BP", "BPC", "BPCODE", "WI", "WIC", "WICODE"}

# --------------------------------------------------------------------------- section tokens

_CONFUSABLE = "lI|OoSsB"  # letters read for digits inside a section number
_SECTION_RE = re.compile(
    r"(?:(?P<att>664)\s?[/\-]\s?)?"
    rf"(?P<core>[0-9lIO][0-9{_CONFUSABLE}]{{0,3}}[0-9])"  # not '|' first: a table rule
    r"(?:\.(?P<dec>[0-9lIOS]{1,3})(?![0-9]))?"
)
_SUFFIX_RE = re.compile(r"(?P<suf>[A-Za-z]{1,2})(?P<sufdigit>[0-9])?(?![A-Za-z0-9])")
_FIRST_SUB_RE = re.compile(
    r"\s?(?P<open>[(\[{¢<])\s?(?P<sub>[A-Za-z0-9]{1,2}|[£€])\s?(?P<close>[)\]}|J>])"  # (b) (A) (10); OCR: ¢B> <b) (£)
    r"|\s?(?P<open2>[¢<])(?P<sub2>[A-Za-z])(?P<close2>2)"  # OCR: ¢B2 for (B)
    r"|(?P<open3>[/|lI])(?P<sub3>[A-Za-z0-9])(?P<close3>[)\]}>])"  # OCR: /B)
    r"|\s?(?P<open4>[C¢])(?P<sub4>[A-Za-z])(?P<close4>D)(?![A-Za-z0-9])"  # OCR: CAD or ¢AD for (A)
)
_MORE_SUB_RE = re.compile(r"\s?[(\[{¢<]\s?[A-Za-z0-9]{1,2}\s?[)\]}|J>]")
_REAL_BRACKETS = set("()[]{}")
_SUB_LOOKALIKE = {"r": "a", "8": "b", "6": "b", "£": "f", "€": "e"}  # subdivision letters misread by OCR
# Digits that typewriter and dot-matrix faces let tesseract swap (read, printed).
# More pairs make more readings ambiguous, hence fewer guesses: a swap is taken only when it is the single fit.
_DIGIT_SWAPS = {frozenset(p) for p in ("06", "08", "09", "56", "68", "38", "35", "89", "17", "39")}

# Text allowed between a code and its section, in either order.
_GAP_CODE_FIRST = re.compile(r"\s*(?:[-:.,/§#]\s*)*(?:(?:SEC(?:TION)?S?|SS?|NO)\.?\s*(?:[-:.,§#]\s*)*)?", re.I)
_GAP_SECTION_FIRST = re.compile(r"\s*(?:[-:.,/]\s*)?(?:OF\s+(?:THE\s+)?)?", re.I)
_ATTEMPT_WORD = re.compile(r"\bATTEMPT(?:ED)?\.?\s*$|\bATT\.\s*$", re.I)
_CHAIN_GAP = re.compile(r"\s*(?:[,/&]|AND|OR)\s*", re.I)


@dataclass(frozen=True, slots=True)
class _CodeTok:
    start: int
    end: int
    code: str
    corrected: bool


@dataclass(frozen=True, slots=True)
class _SecTok:
    start: int
    end: int
    core: str
    dec: str | None
    suffix: str | None
    sub: str | None  # first subdivision as written inside its brackets
    attempt: bool
    bracket_ocr: bool  # '(' read as '/', 'l' ...
    sub_guess: bool = False  # both brackets read as letters ("CAD" for "(A)"): kept only if the table lists it


def _code_tokens(text: str) -> list[_CodeTok]:
    toks = []
    for m in _CODE_RE.finditer(text):
        code = m.lastgroup
        letters = re.sub(r"[\s.&/+\-]", "", m.group().upper())
        clean = letters in _CLEAN_CODES or any(w in letters for w in ("HEALTH", "BUS", "WELF"))
        toks.append(_CodeTok(m.start(), m.end(), code, not clean))
    return toks


def _left_ok(text: str, start: int, code_ends: set[int]) -> bool:
    if start == 0 or start in code_ends:
        return True
    prev = text[start - 1]
    if prev.isalnum() or prev in "$#@":  # '@' is a dot-matrix zero: "@63" is count 003
        return False
    if prev in "/.,-:" and start >= 2 and text[start - 2].isdigit():
        return False  # part of a date, a time, money or a number range
    return True


def _right_ok(text: str, end: int, code_starts: set[int]) -> bool:
    if end >= len(text) or end in code_starts:
        return True
    nxt = text[end]
    if nxt.isalnum():
        return False
    rest = text[end:end + 4]
    if re.match(r"[/\-:]\s?\d|,\d{3}|\.\d", rest):
        return False  # a date, a time, a range, thousands, a longer decimal
    return True


def _section_tokens(text: str, codes: list[_CodeTok]) -> list[_SecTok]:
    code_ends = {c.end for c in codes}
    code_starts = {c.start for c in codes}
    # a section may also follow its code after separators ("H&S-11359", "PC SEC. 459")
    for c in codes:
        g = _GAP_CODE_FIRST.match(text, c.end)
        code_ends.add(g.end())
    toks: list[_SecTok] = []
    for m in _SECTION_RE.finditer(text):
        core = m.group("core")
        if sum(ch.isdigit() for ch in core) < 2 or (to_digits(core, _CONFUSABLE) or "0").startswith("0"):
            continue
        if any(c.start < m.end() and m.start() < c.end for c in codes):
            continue
        dec = m.group("dec")
        if dec is not None and set(dec) <= {"0", "O"}:
            continue  # money: 459.00
        end = m.end()
        suffix = None
        sm = _SUFFIX_RE.match(text, end)
        if sm and end not in code_starts:
            suffix = sm.group("suf")
            end = sm.end()
        sub, ocr_bracket = None, False
        fm = _FIRST_SUB_RE.match(text, end)
        if fm:
            sub, n = _sub_of(fm)
            ocr_bracket = not {fm.group("open" + n), fm.group("close" + n)} <= _REAL_BRACKETS
            end = fm.end()
            while (mm := _MORE_SUB_RE.match(text, end)):
                end = mm.end()
        if not _left_ok(text, m.start(), code_ends):
            continue
        chained_slash = text[end:end + 1] == "/" and _SECTION_RE.match(text, end + 1) is not None and len(core) >= 3
        if not chained_slash and not _right_ok(text, end, code_starts):
            continue
        toks.append(_SecTok(m.start(), end, core, dec, suffix, sub, m.group("att") is not None, ocr_bracket,
                            sub_guess=bool(fm and fm.group("sub4"))))
    # "11350/11351": the second number starts after '/', which _left_ok refuses after a digit
    return _add_slash_chained(text, toks, codes)


def _add_slash_chained(text: str, toks: list[_SecTok], codes: list[_CodeTok]) -> list[_SecTok]:
    """Second and later members of 'NNNNN/NNNNN' lists, which the left-boundary rule refuses."""
    out = list(toks)
    code_starts = {c.start for c in codes}
    frontier = list(toks)
    while frontier:
        t = frontier.pop()
        if text[t.end:t.end + 1] != "/" or len(t.core) < 3:
            continue
        m = _SECTION_RE.match(text, t.end + 1)
        if not m or m.group("att") or len(m.group("core")) < 3 or any(o.start == m.start() for o in out):
            continue
        end = m.end()
        fm = _FIRST_SUB_RE.match(text, end)
        sub = fm.group("sub") if fm else None
        end = fm.end() if fm else end
        chained = text[end:end + 1] == "/"
        if not chained and not _right_ok(text, end, code_starts):
            continue
        nt = _SecTok(m.start(), end, m.group("core"), m.group("dec"), None, sub, False, False)
        out.append(nt)
        frontier.append(nt)
    return sorted(out, key=lambda t: t.start)


# --------------------------------------------------------------------------- reading a section

def _sub_for(info: SectionInfo | None, raw: str | None) -> tuple[str | None, bool]:
    """Lower-case subdivision; a look-alike is swapped only when the table lists it and not the raw form."""
    if raw is None:
        return None, False
    sub = raw.lower()
    if info is None or not info.subdivisions or sub in info.subdivisions:
        return sub, False
    if len(sub) == 1:
        for alt in (LETTER_FOR.get(sub, "").lower(), to_digits(raw) or "", _SUB_LOOKALIKE.get(sub, "")):
            if alt and alt in info.subdivisions:
                return alt, True
    return sub, False


def read_subdivision(info: SectionInfo, text: str) -> str | None:
    """The first bracketed subdivision in `text` ("¢4)" -> "a" for a section with an (a)), or None when
    there is none or the table does not list what it reads as."""
    m = _FIRST_SUB_RE.search(text)
    if m is None:
        return None
    sub, _ = _sub_for(info, _sub_of(m)[0])
    return sub if sub in info.subdivisions else None


def _sub_of(fm: re.Match) -> tuple[str, str]:
    """The subdivision a _FIRST_SUB_RE match read, and the suffix of the alternative that read it."""
    n = next(i for i in ("", "2", "3", "4") if fm.group("sub" + i) is not None)
    return fm.group("sub" + n), n


def _read(code: str, tok: _SecTok) -> tuple[Statute, bool]:
    """Choose the reading of a section token: as printed if known, else an OCR correction if known,
    else as printed with known=False."""
    lit = tok.core if tok.core.isdigit() else None
    fixed = to_digits(tok.core, _CONFUSABLE)
    dec_lit = tok.dec if tok.dec and tok.dec.isdigit() else None
    dec_fix = to_digits(tok.dec, "lIOS") if tok.dec else None
    suf = tok.suffix.lower() if tok.suffix else None
    for base, dec, corrected in ((lit, dec_lit, False), (fixed, dec_fix, fixed != tok.core or dec_fix != tok.dec)):
        if base is None or (tok.dec and dec is None):
            continue
        options: list[tuple[str, str | None]] = []  # (section, subdivision as written)
        if dec:
            if suf:
                options.append((f"{base}.{dec}{suf}", tok.sub))
            options.append((f"{base}.{dec}", suf or tok.sub))
        if suf:
            options.append((base + suf, tok.sub))
            options.append((base, suf[0]))
        if not dec and not suf:
            options.append((base, tok.sub))
        if dec:  # "314.1" written for PC 314 subdivision 1
            info = section_info(code, base)
            if info and dec in info.subdivisions:
                options.append((base, dec))
        for section, sub in options:
            info = section_info(code, section)
            if info:
                subdivision, sub_fixed = _sub_for(info, sub)
                if tok.sub_guess and subdivision not in info.subdivisions:
                    subdivision = None
                return (Statute(code, section, subdivision, tok.attempt, True),
                        corrected or sub_fixed or tok.bracket_ocr)
    # one digit swapped by the typeface (11556 for 11550), or a thin leading 1 lost (1359 for 11359),
    # when exactly one known section fits
    base = lit or fixed
    if base and not tok.dec and len(base) >= 4:
        near = {cand for cand in digit_neighbors(base) | {"1" + base} if section_info(code, cand)}
        if len(near) == 1:
            section = near.pop()
            subdivision, _ = _sub_for(section_info(code, section), suf[0] if suf else tok.sub)
            return Statute(code, section, subdivision, tok.attempt, True), True
    # unknown: keep what was printed
    section = (lit or tok.core.upper()) + (f".{tok.dec.upper()}" if tok.dec else "")
    sub = suf[0] if suf else tok.sub
    return Statute(code, canonical_section(section) or section, sub.lower() if sub else None, tok.attempt, False), False


def digit_neighbors(digits: str) -> set[str]:
    """Numbers that differ from `digits` by one typeface swap (see _DIGIT_SWAPS)."""
    out = set()
    for i, ch in enumerate(digits):
        for pair in _DIGIT_SWAPS:
            if ch in pair:
                other = next(iter(pair - {ch}))
                if i or other != "0":
                    out.add(digits[:i] + other + digits[i + 1:])
    return out


# --------------------------------------------------------------------------- pairing codes and sections

def _pair(text: str, codes: list[_CodeTok], secs: list[_SecTok]) -> list[tuple[_SecTok, _CodeTok]]:
    """Best set of adjacent (section, code) pairs: known sections weigh more; code-after wins ties."""
    toks: list[_CodeTok | _SecTok] = sorted([*codes, *secs], key=lambda t: t.start)

    def weight(a, b) -> float:
        if isinstance(a, _SecTok) == isinstance(b, _SecTok):
            return 0.0
        gap = text[a.end:b.start]
        if isinstance(a, _CodeTok):
            if not _GAP_CODE_FIRST.fullmatch(gap):
                return 0.0
            code, sec, bonus = a, b, 0.0
        else:
            if not _GAP_SECTION_FIRST.fullmatch(gap):
                return 0.0
            code, sec, bonus = b, a, 0.01
        statute = _read(code.code, sec)[0]
        if statute.known:
            return 10.0 + bonus
        if sec is a and re.match(r"\s*[-:]?\s*[0-9lI]", text[b.end:b.end + 4]):
            return 0.0  # "681 HS 113593": the code has its own (unreadable) number; 681 is a count
        return 1.0 + 0.4 * min(len(statute.section), 5) + bonus  # unknown: longer numbers look more like sections

    n = len(toks)
    best = [0.0] * (n + 1)
    take = [False] * (n + 1)
    for i in range(2, n + 1):
        w = weight(toks[i - 2], toks[i - 1])
        best[i], take[i] = best[i - 1], False
        if w > 0 and best[i - 2] + w > best[i]:
            best[i], take[i] = best[i - 2] + w, True
    pairs = []
    i = n
    while i >= 2:
        if take[i]:
            a, b = toks[i - 2], toks[i - 1]
            pairs.append((a, b) if isinstance(a, _SecTok) else (b, a))
            i -= 2
        else:
            i -= 1
    return sorted(pairs, key=lambda p: min(p[0].start, p[1].start))


def find_statutes(text: str) -> list[StatuteMatch]:
    """Every statute mention in a line of text, left to right."""
    codes = _code_tokens(text)
    secs = _section_tokens(text, codes)
    pairs = _pair(text, codes, secs)
    found: dict[int, StatuteMatch] = {}
    code_of: dict[int, _CodeTok] = {}
    for sec, code in pairs:
        statute, corrected = _read(code.code, sec)
        start, end = min(sec.start, code.start), max(sec.end, code.end)
        if not statute.attempt and (w := _ATTEMPT_WORD.search(text, max(0, start - 12), start)):
            statute, start = replace(statute, attempt=True), w.start()
        found[sec.start] = StatuteMatch(start, end, text[start:end], statute, corrected or code.corrected)
        code_of[sec.start] = code
    # members of a list sharing one code: "11350, 11351 HS", "HS 11359/11360"
    changed = True
    while changed:
        changed = False
        for i, sec in enumerate(secs):
            if sec.start in found:
                continue
            for j in (i - 1, i + 1):
                if not 0 <= j < len(secs) or secs[j].start not in code_of:
                    continue
                a, b = (secs[j], sec) if j < i else (sec, secs[j])
                if not _CHAIN_GAP.fullmatch(text[a.end:b.start]):
                    continue
                code = code_of[secs[j].start]
                statute, corrected = _read(code.code, sec)
                if not statute.known:
                    continue
                found[sec.start] = StatuteMatch(sec.start, sec.end, text[sec.start:sec.end], statute, corrected)
                code_of[sec.start] = code
                changed = True
                break
    return [found[k] for k in sorted(found)]


def parse_statute(text: str) -> Statute | None:
    """The statute of one field (`11357(B) HS`, `PC 664/187`), or None when no code-and-section is in it."""
    matches = find_statutes(text or "")
    return matches[0].statute if matches else None
