"""Typed configuration: one dataclass per stage, YAML files, ``key.sub=value`` overrides.

A config is data, never code: no imports of dotted paths, no evaluation. Every field has a
docstring and every check lives in ``__post_init__`` (as litgpt does), so a bad value fails
where it is read, with the file and line it came from.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from empathy_r1.coe import DEFAULT_TAGS
from empathy_r1.endpoints import EndpointSettings
from empathy_r1.errors import UserError
from empathy_r1.io import read_text

__all__ = [
    "Config",
    "DataConfig",
    "EvalConfig",
    "GRPOConfig",
    "GuardConfig",
    "LoraConfig",
    "ModelConfig",
    "PipelineConfig",
    "RewardConfig",
    "SFTConfig",
    "SafetyConfig",
    "ServeConfig",
    "apply_overrides",
    "load_config",
    "to_dict",
]


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise ValueError(message)


def _require(obj: Any, section: str, names: str, ok: typing.Callable[[Any], bool], what: str) -> None:
    """Check each of the space-separated fields; the message is ``section.field: what, got value``."""
    for name in names.split():
        value = getattr(obj, name)
        _check(ok(value), f"{section}.{name}: {what}, got {value!r}")


def _positive(v: Any) -> bool:
    return v > 0


def _probability(v: Any) -> bool:
    return 0.0 <= v <= 1.0


def _steps(v: Any) -> bool:
    """-1 (use epochs) or a positive step count."""
    return v == -1 or v > 0


@dataclass
class LoraConfig:
    enabled: bool = False
    """Train LoRA adapters (PEFT) instead of all weights."""
    r: int = 16
    """Adapter rank."""
    alpha: int = 32
    """LoRA scaling numerator (scale = alpha / r)."""
    dropout: float = 0.05
    """Dropout on the adapter input."""
    target_modules: str | list[str] = "all-linear"
    """Modules to adapt: PEFT's "all-linear" or a list of module names."""
    merge: bool = False
    """Merge adapters into the base weights when saving the checkpoint."""

    def __post_init__(self) -> None:
        _check(self.r > 0, "lora.r must be positive")
        _require(self, "lora", "alpha", _positive, "must be positive")
        _check(0.0 <= self.dropout < 1.0, "lora.dropout must be in [0, 1)")


@dataclass
class ModelConfig:
    path: str | None = None
    """A Hugging Face checkpoint: a local directory or a hub id ("Qwen/Qwen3-8B", "org/name@revision"; offline from the cache). None builds a tiny random Qwen3 from the dimensions below."""
    tokenizer: str = "bpe"
    """"qwen3" (the genuine Qwen3 tokenizer, offline), "bpe" (a small BPE trained on the corpus), a local directory or a hub id."""
    bpe_vocab_size: int = 2000
    """Vocabulary size of the locally trained BPE tokenizer."""
    hidden_size: int = 64
    """Tiny model: width."""
    num_layers: int = 2
    """Tiny model: decoder layers."""
    num_heads: int = 4
    """Tiny model: attention heads."""
    num_kv_heads: int = 2
    """Tiny model: key/value heads (grouped-query attention)."""
    head_dim: int | None = None
    """Tiny model: per-head width; None means hidden_size / num_heads."""
    intermediate_size: int = 256
    """Tiny model: MLP width."""
    max_position_embeddings: int = 4096
    """Tiny model: longest sequence."""
    dtype: Literal["float32", "bfloat16", "float16", "auto"] = "float32"
    """Weights' dtype when loading; bf16 on GPUs."""
    attn_implementation: str = "sdpa"
    """transformers attention backend: "sdpa", "eager" or "flash_attention_2"."""
    activation_checkpointing: bool = False
    """Recompute activations in the backward pass (saves memory on big models; slower on tiny ones, TRL turns it on by default)."""
    lora: LoraConfig = field(default_factory=LoraConfig)
    """Parameter-efficient fine-tuning."""

    def __post_init__(self) -> None:
        _check(self.hidden_size % self.num_heads == 0 or self.head_dim is not None, "model.hidden_size must divide by model.num_heads")
        _check(self.num_heads % self.num_kv_heads == 0, "model.num_heads must divide by model.num_kv_heads")
        _check(self.bpe_vocab_size >= 300, "model.bpe_vocab_size must be at least 300")


