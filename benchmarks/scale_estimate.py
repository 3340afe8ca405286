"""ESTIMATE, not a measurement: the paper-scale run on H200s, as docs/scale.md quotes it.

    python -m benchmarks.scale_estimate        # prints the tables of docs/scale.md

Qwen3-8B (its architecture: benchmarks/gpu_estimate.py), GRPO as configs/qwen3-8b.yaml sets it:
128 completions per optimiser step (32 prompts x G = 4), 700 prompt + 800 completion tokens on
average (completions up to 1,024), beta 0.04 (a reference model), activation checkpointing, bf16,
vLLM colocated. Two layouts: full fine-tuning under ZeRO-3 on 8 GPUs, and LoRA (r 64, all linear
layers) on one. Every figure is arithmetic on the constants below; change them and rerun.
"""

from __future__ import annotations

from typing import Any

from benchmarks.gpu_estimate import HIDDEN, KV, LAYERS, MLP, N_BODY, N_HEAD, N_TOTAL, Q

GPU_MEM = 141e9  # H200 HBM3e, bytes
GPU_BW = 4.8e12  # H200 HBM bytes/s
PEAK = 790e12  # the bf16 peak the issue names for the H200
TRAIN_MFU = 0.40  # assumed for the training forward/backward (the GPU check measures ours)
COMPLETIONS = 128
PROMPT, COMPLETION, COMPLETION_MAX = 700, 800, 1024
MICRO = 4  # sequences per micro-batch
LORA_R = 64
N_MM = N_BODY + N_HEAD  # matmul parameters a token meets
KV_PER_TOKEN = 2 * LAYERS * KV * 2  # K and V, bf16: 147,456 bytes
GB = 1e9


def lora_params(r: int = LORA_R) -> int:
    # in + out features of q, k, v, o, gate, up, down
    return LAYERS * r * ((HIDDEN + Q) + 2 * (HIDDEN + KV) + (Q + HIDDEN) + 2 * (HIDDEN + MLP) + (MLP + HIDDEN))


def _activations() -> float:
    seq = PROMPT + COMPLETION
    checkpoints = MICRO * seq * HIDDEN * 2 * LAYERS  # one bf16 layer input per layer kept
    one_layer = MICRO * seq * (34 * HIDDEN + 5 * MLP)  # a recomputed layer's intermediates (bf16, approx.)
    logprobs = MICRO * COMPLETION_MAX * 4 * 2  # TRL's fused LM head on GPU: log-prob and entropy per completion token, never [B, L, V] logits
    return checkpoints + one_layer + logprobs


def full_zero3(gpus: int = 8, vllm_util: float = 0.3) -> dict[str, Any]:
    per_gpu = COMPLETIONS // gpus
    tokens = per_gpu * (PROMPT + COMPLETION)
    mem = {
        "ZeRO-3 model states (bf16 w + g, fp32 master + Adam m, v: 16 B/param, / GPUs)": 16 * N_TOTAL / gpus,
        "reference model (bf16, ZeRO-3 sharded)": 2 * N_TOTAL / gpus,
        "ZeRO-3 gathered layers in flight (prefetch ~4 layers, bf16)": 4 * 2 * N_BODY / LAYERS,
        "activations (checkpointed, one micro-batch of 4)": _activations(),
        f"vLLM colocated ({vllm_util:.0%} of the GPU): weights (bf16, TP 1)": 2 * N_TOTAL,
        f"vLLM colocated ({vllm_util:.0%} of the GPU): KV cache and buffers": vllm_util * GPU_MEM - 2 * N_TOTAL,
    }
    kv_need = per_gpu * (PROMPT + COMPLETION_MAX) * KV_PER_TOKEN
    train_s = 10 * N_MM * tokens / (PEAK * TRAIN_MFU)  # fwd 2 + bwd 4 + recompute 2 + reference fwd 2
    decode_s = COMPLETION_MAX * (2 * N_TOTAL + per_gpu * (PROMPT + COMPLETION_MAX / 2) * KV_PER_TOKEN) / GPU_BW
    sync_s = 2 * N_TOTAL / 100e9  # all-gather of the bf16 weights into vLLM (~100 GB/s effective on NVLink)
    return _summary(f"Full fine-tuning, ZeRO-3, {gpus} x H200", mem, kv_need, train_s, decode_s, sync_s, per_gpu)


