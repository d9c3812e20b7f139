"""`cleardocket corrections export --out FILE`: reviewers' corrections as training data for the NER model.

Each corrected case becomes one line in the shape of the model's corpus (`models/scripts/build_corpus.py`),
so `models/scripts/to_docbin.py FILE corrections.spacy` converts it as it converts the generated corpus:

    {"seed": "review", "index": "<case id>", "pages": [{number, width, height, words: [[text, x0, y0, x1, y1,
     conf, line, block], ...]}], "spans": [[start, end, LABEL], ...], "missed": n, "complete": bool,
     "unplaced": [LABEL, ...], "corrections": [{"field", "before", "after", "evidence"}], "meta": {...}}

The words are read again from the stored scan by the product's own reader (`pipeline.read_pages`: the
PDF text layer, or cleanup + tesseract), so they are the words the model sees in production. The labels
come from the *corrected* record: each value a reviewer confirmed is looked for in the document text with
the product's normalizers (a statute, date, disposition, level or case number that reads as the record's
value), within its charge's evidence box where it has one. A value found nowhere, or found more than once
where one mention is expected (a date), is left unlabelled and counted in `missed`/`unplaced`: a span
categorizer takes unlabelled text as "not an entity", so `--complete-only` keeps only documents whose every
expected value was placed.

The file holds criminal-record text: keep it where case data is kept, never in the repository.
"""
from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from extractors.document import DocText, TextLine
from extractors.types import OcrPage

LABELS = ("CASE_NUMBER", "DEFENDANT", "DOB", "FILING_DATE", "COUNT_NO", "STATUTE", "LEVEL", "DISPOSITION",
          "DISPO_DATE", "PRIOR", "REGISTRATION")  # extractors.ner.NER_LABELS
SEED = "review"
_CHARGE_PATH = re.compile(r"^charges\[(\d+)\]\.")
_REGISTRATION_RE = re.compile(r"\bREG(?:ISTER|ISTRANT|ISTRATION|\.)?\b[^\n]{0,40}?\b290\b(?:\s*P\.?\s?C\.?)?",
                              re.IGNORECASE)


# ----------------------------------------------------------------------------- labelling (pure)

@dataclass
class Labelled:
    """Labelled character spans of one document, and the values that could not be placed."""

    spans: set[tuple[int, int, str]] = field(default_factory=set)
    unplaced: list[str] = field(default_factory=list)

    def add(self, label: str, hits: list[tuple[int, int]], *, many: bool) -> None:
        """Label `hits`: all of them when the value may be written many times, else only a single one."""
        hits = sorted(set(hits))
        if not hits or (len(hits) > 1 and not many):
            self.unplaced.append(label)
            return
        self.spans.update((s, e, label) for s, e in hits)


def _overlaps(a: tuple, b: tuple, slack: float = 0.0) -> bool:
    return a[0] < b[2] + slack and b[0] < a[2] + slack and a[1] < b[3] + slack and b[1] < a[3] + slack


def _line_box(line: TextLine) -> tuple[int, int, int, int]:
    ws = line.line.words
    return (min(w.bbox[0] for w in ws), min(w.bbox[1] for w in ws), max(w.bbox[2] for w in ws),
            max(w.bbox[3] for w in ws))


def charge_lines(doc: DocText, evidence: Mapping[str, Any] | None) -> list[TextLine]:
    """The lines of the document inside a charge's evidence box (its row on the page)."""
    if not evidence or not evidence.get("bbox"):
        return []
    page, box = evidence.get("page"), tuple(evidence["bbox"])
    return [ln for ln in doc.lines if ln.page == page and ln.line.words
            and _overlaps(_line_box(ln), box) and _vertical_share(_line_box(ln), box) >= 0.5]


def _vertical_share(a: tuple, b: tuple) -> float:
    inter = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    return inter / max(1, a[3] - a[1])


def _find(lines: Iterable[TextLine], finder: Callable[[str], list], want: Callable[[Any], bool]
          ) -> list[tuple[int, int]]:
    return [(ln.start + m.start, ln.start + m.end) for ln in lines for m in finder(ln.text) if want(m)]


def _names(lines: Iterable[TextLine], name: str, max_words: int = 6) -> list[tuple[int, int]]:
    """The shortest runs of words on a line that read as `name` (a label word before it stays out)."""
    from extractors.normalize import normalize_name

    out = []
    for ln in lines:
        words = [(m.start(), m.end()) for m in re.finditer(r"\S+", ln.text)]
        found: list[tuple[int, int]] = []
        for size in range(1, max_words + 1):
            for i in range(len(words) - size + 1):
                s, e = words[i][0], words[i + size - 1][1]
                if not any(a < e and s < b for a, b in found) and normalize_name(ln.text[s:e]) == name:
                    found.append((s, e))
        out += [(ln.start + s, ln.start + e) for s, e in found]
    return out


