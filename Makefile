# Two commands for a new user: `make run` and `make test`. Both install on first use.
#   make run        the app (runtime only: streamlit, faster-whisper with its bundled model...;
#                   no PyTorch). Prints the address once the app answers. PORT=N to choose.
#   make test       every test; adds the extras test, openai-whisper (PyTorch) and postgres
#   make test-fast  the same without the tests marked slow (models, browser, wheel build)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --quiet
# Stamps: re-install only when pyproject.toml changes; runtime and test extras apart.
RUNTIME_STAMP := $(VENV)/.installed-runtime
TEST_STAMP := $(VENV)/.installed-test
TEST_EXTRAS ?= test,openai-whisper,postgres,video
PORT ?=

.PHONY: install install-test run test test-fast bench clean

install: $(RUNTIME_STAMP)

install-test: $(TEST_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

# torch is pinned in the openai-whisper extra (==2.13.0, the CPU build this project's
# machines have on disk); an unpinned torch downloads several GB of CUDA libraries.
$(TEST_STAMP): pyproject.toml $(RUNTIME_STAMP)
	$(PIP) install -e ".[$(TEST_EXTRAS)]"
	touch $@

run: install
	$(BIN)/interview serve$(if $(PORT), --port $(PORT))

test: install-test
	$(BIN)/python -m pytest tests

test-fast: install-test
	$(BIN)/python -m pytest tests -m "not slow"

# Speed, memory and accuracy figures (medians), as quoted in README.md.
bench: install-test
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
