# docgen: `make documents` builds everything into build/, `make test` runs the tests.
# Both set up what they need: the virtual environment, the Python packages and,
# when missing, the Debian packages (installed when run as root, printed otherwise).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UNO_VENV := .venv-uno
DEBIAN_PACKAGES := libreoffice-writer-nogui fonts-liberation2 hyphen-ru poppler-utils libjemalloc2 \
	python3-uno python3-venv libengine-gost-openssl chromium

.PHONY: documents test test-fast check templates system gitdiff bench mutation clean

documents: $(BIN)/docgen system gitdiff
	$(BIN)/docgen build

test: $(BIN)/docgen system gitdiff $(UNO_VENV)/bin/unoserver
	$(BIN)/ruff check docgen tests tools
	$(BIN)/mypy
	$(BIN)/pytest

# The fast layer: every test that needs no LibreOffice (about 20 s), with none to be found.
test-fast: $(BIN)/docgen gitdiff
	DOCGEN_SOFFICE=/nonexistent $(BIN)/pytest -m "not libreoffice"

# A region of N schools, measured: cold build, no-op, one edit, and the naive way.
bench: $(BIN)/docgen system
	$(BIN)/python tools/bench.py
	$(BIN)/python tools/peers.py

# mutation testing of the core modules (long: about a second per mutant); see docs/testing.md
mutation: $(BIN)/docgen
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,mutation]'
	rm -rf mutants
	$(BIN)/mutmut run
	$(BIN)/mutmut results

check: $(BIN)/docgen
	$(BIN)/docgen check

# Re-create templates/*.docx from tools/make_templates.py (overwrites a clerk's edits).
templates: $(BIN)/docgen
	$(BIN)/python tools/make_templates.py templates

system:
	@sh tools/system-packages.sh $(DEBIAN_PACKAGES)

# `git diff` of *.docx shows their text (.gitattributes names the driver).
gitdiff: $(BIN)/docgen
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
		git config diff.docx.textconv "$(CURDIR)/$(BIN)/docgen docx2txt"; fi

# unoserver for the tests of remote conversion; it needs the system Python's uno module.
$(UNO_VENV)/bin/unoserver: | system
	/usr/bin/python3 -m venv --system-site-packages $(UNO_VENV)
	$(UNO_VENV)/bin/pip install --quiet --disable-pip-version-check unoserver==3.7

$(BIN)/docgen: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

clean:
	rm -rf build
