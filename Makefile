# Each target sets up .venv on a fresh machine (python3 + make only), then runs.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: demo test test-fast lint bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[keras,lsp,dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/archc build specs/googlenet.yaml -o build
	$(BIN)/archc summary specs/googlenet.yaml --depth 1

test: $(STAMP)
	$(BIN)/ruff check archc tests bench
	$(BIN)/mypy
	$(BIN)/pytest -q

test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not tf and not slow and not browser"

lint: $(STAMP)
	$(BIN)/ruff check archc tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) build .mypy_cache .ruff_cache .pytest_cache
