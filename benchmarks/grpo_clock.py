"""Where a GRPO step's time goes, read from TRL's public surface only.

A :class:`PhaseClock` is a ``TrainerCallback``. At ``on_train_begin`` it wraps the policy's public
``generate`` and puts forward hooks (``torch.nn.Module.register_forward_pre_hook``) on the policy
and, once it first runs, on the reference model. Each forward is counted as

- ``generate``: inside ``model.generate`` (prefill + decode),
- ``ref``: the reference model's forward (the KL term, beta > 0),
- ``policy_nograd``: a policy forward without grad (old log-probs, when TRL needs them),
- ``policy_fwd``: the policy forward with grad (the loss),

and the step boundaries come from the callbacks: ``backward`` runs from the end of the last
grad forward to ``on_pre_optimizer_step``, ``optimizer`` from there to ``on_optimizer_step``.
What is left of the step (``on_step_begin`` to ``on_step_end``) is reward scoring plus TRL's
bookkeeping (decoding completions, advantages, logging); ``embed`` is the reward model's share
of it, timed by wrapping the reward model's own ``embed``.

It also counts model FLOPs per phase (see :class:`FlopModel`), so MFU falls out per phase.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any

from transformers import TrainerCallback

__all__ = ["PHASES", "FlopModel", "PhaseClock"]

PHASES = ("generate", "embed", "rewards_other", "ref", "policy_nograd", "policy_fwd", "backward", "optimizer")


@dataclass(frozen=True)
class FlopModel:
    """Model FLOPs of a Qwen3-style decoder: matmuls (2 per multiply-add) plus attention scores.

    Per token of a forward: ``2 * n_body`` (every linear layer) + ``2 * n_head`` where logits are
    needed + ``4 * layers * heads * head_dim * context`` (QK^T and AV). Backward is twice the
    forward. Embedding lookups, norms and softmax are left out (as in the PaLM/Chinchilla count).
    """

    n_body: int
    """Parameters in the decoder layers' linear maps (q, k, v, o, gate, up, down)."""
    n_head: int
    """Parameters of the output layer (vocab x hidden)."""
    layers: int
    attn_width: int
    """heads x head_dim."""

    @classmethod
    def of(cls, config: Any) -> FlopModel:
        h, i, L = config.hidden_size, config.intermediate_size, config.num_hidden_layers
        hd = getattr(config, "head_dim", None) or h // config.num_attention_heads
        q, kv = config.num_attention_heads * hd, config.num_key_value_heads * hd
        per_layer = h * q + 2 * h * kv + q * h + 3 * h * i
        return cls(n_body=L * per_layer, n_head=config.vocab_size * h, layers=L, attn_width=q)

    @property
    def params(self) -> int:
        return self.n_body + self.n_head

    def forward(self, body_tokens: float, head_tokens: float, context: float) -> float:
        """FLOPs of one forward: ``context`` is the sum over body tokens of the positions each attends to."""
        return 2 * self.n_body * body_tokens + 2 * self.n_head * head_tokens + 4 * self.layers * self.attn_width * context


def _forward_size(args: tuple, kwargs: dict) -> tuple[float, float, float]:
    """(body tokens, logit tokens, attention context) of one forward call, padding excluded."""
    ids = kwargs.get("input_ids", args[0] if args else None)
    if ids is None:
        return 0.0, 0.0, 0.0
    b, t = ids.shape
    mask = kwargs.get("attention_mask")
    if mask is not None and mask.shape[-1] == t:  # a whole sequence (training, scoring, prefill)
        lengths = mask.sum(-1).float()  # [B]
        body = float(lengths.sum())
        context = float((lengths * (lengths + 1) / 2).sum())  # causal: token k attends to k positions
    else:  # a decode step with a KV cache: t new tokens attend to everything so far
        past = mask.shape[-1] if mask is not None else t
        body, context = float(b * t), float(b * t * past)
    labels = kwargs.get("labels")
    keep = kwargs.get("logits_to_keep", 0)
    if labels is not None:
        head = float((labels != -100).sum())
    elif isinstance(keep, int) and keep > 0:
        head = float(b * min(keep, t))
    else:
        head = float(b * t)
    return body, head, context


