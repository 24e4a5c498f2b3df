# gnapp - the two commands a new user needs:
#   make run    set up (venv, packages, system libraries) and open the app
#   make test   set up and run the whole test suite offscreen
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test bench bench-quick build screenshots guide-screenshots check-python clean

run: $(STAMP)
	@tools/syslibs.sh window
	$(BIN)/gnapp $(ARGS)

test: $(STAMP)
	@tools/syslibs.sh offscreen
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

# bench: the full province (100 communes x 8,000 households, generated once into
# bench/.cache/, resumed if stopped); bench-quick: 5 x 1,000. Both write bench/results.json.
# A fraction of the full size: make bench BENCH_ARGS="--communes 5 --households 8000"
bench: $(STAMP)
	@tools/syslibs.sh offscreen
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench --size full $(BENCH_ARGS)

bench-quick: $(STAMP)
	@tools/syslibs.sh offscreen
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench --size quick $(BENCH_ARGS)

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python tools/screenshot.py out/screenshots

# the pictures of the user guide (docs/huong-dan-su-dung.md), retaken into docs/images/
guide-screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python tools/guide_screenshots.py docs/images

# build: dist/gnapp/ (one folder: gnapp, gnapp-cli, _internal/), then its self-test
# (window, fonts, PDF, XLSX, SQLite FTS) writes out/selftest/selftest.json
SELFTEST_DIR ?= out/selftest
build: $(STAMP)
	@tools/syslibs.sh offscreen
	$(BIN)/pyinstaller --noconfirm --clean build.spec
	QT_QPA_PLATFORM=offscreen dist/gnapp/gnapp --selftest $(SELFTEST_DIR)
	@du -sh dist/gnapp

check-python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "gnapp cần Python 3.11 (đang có %s)" % sys.version.split()[0]' \
	  || { echo "Hãy cài Python 3.11 và chạy: make PYTHON=python3.11 ..." >&2; exit 1; }

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml | check-python
	@tools/syslibs.sh offscreen
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt -r requirements-dev.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

clean:
	rm -rf $(VENV) build dist .pytest_cache
