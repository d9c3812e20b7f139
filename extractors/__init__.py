"""Pure extraction library: OCR words with boxes in, typed facts with evidence out.

Never imports ocr_service, web, database or image code.
"""

from collections.abc import Sequence

from extractors.types import CaseFacts, OcrPage


def extract(pages: Sequence[OcrPage], tagger=None) -> CaseFacts:
    """The case facts of one document, from the words of its pages."""
    from extractors.assemble import assemble
    from extractors.document import DocText

    doc = DocText(list(pages))
    spans = (tagger or default_tagger()).tag(doc)
    return assemble(doc, spans)


_TAGGER = None


def default_tagger():
    """The rule tagger (the trained NER tagger joins it once the model is shipped)."""
    global _TAGGER
    if _TAGGER is None:
        from extractors.tagging import RuleTagger

        _TAGGER = RuleTagger()
    return _TAGGER
