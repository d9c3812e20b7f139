"""Normalizers: docket text as OCR reads it in, canonical values out.

One module per kind of value: `statutes` (and the table of code sections in `sections`), `dates`,
`dispositions`, `levels`, `names`, `case_numbers`. Pure functions over strings; the only I/O is reading
the packaged table `extractors/data/ca_sections.csv`.
"""
from .case_numbers import CaseNumberMatch, find_case_numbers, normalize_case_number
from .dates import DateMatch, find_dates, parse_date, plausible
from .dispositions import SET_ASIDE, DispositionMatch, disposition_spans, find_dispositions, parse_disposition
from .levels import LevelMatch, find_levels, parse_level
from .names import normalize_name
from .sections import SectionInfo, canonical_code, is_known, section_info
from .statutes import StatuteMatch, find_statutes, parse_statute

__all__ = [
    "CaseNumberMatch", "find_case_numbers", "normalize_case_number",
    "DateMatch", "find_dates", "parse_date", "plausible",
    "SET_ASIDE", "DispositionMatch", "disposition_spans", "find_dispositions", "parse_disposition",
    "LevelMatch", "find_levels", "parse_level",
    "normalize_name",
    "SectionInfo", "canonical_code", "is_known", "section_info",
    "StatuteMatch", "find_statutes", "parse_statute",
]
