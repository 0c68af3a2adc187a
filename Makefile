# briefgen: `make brief` builds every brief under content/, `make test` runs every test.
# Each target bootstraps what it needs: the .venv, the Python packages, and the fonts.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# setuptools prints a boxed note on every editable install (folders named like the package
# may shadow it); pip repeats it. It is not about anything we can or should change here.
QUIET_SETUPTOOLS := ignore:Editable installation:UserWarning

.PHONY: brief book check test test-fast lint schema clean distclean help system-deps bench email watch test-deps new person

help:
	@echo "make brief   build every brief under content/ into output/ (HTML and PDF; DOCX=1: Word files too)"
	@echo "make book    build the briefing books under content/books/ (and their briefs)"
	@echo "make check   validate every brief without building"
	@echo "make test    run the whole test suite (after make lint: ruff and mypy)"
	@echo "make test-fast  ruff, mypy and every test not marked slow, under a minute: run it while you work"
	@echo "make schema  regenerate the JSON Schemas under schema/"
	@echo "make bench   measure build speed against WeasyPrint and Chromium (docs/performance.md)"
	@echo "make clean   remove generated output"
	@echo "make email BRIEF=<id>  write output/<id>.eml, a draft email of one brief (PDF attached)"
	@echo "make watch  live preview on http://127.0.0.1:8000/, rebuilt on every save"
	@echo "make new ID=<id>     start content/<id>.yaml, a new brief with every section explained"
	@echo "make person ID=<id>  start content/people/<id>.yaml, a new person with every key explained"
	@echo "Any other command: .venv/bin/briefgen --help (or put .venv/bin on your PATH: . .venv/bin/activate)"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "briefgen needs Python 3.11 or newer (found: $$($(PYTHON) --version))" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
	  { echo "Could not create a virtualenv. Install it with: sudo apt-get install python3-venv" >&2; exit 1; }
	@echo "Installing briefgen and its Python packages into $(VENV)/ (WeasyPrint, pydantic, pytest,"
	@echo "Playwright...): about a minute or two the first time, a few seconds after a change to"
	@echo "pyproject.toml. pip prints nothing while it works."
	@PYTHONWARNINGS='$(QUIET_SETUPTOOLS)' $(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@PYTHONWARNINGS='$(QUIET_SETUPTOOLS)' $(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@echo "Installed. The command is $(BIN)/briefgen (or just briefgen after: . $(BIN)/activate)"
	@touch $@

system-deps:
	@scripts/ensure-system-deps

# Debian's chromium, for the browser tests (tests/browser/), and LibreOffice, which converts the
# Word files in tests/test_docx.py.
test-deps:
	@scripts/ensure-test-deps

# DOCX=1 also writes output/<id>.docx (and one per audience) for clearance in Word.
brief: $(STAMP) system-deps
	$(BIN)/briefgen build
	@if [ -n "$(DOCX)" ]; then $(BIN)/briefgen docx; fi

book: $(STAMP) system-deps
	$(BIN)/briefgen book

check: $(STAMP)
	$(BIN)/briefgen check

test: lint $(STAMP) system-deps test-deps
	$(BIN)/python -m pytest

# The fast lane, to run while you work: the same gates (ruff and mypy take seconds) and every
# test but the slow ones (tests/conftest.py says which and why), in under a minute.
test-fast: lint $(STAMP) system-deps
	$(BIN)/python -m pytest -q -m "not slow"

# The gates: ruff (the rule set in pyproject.toml, over the code, its tests and the benchmarks) and
# mypy in strict mode (`strict = true` under [tool.mypy] in pyproject.toml: every function typed),
# both at zero findings.
lint: $(STAMP)
	$(BIN)/ruff check briefgen tests bench
	$(BIN)/mypy

schema: $(STAMP)
	$(BIN)/briefgen schema --write

bench: $(STAMP) system-deps
	$(BIN)/python bench/bench.py

email: $(STAMP) system-deps
	@test -n "$(BRIEF)" || { echo "usage: make email BRIEF=<id>, e.g. make email BRIEF=camp-david-2023" >&2; exit 2; }
	$(BIN)/briefgen email '$(BRIEF)'

watch: $(STAMP) system-deps
	$(BIN)/briefgen serve

new: $(STAMP)
	@test -n "$(ID)" || { echo "usage: make new ID=<id>, e.g. make new ID=g7-summit-2024" >&2; exit 2; }
	$(BIN)/briefgen new '$(ID)'

person: $(STAMP)
	@test -n "$(ID)" || { echo "usage: make person ID=<id>, e.g. make person ID=kishida" >&2; exit 2; }
	$(BIN)/briefgen new --person '$(ID)'

# A linked output/ (git stores links, so a pull request can add one) is refused, so that
# clean never deletes files in whatever it points to.
clean:
	@if [ -L output ]; then echo "output/ is a symbolic link; refusing to delete files where it points" >&2; exit 1; fi
	rm -rf output/*.html output/*.pdf output/*.ics output/*.eml output/.briefgen

distclean: clean
	rm -rf $(VENV)