def _nearest(doc: DocText, hits: list[tuple[int, int]], anchor: tuple[int, int] | None) -> list[tuple[int, int]]:
    """One of several mentions of a disposition date: the one on the line of the disposition it goes with,
    else the nearest before it (a minute entry's date heads the entry), else the first after it; all of
    them when there is no disposition to go by (the caller then finds the value ambiguous)."""
    hits = sorted(set(hits))
    if len(hits) <= 1 or anchor is None:
        return hits
    line = doc.line_at(anchor[0])
    same = [h for h in hits if doc.line_at(h[0]) is line]
    if same:
        return same[:1]
    before = [h for h in hits if h[0] <= anchor[0]]
    return [before[-1]] if before else [hits[0]]


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def label_record(doc: DocText, record: Mapping[str, Any]) -> Labelled:
    """The labelled spans of `doc` for the values of a (corrected) case record."""
    from extractors.normalize import find_case_numbers, find_dates, find_dispositions, find_levels, find_statutes

    out = Labelled()
    charges = record.get("charges") or []
    regions = [charge_lines(doc, ch.get("evidence")) for ch in charges]
    in_charges = {ln.index for r in regions for ln in r}
    outside = [ln for ln in doc.lines if ln.index not in in_charges]

    if record.get("case_number"):
        out.add("CASE_NUMBER", _find(doc.lines, find_case_numbers, lambda m: m.value == record["case_number"]),
                many=True)
    name = (record.get("defendant") or {}).get("name")
    if name:
        out.add("DEFENDANT", _names(outside, name), many=True)
    case_dates = {"DOB": (record.get("defendant") or {}).get("dob"), "FILING_DATE": record.get("filing_date")}
    charge_dates = {ch.get("disposition_date") for ch in charges}
    for label, value in case_dates.items():
        if value:
            clash = value in charge_dates or list(case_dates.values()).count(value) > 1
            hits = _find(outside, find_dates, lambda m, v=value: _iso(m.value) == v)
            out.add(label, [] if clash else hits, many=True)  # every mention of the date is that date

    for ch, lines in zip(charges, regions, strict=True):
        if not lines:
            out.unplaced.extend(["STATUTE", "DISPOSITION"])
            continue
        want = (ch.get("code"), ch.get("section"), bool(ch.get("attempt")))
        statutes = _find(lines, find_statutes,
                         lambda m, w=want: (m.statute.code, m.statute.section, bool(m.statute.attempt)) == w)
        out.add("STATUTE", statutes[:1], many=False)
        if ch.get("count") is not None:
            first = min((s for s, _ in statutes), default=max(ln.end for ln in lines))
            rx = re.compile(rf"(?<![\w.]){int(ch['count']):d}(?![\w])|(?<![\w.])0{int(ch['count']):d}(?![\w])")
            hits = [(ln.start + m.start(), ln.start + m.end()) for ln in lines for m in rx.finditer(ln.text)
                    if ln.start + m.start() < first]
            out.add("COUNT_NO", hits[:1], many=False)
        if ch.get("level"):
            hits = _find(lines, lambda t: find_levels(t, allow_letters=True), lambda m, c=ch: m.value == c["level"])
            hits = [h for h in hits if not any(s <= h[0] < e for s, e in statutes)]
            out.add("LEVEL", hits[:1], many=False)
        dispo, placed = ch.get("disposition"), None
        if dispo and dispo != "unknown":
            hits = _find(lines, find_dispositions, lambda m, v=dispo: m.value == v) or \
                _find(outside, find_dispositions, lambda m, v=dispo: m.value == v)
            out.add("DISPOSITION", hits, many=False)
            placed = hits[0] if len(set(hits)) == 1 else None
        if ch.get("disposition_date"):
            value = ch["disposition_date"]
            hits = _find(lines, find_dates, lambda m, v=value: _iso(m.value) == v)[:1]
            if not hits and value not in case_dates.values():
                hits = _nearest(doc, _find(outside, find_dates, lambda m, v=value: _iso(m.value) == v), placed)
            out.add("DISPO_DATE", hits, many=False)

    for prior in record.get("priors") or []:
        hits = _find(outside, find_statutes, lambda m, p=prior: m.statute.code == p.get("code")
                     and m.statute.section == p.get("section"))
        out.add("PRIOR", hits, many=True)
    if (record.get("flags") or {}).get("pc290_registrant"):
        hits = [(ln.start + m.start(), ln.start + m.end())
                for ln in doc.lines for m in _REGISTRATION_RE.finditer(ln.text)]
        out.add("REGISTRATION", hits, many=True)
    return out


# ----------------------------------------------------------------------------- one corpus line

def page_json(p: OcrPage) -> dict[str, Any]:
    """A page as the model's corpus stores it (build_corpus.page_to_json)."""
    return {"number": p.number, "width": p.width, "height": p.height,
            "words": [[w.text, *w.bbox, w.conf, w.line, w.block] for w in p.words]}


