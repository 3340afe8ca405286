"""ESTIMATE, not a measurement: the paper-scale GRPO run on 8 x H100 (no GPU was lent to this task).

configs/qwen3-8b.yaml: Qwen3-8B, G = 4, per-device batch 4 x grad_accum 4 on 8 GPUs (128
completions = 32 prompts per optimiser step), completions up to 1,024 tokens, beta 0.04 (a
reference model), vLLM colocated (30% of each GPU), ZeRO-3, activation checkpointing, bf16.
Every number below is arithmetic on the assumptions listed with it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["estimate"]

# Qwen3-8B: 36 layers, hidden 4096, 32 query / 8 KV heads (head_dim 128), MLP 12288, vocab 151,936, lm_head untied.
LAYERS, HIDDEN, Q, KV, MLP, VOCAB = 36, 4096, 32 * 128, 8 * 128, 12288, 151_936
N_BODY = LAYERS * (HIDDEN * Q + 2 * HIDDEN * KV + Q * HIDDEN + 3 * HIDDEN * MLP)
N_HEAD = VOCAB * HIDDEN
N_TOTAL = N_BODY + 2 * N_HEAD  # + the input embedding

GPUS = 8
H100_BF16 = 989e12  # dense bf16 FLOP/s per H100 SXM (datasheet)
H100_HBM = 3.35e12  # bytes/s
COMPLETIONS = 4 * 4 * GPUS  # per-device batch x grad_accum x GPUs
PROMPT_TOKENS = 700  # system prompt (~200 Qwen3 tokens) + a long post (~500)
COMPLETION_TOKENS = 800  # mean of up to 1,024
TRAIN_MFU = 0.40  # a typical ZeRO-3 + checkpointing figure for an 8B model on H100s (assumed)


def estimate() -> dict[str, Any]:
    tokens = COMPLETIONS * (PROMPT_TOKENS + COMPLETION_TOKENS)
    n = N_BODY + N_HEAD  # matmul parameters a token meets
    train = 8 * n * tokens  # forward 2 + backward 4 + recompute 2 (activation checkpointing)
    ref = 2 * n * tokens
    gen = 2 * n * tokens
    train_s = (train + ref) / (GPUS * H100_BF16 * TRAIN_MFU)
    # Decode is memory-bound: every token step reads all bf16 weights once per GPU (each GPU
    # generates its own 16 completions with a full copy in vLLM, TP = 1).
    decode_s = COMPLETION_TOKENS * 1.25 * (2 * N_TOTAL) / H100_HBM  # 1.25: the longest of 16 runs past the mean
    sync_s = 2 * N_TOTAL / 50e9  # ZeRO-3 gather of the weights into vLLM each step (~50 GB/s effective)
    step_s = train_s + decode_s + sync_s
    states = 16 * N_TOTAL / GPUS  # bf16 params + bf16 grads + fp32 master + Adam m, v = 16 B/param, sharded
    ref_mem = 2 * N_TOTAL / GPUS
    vllm = 0.30 * 80e9
    acts = 4 * (PROMPT_TOKENS + COMPLETION_TOKENS) * HIDDEN * 2 * LAYERS  # checkpointed layer inputs, one micro-batch
    logits = 4 * COMPLETION_TOKENS * VOCAB * 4  # fp32 log-softmax over completion tokens
    return {
        "params": N_TOTAL,
        "tokens": tokens,
        "flops": {"policy fwd+bwd (+recompute)": train, "reference fwd": ref, "generation (vLLM)": gen},
        "seconds": {"train + reference": train_s, "generation (decode, memory-bound)": decode_s, "weight sync to vLLM": sync_s},
        "step_s": step_s,
        "run_h": step_s * 1000 / 3600,
        "memory_gb": {
            "ZeRO-3 model states (16 B/param / 8)": states / 1e9,
            "reference model (bf16 / 8)": ref_mem / 1e9,
            "vLLM (0.3 x 80 GB: weights + KV cache)": vllm / 1e9,
            "activations (checkpointed)": acts / 1e9,
            "completion logits (fp32)": logits / 1e9,
        },
    }