def lora_one_gpu(vllm_util: float = 0.4) -> dict[str, Any]:
    tokens = COMPLETIONS * (PROMPT + COMPLETION)
    n_lora = lora_params()
    mem = {
        "base weights (bf16, frozen)": 2 * N_TOTAL,
        f"LoRA r {LORA_R} ({n_lora / 1e6:.0f}M params): weights, grads, fp32 master, Adam (16 B/param)": 16 * n_lora,
        "reference model: the base with the adapter off (no copy)": 0.0,
        "activations (checkpointed, one micro-batch of 4)": _activations(),
        f"vLLM colocated ({vllm_util:.0%} of the GPU): weights (bf16, adapter merged)": 2 * N_TOTAL,
        f"vLLM colocated ({vllm_util:.0%} of the GPU): KV cache and buffers": vllm_util * GPU_MEM - 2 * N_TOTAL,
    }
    kv_need = COMPLETIONS * (PROMPT + COMPLETION_MAX) * KV_PER_TOKEN
    train_s = 8 * N_MM * tokens / (PEAK * TRAIN_MFU)  # fwd 2 + input-grad bwd 2 + recompute 2 + reference fwd 2
    decode_s = COMPLETION_MAX * (2 * N_TOTAL + COMPLETIONS * (PROMPT + COMPLETION_MAX / 2) * KV_PER_TOKEN) / GPU_BW
    sync_s = 0.5  # merging the adapter into vLLM's copy (TRL's LoRA sync): a fraction of a second, assumed
    return _summary("LoRA r 64, one H200", mem, kv_need, train_s, decode_s, sync_s, COMPLETIONS)


def _summary(name: str, mem: dict[str, float], kv_need: float, train_s: float, decode_s: float, sync_s: float, seqs: int) -> dict[str, Any]:
    kv_have = next(v for k, v in mem.items() if "KV cache" in k)
    step = train_s + decode_s + sync_s
    return {
        "name": name,
        "memory_gb": {k: v / GB for k, v in mem.items()},
        "total_gb": sum(mem.values()) / GB,
        "kv_needed_gb": kv_need / GB,
        "kv_fits": kv_have >= kv_need,
        "sequences_per_gpu": seqs,
        "seconds": {"train + reference (40% MFU)": train_s, "generation (decode, memory-bound)": decode_s, "weight sync to vLLM": sync_s},
        "step_s": step,
        "hours_per_1000_steps": step * 1000 / 3600,
    }


def markdown() -> str:
    lines = [f"Qwen3-8B: {N_TOTAL / 1e9:.2f}B parameters ({N_MM / 1e9:.2f}B in matmuls a token meets); KV cache {KV_PER_TOKEN:,} bytes per token.", ""]
    for est in (full_zero3(), lora_one_gpu()):
        lines += [f"### {est['name']}", "", "| memory per GPU | GB |", "|---|---|"]
        lines += [f"| {k} | {v:.1f} |" for k, v in est["memory_gb"].items()]
        lines += [f"| **total** | **{est['total_gb']:.0f} of {GPU_MEM / GB:.0f}** |", ""]
        lines.append(
            f"KV cache needed for {est['sequences_per_gpu']} sequences of {PROMPT} + {COMPLETION_MAX} tokens: {est['kv_needed_gb']:.1f} GB "
            f"({'fits' if est['kv_fits'] else 'does NOT fit: raise vllm_gpu_memory_utilization'})."
        )
        lines += ["", "| time per optimiser step (128 completions) | s |", "|---|---|"]
        lines += [f"| {k} | {v:.1f} |" for k, v in est["seconds"].items()]
        lines += [f"| **step** | **{est['step_s']:.0f}** (~{est['hours_per_1000_steps']:.1f} h per 1,000 steps) |", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown())
