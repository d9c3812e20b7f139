"""Tokenizer rules for OCR'd docket text, shared by corpus conversion and training.

spaCy's English rules keep "DOB:12/03/65", "|11360B" or "NO.A665699" as one token, so a label
could not start inside them. A few extra splits fix that: a colon or a table rule between two
characters, a table rule or bracket glued in front of a word, a period between a label and a digit.
The rules are saved with the model's tokenizer, so loading the model needs no code from here.
"""
from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

EXTRA_PREFIXES = (r"\|", r"\[", r"/(?=[0-9A-Za-z@])", r"©", r"#", r"\\")
EXTRA_SUFFIXES = (r"\|", r"\]")
EXTRA_INFIXES = (
    r"(?<=[^\s:]):(?=[^\s:])",  # DOB:12/03/65, CASE:A123
    r"\|",  # merged table cells: 05-NOV-79|CT
    r"(?<=[A-Za-z]{2})\.(?=[0-9])",  # NO.A66 stays, NO.665 splits
    r"(?<=[A-Za-z])#(?=[0-9A-Za-z])",  # DKT#79B06292
)


def customize_tokenizer(nlp: Language) -> Language:
    """Add the OCR splits to `nlp`'s tokenizer (in place) and return `nlp`."""
    defaults = nlp.Defaults
    nlp.tokenizer.prefix_search = compile_prefix_regex(list(defaults.prefixes) + list(EXTRA_PREFIXES)).search
    nlp.tokenizer.suffix_search = compile_suffix_regex(list(defaults.suffixes) + list(EXTRA_SUFFIXES)).search
    nlp.tokenizer.infix_finditer = compile_infix_regex(list(defaults.infixes) + list(EXTRA_INFIXES)).finditer
    return nlp


@spacy.registry.callbacks("cleardocket.customize_tokenizer.v1")
def make_customizer():
    """`[initialize.before_init]` callback of config.cfg."""
    return customize_tokenizer


def blank() -> Language:
    """The tokenizer the corpus is cut with: blank English plus the OCR splits."""
    return customize_tokenizer(spacy.blank("en"))
