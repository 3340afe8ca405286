"""Shared fixtures. Nothing here touches the network: models and tokenizers are built locally."""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import dataclasses
import socket
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from doubles import COE_ANSWER, running  # COE_ANSWER: the answer the CoE checkpoint below learns by heart


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory) -> Path:
    """A tiny random Qwen3 and a BPE tokenizer trained locally (ChatML, CoE tags): seconds to build."""
    from empathy_r1 import models
    from empathy_r1.config import ModelConfig

    d = tmp_path_factory.mktemp("tiny")
    texts = ["最近工作压力很大，晚上睡不好。", "我和父母的关系很紧张。", "听起来你真的很辛苦。"] * 20
    tok = models.train_bpe_tokenizer(texts, vocab_size=400)
    model = models.build_tiny_model(ModelConfig(hidden_size=32, num_heads=2, num_kv_heads=1, intermediate_size=64), tok)
    model.save_pretrained(d)
    tok.save_pretrained(d)
    return d


@pytest.fixture(scope="session")
def coe_checkpoint(tmp_path_factory) -> Path:
    """A tiny Qwen3 trained (overfitted, ~100 steps on CPU) to answer our CoE prompt with one fixed chain.

    Greedy decoding then writes a well-formed chain whose answer is :data:`COE_ANSWER`: a real
    engine serving it must give the CoE parsing, streaming and screening something real to do.
    """
    import torch

    from empathy_r1 import coe, models
    from empathy_r1.config import ModelConfig
    from empathy_r1.serving.turns import build_prompt

    d = tmp_path_factory.mktemp("coe-tiny")
    completion = coe.render(
        coe.Chain("来访者感到疲惫和孤单。", "长期压力让他觉得必须独自扛下一切。", "希望被理解。", "先共情，再给一个小建议。", COE_ANSWER)
    )
    prompts = [build_prompt([{"role": "user", "content": u}]) for u in ("最近工作压力很大，睡不好", "我和父母吵架了")]
    tok = models.train_bpe_tokenizer([p[0]["content"] for p in prompts] * 5 + [completion] * 5, vocab_size=3000)
    torch.manual_seed(0)
    model = models.build_tiny_model(ModelConfig(hidden_size=64, num_heads=4, num_kv_heads=2, intermediate_size=128), tok)
    rows, masks = [], []
    for p in prompts:
        head = tok(tok.apply_chat_template(p, tokenize=False, add_generation_prompt=True), add_special_tokens=False)["input_ids"]
        tail = tok(completion + "<|im_end|>", add_special_tokens=False)["input_ids"]
        rows.append(head + tail)
        masks.append([-100] * len(head) + tail)
    width = max(map(len, rows))
    ids = torch.tensor([r + [tok.pad_token_id] * (width - len(r)) for r in rows])  # [2, L]
    labels = torch.tensor([m + [-100] * (width - len(m)) for m in masks])  # [2, L]
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(60):
        model(input_ids=ids, labels=labels).loss.backward()
        opt.step()
        opt.zero_grad()
    model.eval().save_pretrained(d)
    tok.save_pretrained(d)
    return d


class Engine:
    """A ``transformers serve`` process on a loopback port: a real OpenAI-compatible engine, on CPU."""

    def __init__(self, checkpoint: Path, timeout: float = 120.0) -> None:
        import subprocess
        import sys
        import time

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/v1"
        self.model = str(checkpoint)
        exe = Path(sys.executable).with_name("transformers")
        cmd = [str(exe), "serve", str(checkpoint), "--device", "cpu", "--host", "127.0.0.1", "--port", str(port), "--log-level", "info"]
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "CUDA_VISIBLE_DEVICES": ""}
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.log: list[str] = []
        ready = threading.Event()

        def drain() -> None:  # reads the engine's log; the line uvicorn prints once it listens means ready
            for line in self.proc.stdout:
                self.log.append(line)
                if "Uvicorn running on" in line:
                    ready.set()
            ready.set()  # the process ended

        threading.Thread(target=drain, daemon=True).start()
        start = time.monotonic()
        if not ready.wait(timeout) or self.proc.poll() is not None:
            self.stop()
            raise RuntimeError("transformers serve did not start:\n" + "".join(self.log[-30:]))
        self.startup_s = time.monotonic() - start

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)


@pytest.fixture(scope="session")
def engine(coe_checkpoint: Path):
    """``transformers serve`` on the CoE checkpoint, shared by the tests that only read from it."""
    e = Engine(coe_checkpoint)
    yield e
    e.stop()


# --- shared helpers --------------------------------------------------------------------------



@pytest.fixture
def serve_app() -> Callable:
    """``with serve_app(app) as url:`` runs an ASGI app on loopback for the test."""
    return running


@dataclasses.dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    def __iter__(self):  # code, out, err = cli(...)
        return iter((self.returncode, self.stdout, self.stderr))


