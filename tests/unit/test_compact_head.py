"""The CPU head that scores only labelled positions gives what TRL's fused head gives, faster."""

import pytest
import torch
from transformers import Qwen3ForCausalLM
from trl.trainer.utils import add_fused_lm_head

from empathy_r1.config import load_config
from empathy_r1.models import tiny_model_config
from empathy_r1.training.compact_head import compact_lm_head

OUTPUTS = ("log_probs", "entropy", "is_top1")


def _model(seed=0):
    """A one-layer version of the demo's policy, built as the pipeline builds it (tied embeddings)."""
    cfg = load_config(
        None, ["model.hidden_size=32", "model.num_layers=1", "model.num_heads=2", "model.num_kv_heads=1", "model.intermediate_size=64"]
    )
    torch.manual_seed(seed)
    return Qwen3ForCausalLM(tiny_model_config(cfg.model, vocab_size=97))


def _batch():
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, 97, (3, 20), generator=g)
    attention = torch.ones_like(ids)
    attention[0, :4] = 0  # a left-padded row
    labels = ids.masked_fill(attention == 0, -100)
    labels[:, :12] = -100  # the prompt is not trained
    return ids, attention, labels


@pytest.mark.parametrize("temperature", [1.0, 0.7])
def test_same_outputs_and_gradients_as_trl_fused_head(temperature):
    ids, attention, labels = _batch()
    results = []
    for compact in (False, True):
        model = _model()
        add_fused_lm_head(model, temperature=temperature, outputs=OUTPUTS)
        if compact:
            assert compact_lm_head(model, temperature, OUTPUTS)
        out = model(input_ids=ids, attention_mask=attention, labels=labels, fused_lm_head=True)
        out.loss.backward()
        results.append((out, {n: p.grad.clone() for n, p in model.named_parameters()}))
    (ref, ref_grads), (got, got_grads) = results
    torch.testing.assert_close(got.loss, ref.loss)
    for field in (*OUTPUTS, "label_mask"):
        torch.testing.assert_close(getattr(got, field).float(), getattr(ref, field).float(), atol=1e-5, rtol=1e-4)
    for name, grad in ref_grads.items():
        torch.testing.assert_close(got_grads[name], grad, atol=1e-6, rtol=1e-4)


def test_outputs_trl_did_not_ask_for_stay_none():
    ids, attention, labels = _batch()
    model = _model()
    add_fused_lm_head(model)
    assert compact_lm_head(model)
    out = model(input_ids=ids, attention_mask=attention, labels=labels, fused_lm_head=True)
    assert out.entropy is None and out.is_top1 is None and out.log_probs.shape == (3, 19)


def test_plain_calls_and_generation_are_the_models_own():
    ids, attention, _ = _batch()
    plain = _model()
    expected = plain(input_ids=ids, attention_mask=attention).logits
    model = _model()
    add_fused_lm_head(model)
    compact_lm_head(model)
    torch.testing.assert_close(model(input_ids=ids, attention_mask=attention).logits, expected)
    assert model.generate(input_ids=ids[1:, :5], max_new_tokens=3, do_sample=False).shape == (2, 8)


def test_only_wraps_a_trl_head_and_only_once():
    model = _model()
    assert not compact_lm_head(model)  # no TRL head: nothing to answer for
    add_fused_lm_head(model)
    assert compact_lm_head(model)
    assert not compact_lm_head(model)


def test_soft_capped_logits_are_left_to_trl():
    model = _model()
    model.config.final_logit_softcapping = 30.0
    add_fused_lm_head(model)
    assert not compact_lm_head(model)
