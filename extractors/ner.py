"""The project's trained NER model as a `Tagger`: spans with a label and the model's probability.

    tagger = NerTagger()                       # models/cleardocket_ner, or $CLEARDOCKET_NER_MODEL
    spans = tagger.tag(DocText(pages))         # Span(label, start, end, text, value=None, score=p)

The model is a spaCy span categorizer (`spancat_singlelabel`) trained by `make train` on generated
dockets as tesseract reads them (models/README.md, docs/model.md). Each candidate span of up to nine
tokens gets a softmax over the labels plus "no label"; overlapping spans are resolved by keeping the
most probable, so `score` is that probability. Labels: `NER_LABELS`. Values are left to the
normalizers (`value=None`): the model says what a piece of text is, not what it means.

The model is loaded once per process (per worker) and shared by every `NerTagger`.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from extractors.document import DocText
from extractors.tagging import Span

NER_LABELS = ("CASE_NUMBER", "DEFENDANT", "DOB", "FILING_DATE", "COUNT_NO", "STATUTE", "LEVEL", "DISPOSITION",
              "DISPO_DATE", "PRIOR", "REGISTRATION")
SPANS_KEY = "sc"
ENV_VAR = "CLEARDOCKET_NER_MODEL"
DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "models" / "cleardocket_ner"

_models: dict[tuple[int, str], object] = {}
_lock = threading.Lock()


class ModelNotFound(FileNotFoundError):
    """The trained model directory is missing (run `make train`, or set CLEARDOCKET_NER_MODEL)."""


def model_path(path: str | os.PathLike | None = None) -> Path:
    """The model directory: `path`, else $CLEARDOCKET_NER_MODEL, else the packaged models/cleardocket_ner."""
    return Path(path or os.environ.get(ENV_VAR) or DEFAULT_MODEL)


def load_model(path: str | os.PathLike | None = None):
    """The spaCy pipeline at `path`, loaded once per process and path."""
    p = model_path(path).resolve()
    key = (os.getpid(), str(p))
    with _lock:
        nlp = _models.get(key)
        if nlp is None:
            if not (p / "config.cfg").is_file():
                raise ModelNotFound(f"no trained NER model at {p}: run `make train` or set {ENV_VAR}")
            import spacy

            nlp = _models[key] = spacy.load(p)
        return nlp


class NerTagger:
    """Spans found by the trained model; `min_score` drops the less probable ones."""

    def __init__(self, path: str | os.PathLike | None = None, *, min_score: float = 0.0):
        self.path = model_path(path)
        self.min_score = min_score

    @property
    def nlp(self):
        return load_model(self.path)

    def tag(self, doc: DocText) -> list[Span]:
        return self.tag_many([doc])[0]

    def tag_many(self, docs: Iterable[DocText]) -> list[list[Span]]:
        """Spans of several documents in one pass through the model."""
        docs = list(docs)
        out: list[list[Span]] = []
        for dt, sdoc in zip(docs, self.nlp.pipe(d.text for d in docs)):
            out.append(self._spans(dt.text, sdoc))
        return out

    def _spans(self, text: str, sdoc) -> list[Span]:
        group = sdoc.spans.get(SPANS_KEY, [])
        raw = group.attrs.get("scores") if len(group) else None
        scores = np.asarray(raw, dtype=float).reshape(-1) if raw is not None else None
        spans: list[Span] = []
        for i, s in enumerate(group):
            score = float(scores[i]) if scores is not None else 1.0
            start, end = s.start_char, s.end_char
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if end <= start or score < self.min_score or s.label_ not in NER_LABELS:
                continue
            spans.append(Span(s.label_, start, end, text[start:end], None, round(score, 4)))
        spans.sort(key=lambda x: (x.start, x.end))
        return spans
