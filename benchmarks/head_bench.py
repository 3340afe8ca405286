"""TRL's fused LM head against ours on CPU: a training step (forward + backward) of the tiny policy.

    python -m benchmarks.head_bench [--smoke]

Off Triton devices TRL's fused head projects every position through the LM head, the prompt's
included; ``empathy_r1.training.compact_head`` projects only the positions that carry a label.
Both are timed on the same random-initialised tiny Qwen3 (configs/tiny.yaml's shape) and the same
batches, shaped like the demo's SFT (8 sequences: ~280 prompt + ~110 trained tokens) and GRPO
(16 sequences: ~280 prompt + 160 completion tokens) steps. Before timing, the two heads' losses
and gradients are checked to agree.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from benchmarks.timing import median_time

ROOT = Path(__file__).resolve().parents[1]

#: (name, sequences, prompt tokens, trained tokens, outputs TRL's trainer asks its head for)
SHAPES = [
    ("SFT step", 8, 280, 110, ("log_probs", "entropy", "is_top1")),
    ("GRPO policy step", 16, 280, 160, ("log_probs", "entropy")),
]


#: A model small enough for the smoke run; the full run uses configs/tiny.yaml's model as it is.
SMOKE_MODEL = [
    "model.bpe_vocab_size=500",
    "model.hidden_size=32",
    "model.num_layers=1",
    "model.num_heads=2",
    "model.num_kv_heads=1",
    "model.intermediate_size=64",
]


def _model(smoke: bool) -> Any:
    """The demo's policy as the pipeline builds it (random-initialised), from configs/tiny.yaml."""
    import torch
    from transformers import Qwen3ForCausalLM

    from empathy_r1.config import load_config
    from empathy_r1.models import tiny_model_config

    cfg = load_config(ROOT / "configs" / "tiny.yaml", SMOKE_MODEL if smoke else []).model
    torch.manual_seed(0)
    return Qwen3ForCausalLM(tiny_model_config(cfg, vocab_size=cfg.bpe_vocab_size))


def _step(model: Any, batch: tuple[Any, Any, Any]) -> Any:
    ids, attention, labels = batch
    model.zero_grad(set_to_none=True)
    out = model(input_ids=ids, attention_mask=attention, labels=labels, fused_lm_head=True)
    out.loss.backward()
    return out.loss.detach()


def run(smoke: bool, tick: Any = lambda message: None) -> dict[str, Any]:
    import torch
    from trl.trainer.utils import add_fused_lm_head

    from empathy_r1.training.compact_head import compact_lm_head

    repeat = 1 if smoke else 7
    rows = []
    for name, n, prompt, trained, outputs in SHAPES:
        if smoke:
            n, prompt, trained = 2, 12, 6
        tick(f"head: {name}")
        trl_model, ours = _model(smoke), _model(smoke)
        add_fused_lm_head(trl_model, outputs=outputs)
        add_fused_lm_head(ours, outputs=outputs)
        compact_lm_head(ours, outputs=outputs)
        vocab = trl_model.config.vocab_size
        ids = torch.randint(0, vocab, (n, prompt + trained), generator=torch.Generator().manual_seed(1))
        labels = ids.clone()
        labels[:, :prompt] = -100
        batch = (ids, torch.ones_like(ids), labels)
        same_loss = torch.allclose(_step(trl_model, batch), _step(ours, batch), atol=1e-5)
        same_grad = all(
            torch.allclose(a.grad, b.grad, atol=1e-6, rtol=1e-4) for a, b in zip(trl_model.parameters(), ours.parameters(), strict=True)
        )
        trl_s, _ = median_time(lambda m=trl_model, b=batch: _step(m, b), repeat)
        ours_s, _ = median_time(lambda m=ours, b=batch: _step(m, b), repeat)
        rows.append(
            {
                "name": name,
                "sequences": n,
                "prompt": prompt,
                "trained": trained,
                "trl_s": trl_s,
                "ours_s": ours_s,
                "same": bool(same_loss and same_grad),
            }
        )
    return {"rows": rows, "repeats": repeat, "threads": torch.get_num_threads()}


def table(r: dict[str, Any]) -> str:
    lines = [
        "| step | sequences x (prompt + trained) tokens | TRL head: s | ours: s | speed-up | same loss and gradients |",
        "|---|---|---:|---:|---:|---|",
    ]
    for x in r["rows"]:
        shape = f"{x['sequences']} x ({x['prompt']} + {x['trained']})"
        lines.append(
            f"| {x['name']} | {shape} | {x['trl_s']:.3f} | {x['ours_s']:.3f} | {x['trl_s'] / x['ours_s']:.1f}x | {'yes' if x['same'] else 'NO'} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true")
    print(table(run(parser.parse_args().smoke)), end="")


if __name__ == "__main__":
    main()