@dataclass
class DataConfig:
    source: str = "synth"
    """"synth" (generated corpus), "sample" (the shipped hand-written posts) or a path to a canonical JSONL file."""
    synth_n: int = 400
    """Posts to generate when source is "synth"."""
    sft_n: int = 200
    """SFT cold-start examples (paper: 200 chains by DeepSeek-R1, reviewed by professionals). Fewer usable chains is an error."""
    sft_source: str | None = None
    """The reviewed SFT file ``data review`` writes (its log ``<file>.review.jsonl`` beside it): used whole for SFT,
    never split; its posts are removed from valid/test. None: chains of the training split (the synthetic demo)."""
    allow_unreviewed: bool = False
    """Also use chains no professional accepted or edited (the synthetic corpus's generated gold chains)."""
    min_answer_chars: int = 100
    """Answers shorter than this are dropped when cleaning a non-synthetic source (paper: 100)."""
    valid_frac: float = 0.05
    """Share of posts in the validation split."""
    test_frac: float = 0.1
    """Share of posts in the test split."""
    language: Literal["zh", "en"] = "zh"
    """Language of the system prompt."""
    drop_layers: list[str] = field(default_factory=list)
    """CoE layers left out everywhere (SFT targets, prompt, format reward), by tag or key, e.g. ["L2"]: the ablation."""
    eval_source: str | None = None
    """Evaluate on another corpus ("synth", "sample" or a JSONL path) instead of this one's test split: cross-corpus."""
    teacher: EndpointSettings | None = None
    """The teacher model of `data distill` (an OpenAI-compatible endpoint); flags override its fields."""

    def __post_init__(self) -> None:
        _check(self.synth_n > 0 and self.sft_n > 0, "data.synth_n and data.sft_n must be positive")
        _check(self.min_answer_chars >= 0, "data.min_answer_chars must not be negative")
        _require(self, "data", "valid_frac test_frac", _probability, "must be in [0, 1]")
        known = {*DEFAULT_TAGS.layers, *DEFAULT_TAGS.layer_keys}
        _check(set(self.drop_layers) <= known, f"data.drop_layers must name layers among {sorted(known)}, got {self.drop_layers}")
        _check(len(set(self.drop_layers)) < 4, "data.drop_layers cannot drop every CoE layer (use pipeline.coe: false)")
        _check(
            0 <= self.valid_frac < 1 and 0 < self.test_frac < 1 and self.valid_frac + self.test_frac < 1,
            "data split fractions must be in [0, 1) and sum below 1",
        )


@dataclass
class SFTConfig:
    epochs: float = 3.0
    """Passes over the SFT set."""
    max_steps: int = -1
    """Stop after this many optimiser steps (-1: use epochs)."""
    learning_rate: float = 2e-5
    """Peak learning rate."""
    batch_size: int = 4
    """Per-device batch size."""
    grad_accum: int = 1
    """Gradient accumulation steps."""
    max_length: int = 2048
    """Longest tokenised example; longer ones are truncated."""
    warmup_ratio: float = 0.03
    """Share of steps spent warming up the learning rate."""
    assistant_only_loss: bool = True
    """Train on the assistant turn only (the prompt is masked)."""
    logging_steps: int = 10
    """Log every this many steps."""
    save_steps: int = 100
    """Checkpoint every this many steps (for resuming)."""

    def __post_init__(self) -> None:
        _require(self, "sft", "epochs learning_rate batch_size grad_accum max_length logging_steps save_steps", _positive, "must be positive")
        _require(self, "sft", "max_steps", _steps, "must be -1 (use epochs) or positive")
        _require(self, "sft", "warmup_ratio", _probability, "must be in [0, 1]")


