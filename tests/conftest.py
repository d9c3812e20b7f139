"""Shared test helpers: pages built from text, the contract's schema, paths to shared data."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from extractors.types import OcrPage, Word

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CLEARDOCKET_SHARED", ROOT.parent / "shared"))
SCHEMA_PATH = SHARED / "contract" / "case.schema.json"

os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def page_from_text(text: str, number: int = 1, conf: float = 0.95, cell: tuple[int, int] = (25, 50)) -> OcrPage:
    """An OcrPage whose words sit on a monospace grid, as if a typewriter page had been read.

    For unit tests of extraction only: the OCR stage itself is tested with real tesseract.
    """
    cw, ch = cell
    words = []
    for row, line in enumerate(text.splitlines()):
        col = 0
        for tok in line.split(" "):
            if tok:
                x0 = 100 + col * cw
                words.append(Word(tok, (x0, 100 + row * ch, x0 + len(tok) * cw, 100 + row * ch + 30), conf, row))
            col += len(tok) + 1
    return OcrPage(number, 2550, 3300, tuple(words))


@pytest.fixture(scope="session")
def case_schema():
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA_PATH.read_text())
    return Draft202012Validator(schema)
