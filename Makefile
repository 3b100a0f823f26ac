# Each target sets up .venv on a fresh machine (python3 + make only), then runs.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

# `make test-backends`: the Keras tests again under JAX and under PyTorch, each in a venv of
# its own (no TensorFlow there, so nothing can quietly fall back to it). torch is pinned to
# a release whose CPU-only wheel machines of this project's kind carry on disk; elsewhere
# pip takes PyPI's build of the same release (with CUDA libraries, about 2.7 GB; see
# docs/backends.md).
VENV_JAX      := .venv-jax
VENV_TORCH    := .venv-torch
TORCH_VERSION ?= 2.13.0
# The YOLOv8 parity test (tests/backends/keras/test_keras_yolov8_parity.py) builds
# Ultralytics' own model in .venv-torch. ultralytics is installed without its dependencies:
# building a DetectionModel needs torch, numpy, PyYAML, OpenCV and Pillow only, and
# PyPI's torchvision would not import beside this torch build. ultralytics reads
# torchvision's version at import (package metadata only, never importing it), so the
# matching release is installed without dependencies too. See docs/backends.md.
ULTRALYTICS_VERSION ?= 8.4.190
TORCHVISION_VERSION ?= 0.28.0
BACKEND_TESTS := tests/backends/keras

.PHONY: demo test test-fast test-backends lint bench docs clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[keras,lsp,dev,export]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/archc build specs/googlenet.yaml -o build
	$(BIN)/archc summary specs/googlenet.yaml --depth 1

test: $(STAMP)
	$(BIN)/ruff check archc tests bench
	$(BIN)/mypy
	KERAS_BACKEND=tensorflow $(BIN)/pytest -q

$(VENV_JAX)/.installed: pyproject.toml
	$(PY) -m venv $(VENV_JAX)
	$(VENV_JAX)/bin/pip install --quiet --upgrade pip
	$(VENV_JAX)/bin/pip install --quiet -e '.[jax,dev]'
	touch $@

$(VENV_TORCH)/.installed: pyproject.toml
	$(PY) -m venv $(VENV_TORCH)
	$(VENV_TORCH)/bin/pip install --quiet --upgrade pip
	$(VENV_TORCH)/bin/pip install --quiet 'torch==$(TORCH_VERSION)'
	$(VENV_TORCH)/bin/pip install --quiet -e '.[torch,dev]'
	touch $@

$(VENV_TORCH)/.ultralytics: $(VENV_TORCH)/.installed
	$(VENV_TORCH)/bin/pip install --quiet 'opencv-python-headless>=4.7' 'pillow>=7.1.2'
	$(VENV_TORCH)/bin/pip install --quiet --no-deps 'ultralytics==$(ULTRALYTICS_VERSION)' \
		'torchvision==$(TORCHVISION_VERSION)'
	touch $@

# YOLOv8n against Ultralytics runs here; s, m, l, x only with `pytest -m yolo_all`.
test-backends: $(VENV_JAX)/.installed $(VENV_TORCH)/.installed $(VENV_TORCH)/.ultralytics
	KERAS_BACKEND=jax $(VENV_JAX)/bin/pytest -q -p no:cacheprovider $(BACKEND_TESTS)
	KERAS_BACKEND=torch $(VENV_TORCH)/bin/pytest -q -p no:cacheprovider $(BACKEND_TESTS)

test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not tf and not slow and not browser"

lint: $(STAMP)
	$(BIN)/ruff check archc tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench.run

# The docs' generated parts (layer tables, receptive-field rules, lint lists, the JSON
# Schema) from the op catalogue; tests/docgen fails while they are stale.
docs: $(STAMP)
	$(BIN)/python -m archc.docgen

clean:
	rm -rf $(VENV) $(VENV_JAX) $(VENV_TORCH) build .mypy_cache .ruff_cache .pytest_cache
