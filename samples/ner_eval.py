"""Per-label precision, recall and F1 of the NER model, on generated data and on the shared dev set.

    python -m samples.ner_eval [--shared ../shared] [--seed 2027] [--n 40] [--jobs 2] [--no-dev]

1. Generated held-out documents (a seed the corpus never used), OCR'd by the product's cleanup and
   engine and labelled like the training corpus: span-level P/R/F1 per label, exact (same characters,
   outer punctuation aside) and overlapping. Beside it, the rule tagger on the labels it also finds
   (case number, statute, level, disposition; dates without their role), to show where each is better.
2. The shared dev set (made by someone else; evaluation only, never training): it has no spans, so
   its truth values are projected onto the OCR text. A truth value counts when the normalizers can
   find it anywhere in the text (case numbers and names up to an OCR misreading); a predicted span is
   right when its text normalizes to a truth value of its label (case numbers and names: similarity
   >= 0.8). Dates, statutes and counts must read exactly, so OCR misreadings count against the model.
   This measures what the model finds, not where.

OCR results are cached under samples/out/ner_eval/ (delete the folder to re-read).
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import re
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "samples" / "out" / "ner_eval"
sys.path.insert(0, str(ROOT))

from extractors.document import DocText  # noqa: E402
from extractors.ner import NER_LABELS, NerTagger  # noqa: E402
from extractors.normalize import case_numbers, dates, dispositions, levels, names, statutes  # noqa: E402
from extractors.tagging import RuleTagger, Span  # noqa: E402
from models.scripts import build_corpus as corpus  # noqa: E402

_EDGE = " .,;:()[]|/\\'\""
RULE_LABELS = {"CASE_NUMBER": "CASE_NUMBER", "STATUTE": "STATUTE", "LEVEL": "LEVEL", "DISPOSITION": "DISPOSITION",
               "DATE": "DATE"}
DATE_ROLES = ("DOB", "FILING_DATE", "DISPO_DATE")


class Tally:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _core(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    return start, end


def span_tallies(text: str, gold: Iterable[tuple[int, int, str]], pred: Iterable[tuple[int, int, str]],
                 exact: bool = True) -> dict[str, Tally]:
    """Per-label tallies; exact: same characters apart from outer punctuation; else any overlap."""
    out: dict[str, Tally] = defaultdict(Tally)
    g = [(*_core(text, s, e), lab) for s, e, lab in gold]
    p = [(*_core(text, s, e), lab) for s, e, lab in pred]
    used: set[int] = set()
    for ps, pe, lab in p:
        hit = None
        for k, (gs, ge, gl) in enumerate(g):
            if k in used or gl != lab:
                continue
            if (gs, ge) == (ps, pe) if exact else (gs < pe and ps < ge):
                hit = k
                break
        if hit is None:
            out[lab].fp += 1
        else:
            used.add(hit)
            out[lab].tp += 1
    for k, (_, _, gl) in enumerate(g):
        if k not in used:
            out[gl].fn += 1
    return out


def _merge(into: dict[str, Tally], part: dict[str, Tally]) -> None:
    for k, t in part.items():
        into[k].tp += t.tp
        into[k].fp += t.fp
        into[k].fn += t.fn


def rule_view(spans: list[Span], gold: list[tuple[int, int, str]]) -> tuple[list, list]:
    """Rule spans and gold spans on the labels both know (dates without their role)."""
    pred = [(s.start, s.end, s.label) for s in spans if s.label in RULE_LABELS]
    g = [(s, e, "DATE" if lab in DATE_ROLES else lab) for s, e, lab in gold if lab in RULE_LABELS or lab in DATE_ROLES]
    return pred, g


def print_table(title: str, rows: dict[str, Tally], labels: Iterable[str], extra: dict[str, Tally] | None = None,
                extra_title: str = "") -> None:
    print(f"\n{title}")
    head = f"  {'label':<14}{'gold':>6}{'P':>8}{'R':>8}{'F1':>8}"
    if extra is not None:
        head += f"   | {extra_title:<10}{'P':>7}{'R':>8}{'F1':>8}"
    print(head)
    tot = Tally()
    for lab in labels:
        t = rows.get(lab, Tally())
        tot.tp, tot.fp, tot.fn = tot.tp + t.tp, tot.fp + t.fp, tot.fn + t.fn
        p, r, f = t.prf()
        line = f"  {lab:<14}{t.tp + t.fn:>6}{100 * p:>7.1f}%{100 * r:>7.1f}%{100 * f:>7.1f}%"
        if extra is not None and lab in extra:
            ep, er, ef = extra[lab].prf()
            line += f"   | {'':<10}{100 * ep:>6.1f}%{100 * er:>7.1f}%{100 * ef:>7.1f}%"
        print(line)
    p, r, f = tot.prf()
    print(f"  {'all':<14}{tot.tp + tot.fn:>6}{100 * p:>7.1f}%{100 * r:>7.1f}%{100 * f:>7.1f}%")


# ----------------------------------------------------------------------------- generated held-out

def generated_corpus(seed: int, n: int, jobs: int) -> list[dict]:
    path = OUT / f"generated-{seed}-{n}.jsonl.gz"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        print(f"OCR of {n} generated documents (seed {seed}) ...", file=sys.stderr)
        recs = list(corpus.build(seed, range(n), jobs))
        with gzip.open(path, "wt") as fh:
            for r in recs:
                fh.write(json.dumps(r) + "\n")
        print(f"  done in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    return list(corpus.read_corpus(path))


def eval_generated(records: list[dict], tagger: NerTagger) -> dict:
    docs = [DocText([corpus.page_from_json(p) for p in r["pages"]]) for r in records]
    preds = tagger.tag_many(docs)
    exact: dict[str, Tally] = defaultdict(Tally)
    overlap: dict[str, Tally] = defaultdict(Tally)
    rules_model: dict[str, Tally] = defaultdict(Tally)
    rules: dict[str, Tally] = defaultdict(Tally)
    rt = RuleTagger()
    for r, doc, pred in zip(records, docs, preds):
        gold = [tuple(s) for s in r["spans"]]
        p = [(s.start, s.end, s.label) for s in pred]
        _merge(exact, span_tallies(doc.text, gold, p, exact=True))
        _merge(overlap, span_tallies(doc.text, gold, p, exact=False))
        rp, rg = rule_view(rt.tag(doc), gold)
        _merge(rules, span_tallies(doc.text, rg, rp, exact=False))
        mp, _ = rule_view([Span(lab if lab not in DATE_ROLES else "DATE", s, e, "", None) for s, e, lab in p], gold)
        _merge(rules_model, span_tallies(doc.text, rg, mp, exact=False))
    return {"exact": exact, "overlap": overlap, "rules": rules, "model_on_rule_labels": rules_model}


# ----------------------------------------------------------------------------- shared dev set

def dev_pages(dev: Path) -> list[tuple[dict, list]]:
    """(truth record, OCR pages) of each dev document, read once with the product's pipeline."""
    from ocr_service.pipeline import read_pages

    cache = OUT / "dev_ocr.jsonl.gz"
    truth = [json.loads(x) for x in (dev / "truth.jsonl").read_text().splitlines() if x.strip()]
    cached: dict[str, list] = {}
    if cache.exists():
        for line in gzip.open(cache, "rt"):
            d = json.loads(line)
            cached[d["file"]] = d["pages"]
    missing = [t for t in truth if t["file"] not in cached]
    if missing:
        print(f"OCR of {len(missing)} dev documents ...", file=sys.stderr)
        for t in missing:
            cached[t["file"]] = [corpus.page_to_json(p) for p in read_pages(dev / t["file"])]
        OUT.mkdir(parents=True, exist_ok=True)
        with gzip.open(cache, "wt") as fh:
            for f, pages in cached.items():
                fh.write(json.dumps({"file": f, "pages": pages}) + "\n")
    return [(t, [corpus.page_from_json(p) for p in cached[t["file"]]]) for t in truth]