@dataclass
class RewardConfig:
    encoder: str = "use"
    """"use" (multilingual Universal Sentence Encoder from PyPI, frozen, with a trained head) , a local sentence-transformers/HF directory or a hub id."""
    head_dim: int = 256
    """Width of the trainable projection head on the frozen encoder."""
    margin: float = 0.3
    """Triplet-loss margin m."""
    epochs: int = 5
    """Passes over the triplets."""
    learning_rate: float = 1e-3
    """Learning rate of the head (or of the encoder when fine-tuning one)."""
    batch_size: int = 64
    """Triplets per step."""
    threshold: float = 0.5
    """T: the answer reward is 1 when similarity(query, answer) >= T (binary mode)."""
    mode: Literal["binary", "soft"] = "binary"
    """binary as the paper, or soft: a clipped linear ramp around T."""
    negatives: dict[str, float] = field(default_factory=lambda: {"random": 0.4, "hard": 0.3, "degraded": 0.3})
    """Mix of negative kinds in the triplets."""
    format_weight: float = 1.0
    """Weight of the format reward in the composite reward."""
    answer_weight: float = 1.0
    """Weight of the answer reward in the composite reward."""
    safety_weight: float = 0.0
    """Weight of the safety penalty (0 turns it off)."""
    auto_threshold: bool = False
    """Use the T the reward stage suggests (best split of held-out positive/negative similarities) instead of threshold."""
    train_posts: int = 0
    """Build training triplets from the first this many training posts (0: all). Embedding is most of the stage's time."""

    def __post_init__(self) -> None:
        _check(self.margin > 0, "reward.margin must be positive")
        _require(self, "reward", "head_dim epochs learning_rate batch_size", _positive, "must be positive")
        _require(self, "reward", "format_weight answer_weight safety_weight", lambda v: v >= 0, "must not be negative")
        _check(self.train_posts >= 0, "reward.train_posts must be 0 (all) or positive")
        _check(-1.0 <= self.threshold <= 1.0, "reward.threshold must be a cosine similarity in [-1, 1]")
        _check(
            bool(self.negatives) and all(v >= 0 for v in self.negatives.values()) and sum(self.negatives.values()) > 0,
            "reward.negatives must be non-negative weights with a positive sum",
        )
        unknown = set(self.negatives) - {"random", "hard", "degraded"}
        _check(not unknown, f"reward.negatives has unknown kinds {sorted(unknown)}; choose from random, hard, degraded")


#: TRL 1.16's GRPO loss types.
TRL_LOSS_TYPES = ("grpo", "dapo", "dr_grpo", "bnpo", "cispo", "sapo", "luspo", "vespo")
#: Verl's ``actor.loss_agg_mode`` -> the TRL ``loss_type`` that aggregates the same way.
VERL_LOSS_AGG = {"token-mean": "dapo", "seq-mean-token-mean": "grpo", "seq-mean-token-sum-norm": "dr_grpo"}


