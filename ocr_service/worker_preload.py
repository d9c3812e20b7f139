"""What every batch worker needs, imported once by the fork server the workers are forked from
(`batch._pool_context`), or by the one process of a batch with one job: the image and OCR libraries,
the pipeline and the trained NER model, and one thread each for tesseract and OpenCV (their own
threads would fight the worker processes for the cores). A forked worker starts in milliseconds
instead of loading them again (about 1.5 CPU seconds each)."""
import os

os.environ["OMP_THREAD_LIMIT"] = "1"  # before tesseract is loaded: one thread per worker process

import cv2  # noqa: E402

import extractors  # noqa: E402
from ocr_service import pipeline  # noqa: E402,F401
from ocr_service.ocr import get_engine  # noqa: E402,F401

cv2.setNumThreads(1)
extractors.default_tagger()
LOADED_IN = os.getpid()  # a worker forked from the server sees the server's process id here