def _date(v) -> dt.date | None:
    return dt.date.fromisoformat(v) if v else None


def truth_values(t: dict) -> dict[str, set]:
    ch = t.get("charges") or []
    return {
        "CASE_NUMBER": {re.sub(r"[^A-Z0-9]", "", t["case_number"].upper())} if t.get("case_number") else set(),
        "DEFENDANT": {frozenset(re.findall(r"[A-Z0-9]+", t["defendant"]["name"].upper()))}
        if (t.get("defendant") or {}).get("name") else set(),
        "DOB": {d for d in [_date((t.get("defendant") or {}).get("dob"))] if d},
        "FILING_DATE": {d for d in [_date(t.get("filing_date"))] if d},
        "DISPO_DATE": {d for c in ch if (d := _date(c.get("disposition_date")))},
        "STATUTE": {(c["code"], str(c["section"])) for c in ch if c.get("code")},
        "COUNT_NO": {int(c["count"]) for c in ch if c.get("count") is not None},
        "LEVEL": {c["level"] for c in ch if c.get("level")},
        "DISPOSITION": {c["disposition"] for c in ch if c.get("disposition")},
        "REGISTRATION": {True} if (t.get("flags") or {}).get("pc290_registrant") else set(),
    }


def span_value(label: str, text: str):
    """What a predicted span's text means, in the terms of the truth record (None: unreadable)."""
    if label == "CASE_NUMBER":
        found = case_numbers.find_case_numbers(text)
        return re.sub(r"[^A-Z0-9]", "", (found[0].value if found else text).upper())
    if label == "DEFENDANT":
        n = names.normalize_name(text)
        return frozenset(re.findall(r"[A-Z0-9]+", n.upper())) if n else None
    if label in DATE_ROLES or label == "DATE":
        found = dates.find_dates(text)
        return found[0].value if found else None
    if label == "STATUTE":
        found = statutes.find_statutes(text)
        return (found[0].statute.code, found[0].statute.section) if found else None
    if label == "COUNT_NO":
        digits = re.sub(r"[^0-9]", "", text.replace("O", "0").replace("l", "1").replace("I", "1"))
        return int(digits) if digits and len(digits) <= 3 else None
    if label == "LEVEL":
        return levels.parse_level(text)
    if label == "DISPOSITION":
        v = dispositions.parse_disposition(text)
        return v
    if label == "REGISTRATION":
        return True
    return None


