"""The table of California code sections seen on criminal dockets (`extractors/data/ca_sections.csv`).

Reads the packaged CSV once (columns: code, section, title, level, subdivisions) and answers
"is this section real?" and "what is it?". Codes are the contract's HS, PC, VC, BP, WI; sections are
keyed as written in the code books, letters lower case ("11357", "12022.5", "288a", "273ab").
`level` is the typical level of the offense (felony, misdemeanor, wobbler, infraction), `procedure` for
sections that are never a count (motions, probation, diversion, dismissal: PC 995, 1538.5, 1203.4, 1385 ...),
or None for enhancements and attempt (PC 664, 12022.5 ...), which dockets list with the counts.
It refuses nothing: unknown
sections simply are not in the table.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = ["SectionInfo", "canonical_code", "canonical_section", "is_known", "is_procedure", "section_info",
           "all_sections"]

_CODE_ALIASES = {
    "HS": "HS", "HSC": "HS", "HEALTHANDSAFETY": "HS", "HEALTHANDSAFETYCODE": "HS",
    "HEALTHSAFETY": "HS", "HEALTHSAFETYCODE": "HS",
    "PC": "PC", "PEN": "PC", "PENAL": "PC", "PENALCODE": "PC", "PENCODE": "PC",
    "VC": "VC", "VEH": "VC", "VEHC": "VC", "VEHCODE": "VC", "VEHICLE": "VC", "VEHICLECODE": "VC",
    "BP": "BP", "BPC": "BP", "BUSPROF": "BP", "BUSANDPROF": "BP", "BUSINESSPROFESSIONSCODE": "BP",
    "BUSINESSANDPROFESSIONS": "BP",
    "BUSINESSANDPROFESSIONSCODE": "BP", "BUSINESSPROFESSIONS": "BP",
    "WI": "WI", "WIC": "WI", "WELFINST": "WI", "WELFANDINST": "WI", "WELFAREINSTITUTIONS": "WI",
    "WELFAREINSTITUTIONSCODE": "WI", "WELFAREANDINSTITUTIONS": "WI",
    "WELFAREANDINSTITUTIONSCODE": "WI",
}


@dataclass(frozen=True, slots=True)
class SectionInfo:
    """One row of the table."""

    code: str
    section: str
    title: str
    level: str | None  # felony | misdemeanor | wobbler | infraction | None (enhancement, procedure)
    subdivisions: tuple[str, ...]


def canonical_code(code: str | None) -> str | None:
    """'H&S', 'hsc', 'Penal Code' -> 'HS', 'PC'; None when it is not one of the five codes."""
    if not code:
        return None
    key = re.sub(r"[^A-Z]", "", code.upper())
    stem = key[:-4] if key.endswith("CODE") and len(key) > 4 else key
    for k in (key, stem, key.replace("AND", ""), stem.replace("AND", "")):
        if k in _CODE_ALIASES:
            return _CODE_ALIASES[k]
    return None


def canonical_section(section: str | None) -> str | None:
    """' 288A ' -> '288a'; '12022.5' unchanged; None for empty input."""
    if section is None:
        return None
    s = re.sub(r"\s+", "", section).lower()
    return s or None


@lru_cache(maxsize=1)
def _table() -> dict[tuple[str, str], SectionInfo]:
    raw = resources.files("extractors.data").joinpath("ca_sections.csv").read_text(encoding="utf-8")
    rows: dict[tuple[str, str], SectionInfo] = {}
    for r in csv.DictReader(io.StringIO(raw)):
        code, section = r["code"].strip(), canonical_section(r["section"])
        subs = tuple(s.strip().lower() for s in r["subdivisions"].split("|") if s.strip())
        rows[(code, section)] = SectionInfo(code, section, r["title"].strip(), (r["level"] or "").strip() or None, subs)
    return rows


def all_sections() -> list[SectionInfo]:
    """Every row, in file order."""
    return list(_table().values())


def section_info(code: str | None, section: str | None) -> SectionInfo | None:
    """The table row for (code, section), or None when the section is not in the table."""
    c, s = canonical_code(code), canonical_section(section)
    if c is None or s is None:
        return None
    return _table().get((c, s))


def is_known(code: str | None, section: str | None) -> bool:
    """True when (code, section) is in the table."""
    return section_info(code, section) is not None


def is_procedure(code: str | None, section: str | None) -> bool:
    """A section cited for a motion or a step of the case (PC 995, 1385, 1203.4), never a count."""
    info = section_info(code, section)
    return info is not None and info.level == "procedure"
