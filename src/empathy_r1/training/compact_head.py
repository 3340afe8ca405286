"""Score only the labelled positions on CPU, where TRL's fused LM head scores every one.

TRL 1.16's trainers patch the policy with a "fused LM head": ``model(..., labels=labels,
fused_lm_head=True)`` returns per-token log-probabilities (a ``FusedCausalLMOutput``) without
materialising the full logits. On Triton devices it projects only the positions whose label is
not -100. Everywhere else it projects *all* of them, to keep tile shapes fixed for compilers;
eager PyTorch on a CPU recompiles nothing, so that is pure waste. For a chat model the prompt is
most of the sequence (the tiny demo: ~280 prompt tokens, ~110 trained ones), and with a 4k
vocabulary the head costs more than the backbone: a training step of SFT took 0.51 s with TRL's
head and 0.13 s scoring only the labelled positions (``python -m benchmarks.head_bench``).

:func:`compact_lm_head` wraps a model TRL has already patched: on a CPU it answers
``fused_lm_head=True`` calls itself, with the same outputs (log-probabilities, and entropy and
top-1 hits when TRL asked for them) computed on the labelled positions only; on any other device,
and for the cases it does not cover (pre-shifted labels, soft-capped or scaled logits, MoE router
losses), it hands the call to TRL's head unchanged. Nothing of TRL is modified; the trainers are
used as they are and only the model object they train is wrapped (after they patch it).
"""

from __future__ import annotations

import functools
import types
from typing import Any

__all__ = ["compact_lm_head", "compact_trainer_heads"]

_MARK = "_empathy_r1_compact_head"


def _unwrapped(model: Any) -> Any:
    """The model TRL patched: the base model under a PEFT wrapper."""
    return model.get_base_model() if hasattr(model, "get_base_model") else model


def _is_trl_fused(forward: Any) -> bool:
    """Whether ``forward`` is TRL's fused-head forward (it takes ``fused_lm_head``), not the model's own."""
    code = getattr(getattr(forward, "__func__", forward), "__code__", None)
    return code is not None and "fused_lm_head" in code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]


def _covered(text_config: Any) -> bool:
    """Plain logits: no soft-capping, scaling or router loss that TRL's head would apply."""
    scaled = any(
        getattr(text_config, k, None) not in (None, 1, 1.0)
        for k in ("logit_scale", "output_multiplier", "lm_head_multiplier", "logits_scaling")
    )
    return not (getattr(text_config, "final_logit_softcapping", None) or scaled or getattr(text_config, "output_router_logits", False))


def compact_lm_head(model: Any, temperature: float = 1.0, outputs: tuple[str, ...] = ("log_probs",)) -> bool:
    """Wrap ``model``'s TRL fused head so CPU calls score only labelled positions.

    ``temperature`` and ``outputs`` must be the ones the trainer gave TRL's head. Returns whether
    the model was wrapped (False: no TRL head to wrap, already wrapped, or logits it does not cover).
    """
    model = _unwrapped(model)
    trl_forward = model.forward
    if getattr(trl_forward, _MARK, False) or not _is_trl_fused(trl_forward):
        return False
    text_config = model.config.get_text_config()
    if not _covered(text_config):
        return False

    @functools.wraps(type(model).forward)
    def forward(
        self: Any,
        *args: Any,
        fused_lm_head: bool = False,
        labels: Any = None,
        shift_labels: Any = None,
        num_items_in_batch: Any = None,
        **kwargs: Any,
    ) -> Any:
        lm_head = self.get_output_embeddings()
        if not fused_lm_head or shift_labels is not None or lm_head.weight.device.type != "cpu":
            return trl_forward(
                *args,
                fused_lm_head=fused_lm_head,
                labels=labels,
                shift_labels=shift_labels,
                num_items_in_batch=num_items_in_batch,
                **kwargs,
            )
        return _score_labelled(self, lm_head, args, kwargs, labels, num_items_in_batch, temperature, outputs)

    setattr(forward, _MARK, True)
    model.forward = types.MethodType(forward, model)
    return True


def _score_labelled(
    model: Any, lm_head: Any, args: tuple, kwargs: dict, labels: Any, num_items_in_batch: Any, temperature: float, outputs: tuple[str, ...]
) -> Any:
    import torch
    from trl.trainer.utils import FusedCausalLMOutput

    kwargs["use_cache"] = False
    hidden = model.base_model(*args, **kwargs).last_hidden_state[:, :-1]  # [B, L-1, H]: position t predicts t+1
    targets = labels[:, 1:].to(hidden.device)
    mask = targets != -100
    logits = (lm_head(hidden[mask]).float()) / temperature  # [N, V], N = labelled positions only
    log_softmax = torch.log_softmax(logits, dim=-1)
    picked = log_softmax.gather(-1, targets[mask].unsqueeze(-1)).squeeze(-1)

    def spread(values: Any) -> Any:  # [N] back to [B, L-1], zero where unlabelled (as TRL's head returns)
        return values.new_zeros(mask.shape).masked_scatter(mask, values)

    log_probs = spread(picked)
    entropy = spread(-(log_softmax.exp() * log_softmax).sum(-1)) if "entropy" in outputs else None
    is_top1 = None
    if "is_top1" in outputs:
        with torch.no_grad():
            is_top1 = spread((logits.argmax(-1) == targets[mask]).to(logits.dtype))
    denominator = mask.sum().clamp(min=1) if num_items_in_batch is None else num_items_in_batch
    return FusedCausalLMOutput(loss=-log_probs.sum() / denominator, log_probs=log_probs, entropy=entropy, is_top1=is_top1, label_mask=mask)


def compact_trainer_heads(trainer: Any, temperature: float = 1.0, outputs: tuple[str, ...] = ("log_probs",)) -> bool:
    """Wrap the heads of a constructed TRL trainer's policy and, if it has one, reference model."""
    wrapped = compact_lm_head(trainer.model, temperature, outputs)
    ref = getattr(trainer, "ref_model", None)
    if ref is not None:
        compact_lm_head(ref, temperature, ("log_probs",))
    return wrapped