def findable(label: str, value, text: str) -> bool:
    """Whether a truth value appears in the OCR text at all (as the normalizers read it)."""
    flat = text.replace("\n", " ")
    if label == "CASE_NUMBER":
        return fuzz.partial_ratio(value, re.sub(r"[^A-Z0-9]", "", flat.upper())) >= 80
    if label == "DEFENDANT":
        words = set(re.findall(r"[A-Z0-9]+", flat.upper()))
        return len(value & words) >= max(1, len(value) - 1)
    if label in DATE_ROLES or label == "DATE":
        return value in {m.value for m in dates.find_dates(flat)}
    if label == "STATUTE":
        return value in {(m.statute.code, m.statute.section) for m in statutes.find_statutes(flat)}
    return True


def _same(label: str, got, want) -> bool:
    """A value read from a span agrees with a truth value: exactly, or for case numbers and names up to
    an OCR misreading (similarity >= 0.8), since the model is judged on finding the span, not on OCR."""
    if got == want:
        return True
    if got is None:
        return False
    if label == "CASE_NUMBER":
        return fuzz.ratio(got, want) >= 80
    if label == "DEFENDANT":
        return fuzz.ratio(" ".join(sorted(got)), " ".join(sorted(want))) >= 80
    return False


def eval_dev(items: list[tuple[dict, list]], tagger: NerTagger) -> dict[str, Tally]:
    docs = [DocText(pages) for _, pages in items]
    return value_tallies(items, docs, tagger.tag_many(docs))


def eval_dev_rules(items: list[tuple[dict, list]]) -> tuple[dict[str, Tally], dict[str, Tally]]:
    """(model, rules) on the labels both find, dates without their role: the same value match."""
    docs = [DocText(pages) for _, pages in items]
    rt = RuleTagger()
    model = [[Span("DATE" if s.label in DATE_ROLES else s.label, s.start, s.end, s.text, None) for s in spans]
             for spans in NerTagger().tag_many(docs)]
    rules = [[s for s in rt.tag(d) if s.label in RULE_LABELS] for d in docs]
    return value_tallies(items, docs, model, roles=False), value_tallies(items, docs, rules, roles=False)