@pytest.fixture
def cli(capsys, monkeypatch) -> Callable[..., CliResult]:
    """``cli("config", "check", path)`` runs the console script in this process (no interpreter start-up)."""
    from empathy_r1.cli import main

    def run(*args: str) -> CliResult:
        monkeypatch.setattr("sys.argv", ["empathy-r1", *map(str, args)])
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run


# Other model families, built locally: a tokenizer trained here with the family's special tokens
# and a chat template without {% generation %} markers (the Gemma one has no system role, as
# Gemma's own templates before Gemma 3 raise on one), and a random tiny checkpoint of the architecture.
LLAMA_TEMPLATE = (
    "{{- bos_token }}{%- for m in messages %}"
    "{{- '<|start_header_id|>' + m['role'] + '<|end_header_id|>\\n\\n' + m['content'] | trim + '<|eot_id|>' }}"
    "{%- endfor %}{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}"
)
GEMMA_TEMPLATE = (
    "{{- bos_token }}{%- for m in messages %}"
    "{%- if m['role'] == 'system' %}{{ raise_exception('System role not supported') }}{%- endif %}"
    "{%- set role = 'model' if m['role'] == 'assistant' else m['role'] %}"
    "{{- '<start_of_turn>' + role + '\\n' + m['content'] | trim + '<end_of_turn>\\n' }}"
    "{%- endfor %}{%- if add_generation_prompt %}{{- '<start_of_turn>model\\n' }}{%- endif %}"
)
FAMILIES = {
    "llama": {
        "specials": ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"],
        "bos": "<|begin_of_text|>", "eos": "<|eot_id|>", "pad": "<|end_of_text|>", "template": LLAMA_TEMPLATE,
    },
    "gemma3": {
        "specials": ["<pad>", "<eos>", "<bos>", "<start_of_turn>", "<end_of_turn>"],
        "bos": "<bos>", "eos": "<end_of_turn>", "pad": "<pad>", "template": GEMMA_TEMPLATE,
    },
}  # fmt: skip


def build_family_checkpoint(family: str, directory: Path) -> Path:
    """A tiny random Llama or Gemma-3 (text) checkpoint with its own tokenizer, saved to ``directory``."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    from empathy_r1.coe import DEFAULT_TAGS
    from empathy_r1.data.sample import load_sample

    spec = FAMILIES[family]
    texts = [r["post"] for r in load_sample()] + [a["text"] for r in load_sample() for a in r["answers"]]
    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=600, special_tokens=spec["specials"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    backend.train_from_iterator(texts + [DEFAULT_TAGS.think, *DEFAULT_TAGS.layers, DEFAULT_TAGS.answer] * 20, trainer=trainer)
    tok = PreTrainedTokenizerFast(tokenizer_object=backend, bos_token=spec["bos"], eos_token=spec["eos"], pad_token=spec["pad"])
    tok.chat_template = spec["template"]
    ids = {"vocab_size": len(tok), "bos_token_id": tok.bos_token_id, "eos_token_id": tok.eos_token_id, "pad_token_id": tok.pad_token_id}
    torch.manual_seed(0)
    if family == "llama":
        from transformers import LlamaConfig, LlamaForCausalLM

        config = LlamaConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=1, **ids)
        model = LlamaForCausalLM(config)
    else:
        from transformers import Gemma3ForCausalLM, Gemma3TextConfig

        config = Gemma3TextConfig(
            hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1, head_dim=16,
            sliding_window=16, **ids,
        )  # fmt: skip
        model = Gemma3ForCausalLM(config)
    model.generation_config.eos_token_id = tok.eos_token_id
    model.generation_config.pad_token_id = tok.pad_token_id
    model.save_pretrained(directory)
    tok.save_pretrained(directory)
    return directory


@pytest.fixture(scope="session")
def family_checkpoint(tmp_path_factory) -> Callable[[str], Path]:
    """``family_checkpoint("llama" | "gemma3")``: built once per session."""
    built: dict[str, Path] = {}

    def get(family: str) -> Path:
        if family not in built:
            built[family] = build_family_checkpoint(family, tmp_path_factory.mktemp(family))
        return built[family]

    return get


def lay_out_hub_cache(cache: Path, repo_id: str, checkpoint: Path, revision: str = "0" * 40) -> Path:
    """Put ``checkpoint``'s files into a Hugging Face cache as the hub client does (snapshots/<rev>/, refs/main)."""
    import shutil

    repo = cache / f"models--{repo_id.replace('/', '--')}"
    snapshot = repo / "snapshots" / revision
    shutil.copytree(checkpoint, snapshot)
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    (repo / "refs" / "main").write_text(revision, encoding="utf-8")
    return snapshot


@pytest.fixture(scope="session")
def hub_cache_layout() -> Callable[..., Path]:
    """:func:`lay_out_hub_cache`, for tests (conftest is not importable under importlib mode)."""
    return lay_out_hub_cache
