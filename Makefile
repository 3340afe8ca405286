# The README's commands. Each creates .venv when missing and installs what it needs.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
CONFIG  ?= configs/tiny.yaml
OUT     ?= runs/demo

.PHONY: demo test test-fast lint bench browser clean

# torch first and explicitly: the CPU build (a bare `torch` pulls a multi-GB CUDA build).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

# Page tests drive a real browser: Debian's chromium and chromium-driver.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; }

# The whole method on CPU: data -> SFT -> reward model -> GRPO -> evaluation -> report (resumable).
demo: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/empathy-r1 pipeline --config $(CONFIG) --output $(OUT)
	@echo "report: $(OUT)/report.md (numbers in $(OUT)/report.json, curves in $(OUT)/plots/, policy in $(OUT)/final/)"

test: $(STAMP) browser
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

# The unit tests and the doctests in src/, without the slow ones: well under a minute.
test-fast: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q -m "not slow" tests/unit src

lint: $(STAMP)
	$(BIN)/ruff check src tests

bench: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m benchmarks.run --output BENCHMARKS.md

clean:
	rm -rf $(VENV) runs .pytest_cache