def value_tallies(items, docs, preds, roles: bool = True) -> dict[str, Tally]:
    out: dict[str, Tally] = defaultdict(Tally)
    for (t, _), doc, pred in zip(items, docs, preds):
        want = truth_values(t)
        if not roles:
            want = {k: v for k, v in want.items() if k in RULE_LABELS}
            want["DATE"] = set().union(*(truth_values(t)[k] for k in DATE_ROLES))
        for lab, values in want.items():
            t_ = out[lab]
            got = [span_value(lab, s.text) for s in pred if s.label == lab]
            if lab == "REGISTRATION":  # one flag per document
                t_.tp += bool(got) and bool(values)
                t_.fp += bool(got) and not values
                t_.fn += bool(values) and not got
                continue
            t_.tp += sum(1 for v in got if any(_same(lab, v, w) for w in values))
            t_.fp += sum(1 for v in got if not any(_same(lab, v, w) for w in values))
            t_.fn += sum(1 for w in values if not any(_same(lab, v, w) for v in got) and findable(lab, w, doc.text))
    return out


# ----------------------------------------------------------------------------- calibration

def product_results(records: list[dict], tagger=None) -> tuple[list[dict], list[dict]]:
    """(truth, case records) of the product's extraction, decision and routing on cached OCR pages."""
    from types import SimpleNamespace

    import extractors
    from ocr_service.record import case_record
    from ocr_service.relief_adapter import decide_case
    from ocr_service.routing import route

    truth, results = [], []
    for r in records:
        pages = [corpus.page_from_json(p) for p in r["pages"]]
        facts = extractors.extract(pages, tagger)
        decision = decide_case(facts, "la-county")
        review, confidence = route(facts, decision)
        res = SimpleNamespace(info=SimpleNamespace(sha256="", pages=len(pages)), facts=facts, decision=decision,
                              review=review, confidence=confidence)
        truth.append(r["truth"])
        results.append(case_record(res, file=r["truth"]["file"]))
    return truth, results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--seed", type=int, default=2027)
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--model", type=Path, default=None, help="model directory (default: the packaged one)")
    ap.add_argument("--no-dev", action="store_true")
    ap.add_argument("--calibration", action="store_true",
                    help="also run the product's extraction on the generated documents and print the reliability "
                         "table and threshold search (ocr_service.calibration)")
    a = ap.parse_args(argv)
    tagger = NerTagger(a.model)
    recs = generated_corpus(a.seed, a.n, a.jobs)
    g = eval_generated(recs, tagger)
    print(f"===== NER on {len(recs)} generated held-out documents (seed {a.seed}), OCR'd by the product")
    print_table("span match, exact (outer punctuation aside); overlap in the right block", g["exact"], NER_LABELS,
                g["overlap"], "overlap")
    print_table("labels the rule tagger also finds (overlap; dates without their role); rules in the right block",
                g["model_on_rule_labels"], list(RULE_LABELS), g["rules"], "rules")
    if a.calibration:
        from ocr_service import calibration

        truth, results = product_results(recs)
        print(f"\n===== product confidence on the {len(recs)} generated held-out documents (extraction as shipped)")
        calibration.print_report(calibration.report(truth, results))
    dev = a.shared / "eval" / "dev"
    if not a.no_dev and dev.is_dir():
        items = dev_pages(dev)
        d = eval_dev(items, tagger)
        print(f"\n===== NER on the shared dev set ({len(items)} documents; truth values projected onto OCR text)")
        print_table("value match: a span is right when it reads as a truth value of its label; recall over "
                    "truth values found in the text", d, [x for x in NER_LABELS if x != "PRIOR"])
        m, r = eval_dev_rules(items)
        print_table("labels the rule tagger also finds (value match; dates without their role); rules in the "
                    "right block", m, list(RULE_LABELS), r, "rules")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
