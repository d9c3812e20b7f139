"""The words of a document as one text with offsets, so every span maps back to words and boxes.

Lines are separated by "\\n"; each character offset knows its word, so a span found in the text gives
its page, its box on that page and the OCR confidence of its words (eyecite's idea: keep offsets).
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass

from extractors.types import Evidence, Line, OcrPage, union_boxes


@dataclass(frozen=True, slots=True)
class TextLine:
    """One line of the document text: its offsets, page and the OCR line it came from."""

    index: int
    start: int
    end: int
    page: int
    line: Line
    text: str  # as in DocText.text[start:end] (column breaks as two spaces)


def column_gap(line: Line) -> float:
    """A gap between two words wider than this (about two character widths) separates columns."""
    heights = sorted(w.bbox[3] - w.bbox[1] for w in line.words)
    return 1.6 * heights[len(heights) // 2] if heights else 0.0


class DocText:
    """A document's text with a map from character offsets to words."""

    def __init__(self, pages: list[OcrPage] | tuple[OcrPage, ...]):
        parts: list[str] = []
        self.lines: list[TextLine] = []
        self._word_starts: list[int] = []
        self._words: list[tuple[int, int, int, object]] = []  # start, end, page, Word
        pos = 0
        for page in pages:
            for line in page.lines():
                start = pos
                gap = column_gap(line)
                for i, w in enumerate(line.words):
                    if i:
                        # A wide gap between words is a column break: two spaces keep it visible.
                        sep = "  " if w.bbox[0] - line.words[i - 1].bbox[2] > gap else " "
                        parts.append(sep)
                        pos += len(sep)
                    self._word_starts.append(pos)
                    self._words.append((pos, pos + len(w.text), page.number, w))
                    parts.append(w.text)
                    pos += len(w.text)
                self.lines.append(TextLine(len(self.lines), start, pos, page.number, line,
                                           "".join(parts[-(2 * len(line.words) - 1):]) if line.words else ""))
                parts.append("\n")
                pos += 1
        self.text = "".join(parts)
        self._line_starts = [ln.start for ln in self.lines]
        self.page_sizes = {p.number: (p.width, p.height) for p in pages}

    def line_at(self, offset: int) -> TextLine | None:
        i = bisect.bisect_right(self._line_starts, offset) - 1
        return self.lines[i] if 0 <= i < len(self.lines) else None

    def words_in(self, start: int, end: int) -> list[tuple[int, object]]:
        """(page, Word) for every word overlapping [start, end)."""
        i = max(bisect.bisect_right(self._word_starts, start) - 1, 0)
        out = []
        while i < len(self._words):
            ws, we, page, w = self._words[i]
            if ws >= end:
                break
            if we > start:
                out.append((page, w))
            i += 1
        return out

    def conf(self, start: int, end: int) -> float:
        """OCR confidence of a span: its weakest word (0 when the span has no word)."""
        ws = self.words_in(start, end)
        return min((w.conf for _, w in ws), default=0.0)

    def evidence(self, start: int, end: int) -> Evidence | None:
        ws = self.words_in(start, end)
        if not ws:
            return None
        page = ws[0][0]
        box = union_boxes(w.bbox for p, w in ws if p == page)
        return Evidence(page=page, bbox=box, text=self.text[start:end])