class PhaseClock(TrainerCallback):
    """Seconds and model FLOPs per phase of every optimiser step (see the module docstring)."""

    def __init__(self, reward_model: Any | None = None) -> None:
        self.steps: list[dict[str, float]] = []
        self.flops: list[dict[str, float]] = []
        self.reward_model = reward_model
        self._policy: Any = None
        self._ref: Any = None
        self._flop_model: FlopModel | None = None
        self._handles: list[Any] = []
        self._spotter: Any = None
        self._in_generate = False
        self._fwd: tuple[str, float, float] | None = None
        self._step_start = 0.0
        self._last_grad_fwd_end = 0.0
        self._pre_opt = 0.0
        self._cur: dict[str, float] = {}
        self._cur_flops: dict[str, float] = {}

    # --- callbacks --------------------------------------------------------------------------

    def on_train_begin(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        import torch

        self._policy = model
        self._flop_model = FlopModel.of(model.config)
        self._hook(model)
        self._wrap(model, "generate", "generate", generating=True)
        if self.reward_model is not None:
            self._wrap(self.reward_model, "embed", "embed")
        # The reference model is built inside GRPOTrainer; spot it at its first forward.
        self._spotter = torch.nn.modules.module.register_module_forward_pre_hook(self._spot)

    def on_step_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._cur = dict.fromkeys(PHASES, 0.0)
        self._cur_flops = dict.fromkeys(PHASES, 0.0)
        self._step_start = time.perf_counter()

    def on_pre_optimizer_step(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._pre_opt = time.perf_counter()
        self._cur["backward"] += self._pre_opt - self._last_grad_fwd_end
        self._cur_flops["backward"] = 2 * self._cur_flops["policy_fwd"]

    def on_optimizer_step(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._cur["optimizer"] += time.perf_counter() - self._pre_opt

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        total = time.perf_counter() - self._step_start
        measured = sum(v for k, v in self._cur.items() if k != "embed")
        self._cur["rewards_other"] = max(total - measured - self._cur["embed"], 0.0)
        self._cur["step"] = total
        self.steps.append(self._cur)
        self.flops.append(self._cur_flops)

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        for handle in [*self._handles, self._spotter]:
            if handle is not None:
                handle.remove()
        self._spotter = None
        self._handles.clear()
        for obj, name in ((self._policy, "generate"), (self.reward_model, "embed")):
            if obj is not None and name in vars(obj):
                delattr(obj, name)  # back to the class's own method

    # --- hooks --------------------------------------------------------------------------------

    def _wrap(self, obj: Any, name: str, phase: str, generating: bool = False) -> None:
        inner = getattr(obj, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            self._in_generate |= generating
            t0 = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                if self._cur:
                    self._cur[phase] += time.perf_counter() - t0
                self._in_generate &= not generating

        setattr(obj, name, timed)

    def _hook(self, model: Any) -> None:
        self._handles.append(model.register_forward_pre_hook(self._pre, with_kwargs=True))
        self._handles.append(model.register_forward_hook(self._post))

    def _spot(self, module: Any, args: tuple) -> None:
        if self._ref is None and module is not self._policy and hasattr(module, "lm_head") and hasattr(module, "generate"):
            self._ref = module
            self._hook(module)
            self._spotter.remove()  # the global spotter: its job is done
            self._spotter = None

    def _pre(self, module: Any, args: tuple, kwargs: dict) -> None:
        import torch

        if not self._cur or self._flop_model is None:
            return
        flops = self._flop_model.forward(*_forward_size(args, kwargs))
        if self._in_generate:
            self._cur_flops["generate"] += flops
            return
        phase = "ref" if module is self._ref else ("policy_fwd" if torch.is_grad_enabled() else "policy_nograd")
        self._cur_flops[phase] += flops
        self._fwd = (phase, time.perf_counter(), 0.0)

    def _post(self, module: Any, args: tuple, output: Any) -> None:
        if self._fwd is None or self._in_generate:
            return
        phase, t0, _ = self._fwd
        now = time.perf_counter()
        self._cur[phase] += now - t0
        if phase == "policy_fwd":
            self._last_grad_fwd_end = now
        self._fwd = None

    # --- results --------------------------------------------------------------------------------

    def summary(self, skip: int = 1) -> dict[str, float]:
        """Median seconds per phase and per step over the steps after the first ``skip`` (warm-up)."""
        steps = self.steps[skip:] or self.steps
        out = {k: statistics.median(s[k] for s in steps) for k in (*PHASES, "step")}
        flops = self.flops[skip:] or self.flops
        out |= {f"flops_{k}": statistics.median(f[k] for f in flops) for k in PHASES}
        out["flops"] = sum(out[f"flops_{k}"] for k in PHASES)
        out["n_steps"] = len(steps)
        return out
