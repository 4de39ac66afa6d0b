# Two commands: `make demo` (the main job) and `make test` (lint + tests).
# Both bootstrap .venv on a fresh machine with only Python 3.11 and make.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint pytest bench accuracy feedback realdata fixtures screenshots clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found (set PYTHON=/path/to/python3.11+)" >&2; exit 2; }
	@test -x $(BIN)/python || { echo "==> creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@echo "==> updating pip in $(VENV)"
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "==> installing sensorcoach and its dependencies into $(VENV) (about a minute the first time)"
	$(BIN)/python -m pip install --progress-bar on -e '.[dev]'
	@touch $(STAMP)
	@echo "==> installed: $(BIN)/sensorcoach"

demo: install
	$(BIN)/sensorcoach demo

lint: install
	$(BIN)/ruff check sensorcoach firmware_interface dashboard tests benchmarks
	$(BIN)/mypy

pytest: install
	$(BIN)/python -m pytest -q

test: lint pytest

bench: install
	$(BIN)/python benchmarks/accuracy.py
	$(BIN)/python benchmarks/orientation_error.py
	$(BIN)/python benchmarks/table.py

accuracy: install
	$(BIN)/python benchmarks/accuracy.py --sweep $(if $(SISFALL_DIR),--sisfall "$(SISFALL_DIR)" --jobs 2)

# Feedback learning on simulated desk days (30-60 s: not part of bench).
feedback: install
	$(BIN)/python benchmarks/feedback.py

# Real recordings (SisFall): a local copy is read from $(SISFALL_DIR); nothing is committed.
realdata: install
	@if [ -z "$(SISFALL_DIR)" ]; then \
	  echo "SISFALL_DIR is not set. Get the public SisFall data set (e.g. the GitHub copy"; \
	  echo "Fall-Prevention-Team/sisfallData: git clone it, or download its zip), then run"; \
	  echo "  make realdata SISFALL_DIR=/path/to/sisfallData"; \
	  echo "Only subjects SA01-SA15 and SE01-SE08 are read (the rest is kept for an independent check)."; \
	  exit 2; \
	fi
	$(BIN)/python benchmarks/realdata.py --sisfall "$(SISFALL_DIR)"

fixtures: install
	$(BIN)/python fixtures/regenerate.py

# Every dashboard page of the demo at 1280x800 and 390x844 into build/screenshots/ (needs chromium).
screenshots: install
	$(BIN)/python -m dashboard.screenshots

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