@dataclass
class GRPOConfig:
    max_steps: int = 1000
    """Optimiser steps (the paper ran about 1,000)."""
    num_generations: int = 4
    """G: completions sampled per prompt."""
    batch_size: int = 4
    """Per-device batch of completions; must be a multiple of num_generations."""
    grad_accum: int = 1
    """Gradient accumulation steps."""
    steps_per_generation: int | None = None
    """Micro-batches one generation round feeds (TRL; None: grad_accum, one round per optimiser step).
    Larger values sample more prompts at once (cheaper per completion on CPU) and take several
    optimiser steps on them."""
    num_iterations: int = 1
    """Passes over each generated batch (the GRPO paper's mu; >1 reuses completions, clipped by epsilon)."""
    learning_rate: float = 1e-6
    """Peak learning rate."""
    beta: float = 0.04
    """KL penalty towards the SFT reference (TRL's default is 0: no KL)."""
    epsilon: float = 0.2
    """Clipping range of the policy ratio."""
    loss_type: str = "grpo"
    """TRL's loss aggregation: "grpo" (each completion's token mean, then the mean over completions), "dapo"
    (TRL's default: token sum over the global batch's tokens), "dr_grpo" (token sum / max_completion_length),
    "bnpo" (token mean of the local batch). The paper names GRPO's loss but not its aggregation: a project choice."""
    loss_agg_mode: Literal["token-mean", "seq-mean-token-mean", "seq-mean-token-sum-norm"] | None = None
    """Verl's name for the aggregation (the paper trained with Verl; Verl's default is token-mean). When set it
    chooses loss_type: token-mean -> "dapo", seq-mean-token-mean -> "grpo", seq-mean-token-sum-norm -> "dr_grpo"
    (Verl's seq-mean-token-sum has no TRL counterpart). docs/method.md has the table."""
    scale_rewards: str = "group"
    """Advantage normalisation: "group" (paper: by the group's std), "batch" or "none"."""
    max_completion_length: int = 512
    """Longest sampled completion, in tokens."""
    temperature: float = 1.0
    """Sampling temperature."""
    top_p: float = 1.0
    """Nucleus sampling."""
    use_vllm: bool = False
    """Generate with vLLM (GPU only)."""
    vllm_mode: Literal["colocate", "server"] = "colocate"
    """vLLM beside the trainer on the same GPUs, or as a separate server."""
    vllm_gpu_memory_utilization: float = 0.3
    """GPU memory share vLLM may take in colocate mode."""
    logging_steps: int = 1
    """Log every this many steps."""
    save_steps: int = 50
    """Checkpoint every this many steps (for resuming)."""
    warmup_ratio: float = 0.0
    """Share of steps spent warming up the learning rate."""
    top_k: int = 0
    """Top-k sampling (0: off)."""

    def __post_init__(self) -> None:
        _check(self.num_generations >= 2, "grpo.num_generations must be at least 2 (advantages need a group)")
        _require(
            self, "grpo", "max_steps batch_size grad_accum learning_rate max_completion_length logging_steps save_steps", _positive, "must be positive"
        )
        _require(self, "grpo", "temperature top_k", lambda v: v >= 0, "must not be negative")
        _require(self, "grpo", "top_p vllm_gpu_memory_utilization", lambda v: 0.0 < v <= 1.0, "must be in (0, 1]")
        _require(self, "grpo", "warmup_ratio", _probability, "must be in [0, 1]")
        _check(
            self.batch_size % self.num_generations == 0,
            f"grpo.batch_size ({self.batch_size}) must be a multiple of grpo.num_generations ({self.num_generations})",
        )
        _check(self.beta >= 0 and self.epsilon > 0, "grpo.beta must be >= 0 and grpo.epsilon > 0")
        _check(
            self.steps_per_generation is None or self.steps_per_generation >= 1,
            "grpo.steps_per_generation must be at least 1 (or null)",
        )
        _check(self.num_iterations >= 1, "grpo.num_iterations must be at least 1")
        _check(self.scale_rewards in {"group", "batch", "none"}, "grpo.scale_rewards must be group, batch or none")
        _check(self.loss_type in TRL_LOSS_TYPES, f"grpo.loss_type: must be one of {', '.join(TRL_LOSS_TYPES)}, got {self.loss_type!r}")
        if self.loss_agg_mode is not None:
            trl = VERL_LOSS_AGG[self.loss_agg_mode]
            # "grpo" is the default, so it yields to an explicit Verl mode; any other loss_type must agree.
            _check(
                self.loss_type in ("grpo", trl),
                f"grpo.loss_type {self.loss_type!r} contradicts grpo.loss_agg_mode {self.loss_agg_mode!r} (TRL's {trl!r}); set one of them",
            )
            self.loss_type = trl


