"""The trained NER model and its corpus builder.

The model test reads a generated page with real tesseract (the product's cleanup and engine), so the
model sees what it sees in production; the corpus builder is checked for the same labels from the
same seed, and its geometry against OpenCV and numpy.
"""
from __future__ import annotations

import re

import cv2
import numpy as np
import pytest

from extractors.document import DocText
from extractors.ner import NER_LABELS, ModelNotFound, NerTagger, load_model
from extractors.tagging import Span
from extractors.types import OcrPage, Word
from models.scripts import build_corpus as bc

SEED, INDEX = 31, 2  # a one-page document of the generator


@pytest.fixture(scope="module")
def engine():
    from ocr_service.ocr import get_engine
    from ocr_service.settings import Settings

    return get_engine(Settings())


@pytest.fixture(scope="module")
def record(engine):
    return bc.build_record(SEED, INDEX, engine)


@pytest.fixture(scope="module")
def doc(record):
    return DocText([bc.page_from_json(p) for p in record["pages"]])


# ----------------------------------------------------------------------------- the model

def test_model_loads_once_per_process():
    a = load_model()
    assert load_model() is a
    assert "spancat" in a.pipe_names
    assert set(a.get_pipe("spancat").labels) >= set(NER_LABELS)


def test_model_tags_an_ocr_page_with_the_expected_labels(record, doc):
    spans = NerTagger().tag(doc)
    assert spans and all(isinstance(s, Span) for s in spans)
    assert all(s.label in NER_LABELS and 0.0 < s.score <= 1.0 and s.value is None for s in spans)
    assert all(doc.text[s.start:s.end] == s.text for s in spans)
    found = {s.label for s in spans}
    assert {"CASE_NUMBER", "STATUTE", "DISPOSITION"} <= found
    truth = record["truth"]
    norm = lambda v: re.sub(r"[^A-Z0-9]", "", v.upper())  # noqa: E731
    assert norm(truth["case_number"]) in {norm(s.text) for s in spans if s.label == "CASE_NUMBER"}
    sections = {str(c["section"]) for c in truth["charges"]}
    tagged = " ".join(s.text for s in spans if s.label == "STATUTE")
    assert any(sec in tagged for sec in sections)


def test_model_agrees_with_the_corpus_labels_on_most_spans(record, doc):
    gold = {(s, e, lab) for s, e, lab in record["spans"]}
    pred = {(s.start, s.end, s.label) for s in NerTagger().tag(doc)}
    assert len(gold & pred) >= 0.7 * len(gold)


def test_min_score_drops_less_probable_spans(doc):
    everything = NerTagger().tag(doc)
    sure = NerTagger(min_score=0.99).tag(doc)
    assert len(sure) <= len(everything)
    assert all(s.score >= 0.99 for s in sure)


def test_missing_model_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEARDOCKET_NER_MODEL", str(tmp_path / "nowhere"))
    with pytest.raises(ModelNotFound):
        NerTagger().tag(DocText([]))


# ----------------------------------------------------------------------------- the corpus builder

@pytest.mark.slow
def test_corpus_builder_is_reproducible(record, engine):
    again = bc.build_record(SEED, INDEX, engine)
    assert again["spans"] == record["spans"]
    assert again["pages"] == record["pages"]
    assert record["spans"], "the document should have labelled spans"
    assert {lab for _, _, lab in record["spans"]} <= set(bc.LABELS)


def test_corpus_labels_read_like_the_truth(record, doc):
    truth = record["truth"]
    cases = [doc.text[s:e] for s, e, lab in record["spans"] if lab == "CASE_NUMBER"]
    assert cases and all(re.sub(r"[^A-Z0-9]", "", c.upper()) for c in cases)
    assert record["missed"] <= 0.2 * len(record["spans"])
    dispos = [doc.text[s:e] for s, e, lab in record["spans"] if lab == "DISPOSITION"]
    assert len(dispos) >= 1 and truth["charges"]


def test_rot90_matrix_matches_numpy():
    img = np.zeros((30, 50), dtype=np.uint8)
    img[7, 11] = 255  # x=11, y=7
    for k in range(4):
        m = bc.rot90_matrix(k, 50, 30)
        ys, xs = np.nonzero(np.rot90(img, k))
        x, y, _ = m @ np.array([11.5, 7.5, 1.0])  # the pixel's centre
        assert (int(x), int(y)) == (xs[0], ys[0])


def test_cleanup_matrix_follows_the_deskew_rotation():
    img = np.zeros((400, 600), dtype=np.uint8)
    cv2.circle(img, (450, 100), 4, 255, -1)
    rot = cv2.warpAffine(img, cv2.getRotationMatrix2D((300, 200), 2.5, 1.0), (600, 400))
    ys, xs = np.nonzero(rot > 128)
    x, y, _ = bc.cleanup_matrix(0, 2.5, 600, 400) @ np.array([450.0, 100.0, 1.0])
    assert abs(x - xs.mean()) < 1.0 and abs(y - ys.mean()) < 1.0


def test_fit_affine_recovers_a_skew_and_scale():
    true = np.array([[0.9, -0.05, 12.0], [0.05, 0.9, -7.0]])
    src = [(x, y, x + 60, y + 20) for x in range(0, 2000, 300) for y in range(0, 3000, 500)]
    dst = [bc.map_box(np.vstack([true, [0, 0, 1]]), b) for b in src]
    dst[0] = (0, 0, 5, 5)  # a box cut by the page edge is an outlier
    fit = bc.fit_affine(src, dst)
    assert np.allclose(fit, true, atol=1e-6)


def test_label_document_takes_words_under_a_span_and_trims_glued_punctuation():
    words = (Word("CASE", (100, 100, 180, 130), 0.9, 0), Word("#A123456", (200, 100, 400, 130), 0.9, 0),
             Word("CT", (100, 200, 140, 230), 0.9, 1), Word("1", (160, 200, 180, 230), 0.9, 1),
             Word("(11357(b)", (200, 200, 420, 230), 0.9, 1), Word("HS),", (430, 200, 520, 230), 0.9, 1),
             Word("DEFT", (100, 300, 180, 330), 0.9, 2))
    doc = DocText([OcrPage(1, 2550, 3300, words)])
    spans, missed = bc.label_document(doc, {1: [
        ("CASE_NUMBER", "A123456", (215, 98, 402, 132)),
        ("STATUTE", "11357(b) HS", (215, 198, 505, 232)),
        ("DEFENDANT", "NOBODY AT ALL", (100, 298, 180, 332)),  # reads nothing like the span: unlabelled
        ("DOB", "01/02/60", (900, 900, 1000, 950)),  # on no word
    ]})
    got = {(doc.text[s.start:s.end], s.label) for s in spans}
    assert got == {("#A123456", "CASE_NUMBER"), ("11357(b) HS", "STATUTE")}
    assert missed == 2
