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
    """Rules plus the project's trained model (models/cleardocket_ner), built once per process.

    Without the model (CLEARDOCKET_NER=off, or no model where `extractors.ner.model_path` looks)
    the rules work alone and a warning says so.
    """
    global _TAGGER
    if _TAGGER is None:
        import logging
        import os

        from extractors.tagging import CombinedTagger

        model = None
        if os.environ.get("CLEARDOCKET_NER", "on").lower() not in ("off", "0", "false", "no"):
            try:
                from extractors.ner import NerTagger, load_model

                load_model()
                model = NerTagger()
            except (ImportError, FileNotFoundError) as e:  # ner.ModelNotFound is a FileNotFoundError
                logging.getLogger(__name__).warning("extraction without the NER model: %s", e)
        _TAGGER = CombinedTagger(model=model)
    return _TAGGER