@dataclass
class EvalConfig:
    n: int = 50
    """Held-out prompts to evaluate (0: the whole split)."""
    split: Literal["valid", "test"] = "test"
    """Which split to evaluate."""
    max_new_tokens: int = 512
    """Longest generated completion."""
    batch_size: int = 8
    """Prompts per generation batch."""
    temperature: float = 0.0
    """0 for greedy decoding (reproducible evaluations)."""
    upstream: EndpointSettings | None = None
    """Generate through this OpenAI-compatible engine (vLLM, SGLang, ...) instead of loading the policy here; batch_size requests in flight."""

    def __post_init__(self) -> None:
        _check(self.n >= 0 and self.batch_size > 0 and self.max_new_tokens > 0, "eval n, batch_size and max_new_tokens must be positive")
        _require(self, "eval", "temperature", lambda v: v >= 0, "must not be negative")


@dataclass
class ServeConfig:
    host: str = "127.0.0.1"
    """Bind address; loopback by default so nothing is exposed by accident."""
    port: int = 8000
    """TCP port."""
    max_batch_size: int = 8
    """Concurrent requests generated together."""
    max_new_tokens: int = 512
    """Default completion budget."""
    locale: str = "zh-CN"
    """Locale of the crisis message and help lines."""
    batching: bool = True
    """Batch concurrent requests for generation (off: each request is generated alone)."""
    batch_wait_ms: float = 5.0
    """How long the first request of a batch waits for others to join it."""
    max_request_bytes: int = 256_000
    """Larger request bodies are refused with 413."""
    language: Literal["zh", "en"] = "zh"
    """Language of the CoE system prompt and of the layer headings."""
    upstream: EndpointSettings | None = None
    """Put the server in front of this OpenAI-compatible engine (vLLM, SGLang, ...) instead of loading a checkpoint."""
    chat_template_kwargs: dict[str, Any] = field(default_factory=lambda: {"enable_thinking": False})
    """Sent to the upstream engine with every request: the chat-template settings the policy was trained with."""

    def __post_init__(self) -> None:
        _check(0 < self.port < 65536, "serve.port must be a TCP port")
        _check(self.max_batch_size >= 1 and self.batch_wait_ms >= 0, "serve.max_batch_size must be >= 1 and serve.batch_wait_ms >= 0")
        _check(self.max_request_bytes >= 1024, "serve.max_request_bytes must be at least 1024")


STAGES = ("data", "sft", "reward", "grpo", "eval", "report")


@dataclass
class PipelineConfig:
    stages: list[str] = field(default_factory=lambda: list(STAGES))
    """Stages to run, in order: data, sft, reward, grpo, eval, report. Leave out sft (GRPO-only) or grpo (SFT-only) for the ablations."""
    coe: bool = True
    """False: the no-CoE ablation (SFT on direct answers, no format reward)."""
    evaluate: list[str] = field(default_factory=lambda: ["base", "sft", "grpo"])
    """Policies to evaluate on the same held-out prompts (those whose stage did not run are skipped)."""

    def __post_init__(self) -> None:
        unknown = set(self.stages) - set(STAGES)
        _check(not unknown, f"pipeline.stages has unknown stages {sorted(unknown)}; choose from {', '.join(STAGES)}")
        _check("data" in self.stages, "pipeline.stages must include data")
        _check(set(self.evaluate) <= {"base", "sft", "grpo"}, "pipeline.evaluate must list among base, sft, grpo")


@dataclass
class GuardConfig:
    """An optional guard model (Qwen3Guard, Llama Guard) behind an OpenAI-compatible endpoint."""

    base_url: str | None = None
    """e.g. http://127.0.0.1:8001/v1 (vLLM serving Qwen/Qwen3Guard-Gen-0.6B); null: no guard."""
    model: str = "guard"
    """Model name the endpoint serves."""
    api_key_env: str | None = None
    """Environment variable holding the endpoint's key (the key itself never goes in a config)."""
    format: str = "auto"
    """Verdict format: qwen3guard, llamaguard or auto (recognise either)."""
    timeout: float = 2.0
    """Seconds to wait; past it the rules' and detector's verdict stands."""

    def __post_init__(self) -> None:
        _check(self.format in ("auto", "qwen3guard", "llamaguard"), "safety.guard.format must be auto, qwen3guard or llamaguard")
        _check(math.isfinite(self.timeout) and self.timeout > 0, "safety.guard.timeout must be a positive number of seconds")


