"""The cheaper ways cleanup computes some of its numbers give the very numbers of the plain ways:
histogram percentiles against numpy's, the stretch-by-stretch labelling against OpenCV's labelling
of the whole mask, the reduced character mask of the skew search against the full one, and a
pending orientation sample against the one cut at once."""
from __future__ import annotations

import numpy as np
import pytest

from ocr_service import cleanup
from tests.test_ocr import render_page


@pytest.mark.parametrize("seed", range(6))
def test_histogram_percentiles_and_medians_are_numpys(seed):
    rng = np.random.default_rng(seed)
    for _ in range(60):
        n = int(rng.integers(1, 3000))
        kind = rng.integers(0, 3)
        if kind == 0:
            values = rng.integers(0, 256, n).astype(np.uint8)
        elif kind == 1:  # few distinct levels, as on a bilevel page
            values = rng.choice(np.array([0, 255], np.uint8), n, p=[0.1, 0.9])
        else:  # a narrow peak, as the paper of a clean page
            values = np.clip(rng.normal(230, 3, n), 0, 255).astype(np.uint8)
        hist = cleanup._hist(values)
        assert cleanup._median(hist) == np.median(values)
        for q in (0.5, 5, 50, 75, 90, 95, 100 * rng.random()):
            assert cleanup._quantile(hist, q) == np.percentile(values, q), q
    image = rng.integers(0, 256, (301, 257), dtype=np.uint8)
    assert cleanup._quantile(cleanup._hist(image[::3, ::3]), 0.5) == np.percentile(image[::3, ::3], 0.5)


@pytest.mark.parametrize("seed", range(4))
def test_stretch_by_stretch_labelling_is_opencvs_of_the_whole_mask(seed):
    """Same labels, numbering and stats, with stretches starting on odd rows and columns too."""
    rng = np.random.default_rng(seed)
    for _ in range(60):
        h, w = (int(v) for v in rng.integers(3, 240, 2))
        mask = np.zeros((h, w), np.uint8)
        for _ in range(int(rng.integers(0, 12))):
            y, x = int(rng.integers(0, h)), int(rng.integers(0, w))
            bh, bw = (int(v) for v in rng.integers(1, 40, 2))
            block = mask[y:y + bh, x:x + bw]
            block[rng.random(block.shape) < rng.choice([0.4, 0.8, 1.0])] = 1
        n, labels, stats = cleanup._components(mask)
        stretches, sparse_stats = cleanup._sparse_components(mask)
        assert np.array_equal(cleanup._labels_of(stretches, mask.shape), labels)
        assert np.array_equal(sparse_stats, stats[1:])
        assert cleanup._sparse_components(mask, with_labels=False)[0] is None
        lut = (rng.random(n) < 0.5).astype(np.uint8)
        lut[0] = 0
        assert np.array_equal(cleanup._selected(stretches, mask.shape, lut), lut[labels])


def test_the_skew_searchs_reduced_character_mask_is_the_full_masks_rows_and_columns():
    page = render_page(dpi=300)
    a = cleanup._analyse(page.image, 300)
    which = a.blobs.chars & ~cleanup._large_or_edge(a.blobs, a.ink.shape)
    full = cleanup._mask_of(a.blobs, a.ink.shape, which)
    assert full.any()
    for step in (1, 2, 3):
        assert np.array_equal(cleanup._mask_of(a.blobs, a.ink.shape, which, step=step), full[::step, ::step])
    assert (a.measures.skew_deg, a.measures.skew_strength) == cleanup.estimate_skew(a.ink, full)


def test_a_pending_orientation_sample_is_the_sample_cut_at_once():
    page = render_page(dpi=300)
    cleaned = cleanup.clean(page.image, 300, lambda sample: (0, 0.0), orient_after_reading=True)
    assert isinstance(cleaned.orientation_sample, cleanup.PendingSample)
    a = cleanup._analyse(page.image, 300)
    at_once = cleanup.orientation_sample(page.image, a.measures.text_height, blobs=a.blobs)
    assert np.array_equal(cleaned.sample(), at_once)