def corrections_of(entries: Iterable[Any], record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """(field, before, after, evidence) of every correction a case had, oldest first."""
    out = []
    for e in sorted(entries, key=lambda e: e.id):
        before = (e.before or {}).get("fields") or {}
        after = (e.after or {}).get("fields") or {}
        for path in sorted(after):
            m = _CHARGE_PATH.match(path)
            charges = record.get("charges") or []
            ev = charges[int(m.group(1))].get("evidence") if m and int(m.group(1)) < len(charges) else None
            out.append({"field": path, "before": before.get(path), "after": after.get(path), "evidence": ev,
                        "at": e.at.isoformat(), "by": e.actor})
    return out


def corpus_line(case_id: str, record: Mapping[str, Any], pages: list[OcrPage],
                corrections: list[dict[str, Any]]) -> dict[str, Any]:
    """One training document: the OCR words, the labelled spans of the corrected values, the corrections."""
    doc = DocText(pages)
    got = label_record(doc, record)
    return {
        "seed": SEED, "index": case_id,
        "meta": {"source": "review", "case_id": case_id, "pages": len(pages),
                 "policy": (record.get("relief") or {}).get("policy")},
        "pages": [page_json(p) for p in pages],
        "spans": [list(s) for s in sorted(got.spans)],
        "missed": len(got.unplaced),
        "unplaced": sorted(got.unplaced),
        "complete": not got.unplaced,
        "corrections": corrections,
    }


# ----------------------------------------------------------------------------- the command

@dataclass
class ExportStats:
    cases: int = 0
    written: int = 0
    complete: int = 0
    spans: int = 0
    unplaced: int = 0
    unreadable: int = 0


@contextmanager
def _open_out(path: Path) -> Iterator[IO[str]]:
    """Text output, replaced in one step at the end; gzip (fixed mtime) when the name ends in .gz."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    raw = open(tmp, "wb")  # noqa: SIM115
    gz = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) if path.suffix == ".gz" else None
    fh = io.TextIOWrapper(gz if gz is not None else raw, encoding="utf-8")
    try:
        yield fh
    finally:
        fh.close()  # closes gz (and raw, when there is no gz)
        raw.close()
    tmp.replace(path)


def export(services, out: Path, *, complete_only: bool = False,
           read_words: Callable[[Path], list[OcrPage]] | None = None,
           progress: Callable[[str], None] | None = None) -> ExportStats:
    """Write every corrected case to `out` as a corpus line; audited as one `export` entry."""
    from ocr_service import audit
    from ocr_service.storage import repo

    if read_words is None:
        from ocr_service.pipeline import read_pages

        def read_words(path: Path) -> list[OcrPage]:
            return list(read_pages(path, settings=services.settings))

    stats = ExportStats()
    with services.db.read() as s:
        ids = repo.corrected_case_ids(s)
    with _open_out(out) as fh:
        for case_id in ids:
            with services.db.read() as s:
                case = repo.get_case(s, case_id=case_id)
                doc = repo.get_document(s, document_id=case.document_id) if case else None
                entries, _ = repo.list_audit(s, action="case.correct", target=case_id, per_page=1000)
            if case is None:
                continue
            stats.cases += 1
            if doc is None or not doc.blob_key or not services.blobs.exists(doc.blob_key):
                stats.unreadable += 1
                continue
            try:
                with services.blobs.local_path(doc.blob_key) as path:
                    pages = read_words(path)
            except Exception:  # noqa: BLE001 - one unreadable scan does not stop the export
                stats.unreadable += 1
                continue
            line = corpus_line(case_id, case.record, pages, corrections_of(entries, case.record))
            if complete_only and not line["complete"]:
                stats.unplaced += line["missed"]
                continue
            fh.write(json.dumps(line, sort_keys=True) + "\n")
            stats.written += 1
            stats.complete += line["complete"]
            stats.spans += len(line["spans"])
            stats.unplaced += line["missed"]
            if progress:
                progress(f"  {stats.cases}/{len(ids)} cases")
    with services.db.write() as s:
        audit.record(s, who=None, action=audit.EXPORT, detail={"format": "ner-corpus", "cases": stats.written})
    return stats


corrections = typer.Typer(help="Reviewers' corrections as training data for the NER model.", no_args_is_help=True)


@corrections.command("export")
def export_command(
        out: Annotated[Path, typer.Option("--out", help="Output file: .jsonl.gz (as models/corpus) or .jsonl.")],
        complete_only: Annotated[bool, typer.Option(
            "--complete-only", help="Keep only documents whose every corrected value was found in the text.")] = False,
) -> None:
    """Write reviewers' corrected cases as NER training documents (the corpus format of models/)."""
    from ocr_service.logging import configure
    from ocr_service.storage.context import Services, service_settings

    settings = service_settings()
    configure(settings.log_level)
    services = Services(settings)
    services.db.migrate()
    stats = export(services, out, complete_only=complete_only,
                   progress=lambda msg: print(msg, file=sys.stderr))
    print(f"{stats.written} of {stats.cases} corrected cases written to {out} ({stats.complete} fully labelled, "
          f"{stats.spans} labelled spans, {stats.unplaced} values not found in the text, "
          f"{stats.unreadable} scans unreadable)", file=sys.stderr)


def register(app: typer.Typer) -> None:
    """Add `corrections export` to the main command."""
    app.add_typer(corrections, name="corrections")