@dataclass
class SafetyConfig:
    detector: str | None = "builtin"
    """The learned detector (USE + logistic regression) beside the rules: builtin, a .npz file from
    `safety train-detector`, or null for rules only. It may raise the level, never lower it."""
    classifier: str | None = None
    """Optional local Hugging Face text-classification directory that may raise (never lower) the rules' level; null: none."""
    classifier_threshold: float = 0.5
    """Score at or above which the classifier's risky label counts."""
    guard: GuardConfig = field(default_factory=GuardConfig)
    """Optional guard model; it may raise, never lower; failures never block a reply."""
    screen_output: bool = True
    """Screen generated answers too (method details, encouragement of harm are replaced). Leave on."""

    def __post_init__(self) -> None:
        _check(0.0 <= self.classifier_threshold <= 1.0, "safety.classifier_threshold must be in [0, 1]")


@dataclass
class Config:
    seed: int = 42
    """Seed for data splits, sampling and initialisation."""
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    sft: SFTConfig = field(default_factory=SFTConfig)
    reward: RewardConfig = field(default_factory=RewardConfig)
    grpo: GRPOConfig = field(default_factory=GRPOConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    serve: ServeConfig = field(default_factory=ServeConfig)
    safety: SafetyConfig = field(default_factory=SafetyConfig)
    pipeline: PipelineConfig = field(default_factory=PipelineConfig)


# --- loading ---------------------------------------------------------------------------------


def to_dict(cfg: Any) -> dict[str, Any]:
    """A plain, YAML/JSON-serialisable dict of a config."""
    return dataclasses.asdict(cfg)


def load_config(path: str | Path | None = None, overrides: list[str] | None = None) -> Config:
    """Read a YAML config (or the defaults when path is None) and apply ``key.sub=value`` overrides.

    Every mistake raises :class:`UserError` naming the file and line.
    """
    raw: dict[str, Any] = {}
    lines: dict[str, int] = {}
    source = "<defaults>"
    if path is not None:
        source = str(path)
        raw, lines = _read_yaml(Path(path))
    for item in overrides or []:
        key, value = _parse_override(item)
        _set_dotted(raw, key, value, item)
        _mark_override(lines, key)
    return _build(Config, raw, "", source, lines)


def apply_overrides(cfg: Config, overrides: list[str]) -> Config:
    """A new config with overrides applied on top of an existing one."""
    raw = to_dict(cfg)
    lines: dict[str, int] = {}
    for item in overrides:
        key, value = _parse_override(item)
        _set_dotted(raw, key, value, item)
        _mark_override(lines, key)
    return _build(Config, raw, "", "<override>", lines)


def _read_yaml(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    text = read_text(path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise UserError(f"invalid YAML: {problem}", path, mark.line + 1 if mark else None) from None
    if node is None:
        return {}, {}
    if not isinstance(node, yaml.MappingNode):
        raise UserError("a config must be a mapping of sections", path, node.start_mark.line + 1)
    lines: dict[str, int] = {}
    _collect_lines(node, "", lines, path)
    try:
        # A tag such as !!python/object is refused here: SafeLoader constructs plain data only.
        return yaml.safe_load(text) or {}, lines
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise UserError(f"invalid YAML: {problem}", path, mark.line + 1 if mark else None) from None


def _collect_lines(node: yaml.Node, prefix: str, lines: dict[str, int], path: Path) -> None:
    """Each dotted key's line; a key given twice in one mapping is an error (YAML would keep the last silently)."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = f"{prefix}{key_node.value}"
            line = key_node.start_mark.line + 1
            if key in seen:
                raise UserError(f"{key}: duplicate key (first on line {lines[key]})", path, line)
            seen.add(key)
            lines[key] = line
            _collect_lines(value_node, key + ".", lines, path)


def _parse_override(item: str) -> tuple[str, Any]:
    if "=" not in item:
        raise UserError(f"override {item!r} must look like key.sub=value")
    key, _, text = item.partition("=")
    key = key.strip()
    if not key or any(not part for part in key.split(".")):
        raise UserError(f"override {item!r} has an empty key")
    try:
        value = yaml.safe_load(text) if text.strip() else ""
    except yaml.YAMLError:
        value = text
    return key, value


def _set_dotted(raw: dict[str, Any], key: str, value: Any, item: str) -> None:
    parts = key.split(".")
    node = raw
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise UserError(f"override {item!r}: {part!r} is not a section")
        node = child
    node[parts[-1]] = value


def _mark_override(lines: dict[str, int], key: str) -> None:
    """Overrides have no line: the key and every section it creates report as <override>."""
    parts = key.split(".")
    for i in range(1, len(parts) + 1):
        lines.setdefault(".".join(parts[:i]), 0)
    lines[key] = 0


def _where(source: str, lines: dict[str, int], key: str) -> tuple[str, int | None]:
    line = lines.get(key)
    if line == 0:
        return "<override>", None
    return source, line


def _build(cls: type, raw: Any, prefix: str, source: str, lines: dict[str, int]) -> Any:
    section = prefix.rstrip(".") or "config"
    if not isinstance(raw, dict):
        file, line = _where(source, lines, prefix.rstrip("."))
        raise UserError(f"{section} must be a mapping, got {type(raw).__name__}", file, line)
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    for key in raw:
        if key not in names:
            file, line = _where(source, lines, prefix + str(key))
            raise UserError(f"unknown key {prefix + str(key)!r} (known in {section}: {', '.join(sorted(names))})", file, line)
    kwargs = {}
    for name in names & set(raw):
        key = prefix + name
        kwargs[name] = _coerce(hints[name], raw[name], key, source, lines)
    try:
        return cls(**kwargs)
    except ValueError as e:
        # Point at the first key of this section the message names, else at the section.
        message = str(e)
        named = sorted((message.find(f"{section}.{n}"), n) for n in raw if f"{section}.{n}" in message)
        key = prefix + named[0][1] if named else prefix.rstrip(".")
        file, line = _where(source, lines, key)
        # A section type used in several places (an endpoint) cannot name itself: say where it is.
        raise UserError(message if message.startswith(section.split(".")[0]) else f"{section}: {message}", file, line) from None


def _coerce(tp: Any, value: Any, key: str, source: str, lines: dict[str, int]) -> Any:
    def fail(expected: str) -> typing.NoReturn:
        file, line = _where(source, lines, key)
        raise UserError(f"{key}: must be {expected}, got {value!r}", file, line)

    if dataclasses.is_dataclass(tp):
        return _build(tp, value, key + ".", source, lines)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in (a for a in args if a is not type(None)):
            try:
                return _coerce(arg, value, key, source, lines)
            except UserError as e:
                errors.append(e)
        if len(errors) == 1 and isinstance(value, dict):
            raise errors[0]  # an optional section: its own message names the key that is wrong
        fail(" or ".join(_type_name(a) for a in args))
    if origin is Literal:
        if value not in args:
            fail("one of " + ", ".join(repr(a) for a in args))
        return value
    if origin is list:
        if not isinstance(value, list):
            fail("a list")
        return [_coerce(args[0], v, key, source, lines) for v in value]
    if origin is dict:
        if not isinstance(value, dict):
            fail("a mapping")
        return {str(k): _coerce(args[1], v, f"{key}.{k}", source, lines) for k, v in value.items()}
    if tp is bool:
        if not isinstance(value, bool):
            fail("true or false")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            fail("an integer")
        return value
    if tp is float:
        # YAML 1.1 reads "2e-5" (no dot) as a string; a number written that way is still a number.
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                fail("a number")
        if isinstance(value, bool) or not isinstance(value, int | float):
            fail("a number")
        if not math.isfinite(value):
            fail("a finite number")
        return float(value)
    if tp is str:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            fail("a string")
        return str(value)
    if tp is Any:
        return value
    fail(_type_name(tp))


def _type_name(tp: Any) -> str:
    return "null" if tp is type(None) else getattr(tp, "__name__", str(tp))
