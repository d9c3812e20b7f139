# cleardocket: `make run` to see it work, `make test` to check it.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
CLI := $(VENV)/bin/cleardocket
APT_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-osd libtesseract-dev libleptonica-dev \
                pkg-config poppler-utils fonts-dejavu-core fonts-liberation fonts-freefont-ttf chromium
SHARED ?= ../shared
JOBS ?= $(shell nproc)
export OMP_THREAD_LIMIT := 1

.PHONY: setup system-packages venv run test eval calibrate bench bench-setup bench-service train train-corpus clean

setup: system-packages $(VENV)/.installed

system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages: $$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

run: setup
	bash scripts/run_demo.sh

test: setup
	$(PY) -m pytest -q -n 2 --dist loadfile

eval: setup
	$(PY) -m samples.evaluate --shared $(SHARED)
	$(PY) -m samples.ner_eval --shared $(SHARED) --calibration

# Routing thresholds from generated documents (never the dev set): prints the reliability table and the
# per-field threshold search, and writes ocr_service/routing_thresholds.json (docs/model.md).
calibrate: setup
	$(PY) -m samples.calibrate --write

# Benchmarks print figures (docs/benchmarks.md); they are not timed tests.
BENCH_APT := unpaper ghostscript
bench-setup: setup
	@missing=$$(for p in $(BENCH_APT); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; fi
	$(PY) -m pip install -q -e '.[dev,bench]'

bench: bench-setup
	$(PY) -m bench.pipeline --jobs $(JOBS)

bench-service: bench-setup
	$(PY) -m bench.service

# The NER model: spaCy project in models/ (docs/model.md). CORRECTIONS=file adds reviewers' corrections
# (from `cleardocket corrections export`) to the training data.
SPACY := ../$(PY) -m spacy
train: setup
ifeq ($(CORRECTIONS),)
	cd models && $(SPACY) project run all
else
	cd models && $(SPACY) project run check-corpus && $(SPACY) project run convert
	mkdir -p models/corpus/train-all && cp models/corpus/train.spacy models/corpus/train-all/generated.spacy
	cd models && ../$(PY) scripts/to_docbin.py $(abspath $(CORRECTIONS)) corpus/train-all/corrections.spacy
	cd models && $(SPACY) train config.cfg --output training --code scripts/ocr_tokens.py \
	    --paths.train corpus/train-all --paths.dev corpus/dev.spacy
	cd models && $(SPACY) project run evaluate && $(SPACY) project run package
endif

train-corpus: setup
	cd models && $(SPACY) project run corpus

clean:
	rm -rf samples/out .pytest_cache
