# The single entry point. `make book` and `make test` set up everything they need on a
# fresh machine (a virtual environment with the pinned requirements).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help venv book test data refresh execute clean list bench pdf check system-deps rerun sweep
.DEFAULT_GOAL := help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --editable .
	@# Build matplotlib's font cache now, so no notebook prints the one-off message.
	MPLBACKEND=Agg $(PY) -c "import matplotlib.pyplot"
	@touch $@

venv: $(STAMP)  ## create or update the virtual environment

book: $(STAMP)  ## execute stale chapters (papermill, cached) and build the website into _build/html
	$(PY) -m helpers.build

execute: $(STAMP)  ## execute stale chapters only (no site build)
	$(PY) -m helpers.build --execute-only

test: $(STAMP)  ## run the tests, then nbval on the executed chapter notebooks
	$(PY) -m pytest tests -m "not built"
	$(PY) -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider chapters/*.ipynb

data: $(STAMP)  ## re-import the snapshot under data/ from ../shared/market-data
	$(PY) -m helpers.importer

refresh: $(STAMP)  ## refresh adjusted closes from Yahoo Finance (online only; explicit)
	$(PY) -m helpers.refresh $(TICKERS)

list: $(STAMP)  ## show a chapter's parameters: make list CHAPTER=data_appendix
	$(PY) -m helpers.build --list $(CHAPTER)

pdf: $(STAMP) system-deps  ## build the client PDF through LaTeX (xelatex) into _build/latex
	$(PY) -m helpers.build --pdf

check: $(STAMP) system-deps  ## check the built site in headless Chromium and the PDF (after book and pdf)
	$(PY) -m pytest -m built tests/built -p no:cacheprovider

rerun: $(STAMP)  ## re-run with your parameters: make rerun CHAPTER=deepseek PARAMS=examples/chatgpt.yaml [NAME=x] [FORMATS="--html --pdf"]
	$(PY) -m helpers.rerun run $(CHAPTER) $(if $(PARAMS),--params $(PARAMS)) $(if $(NAME),--name $(NAME)) $(FORMATS)

sweep: $(STAMP)  ## run a YAML grid of variants on Dask: make sweep GRID=examples/sweep-benchmarks.yaml [SCHEDULER=tcp://host:8786]
	$(PY) -m helpers.rerun sweep $(GRID) $(if $(SCHEDULER),--scheduler $(SCHEDULER))

system-deps:  ## install the Debian packages for the PDF and the browser test (needs root)
	@bash tools/system-deps.sh

bench: $(STAMP)  ## benchmark the PSY bubble test against a straightforward implementation (about 2 minutes)
	$(PY) benchmarks/psy_benchmark.py

clean:  ## remove the built site (keeps the executed notebooks and the venv)
	rm -rf _build
