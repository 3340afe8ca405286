"""Every shipped config loads and builds the TRL configs it describes, on CPU, without a model."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from empathy_r1.coe import DEFAULT_TAGS, Chain, render
from empathy_r1.config import load_config
from empathy_r1.errors import UserError
from empathy_r1.prompts import record_messages, sft_target, tags_for
from empathy_r1.training.grpo import build_grpo_config, reward_functions
from empathy_r1.training.sft import build_sft_config

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = sorted((ROOT / "configs").glob("*.yaml"))


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_config_builds_trl_configs(path, tmp_path):
    cfg = load_config(path)
    sft = build_sft_config(cfg, tmp_path / "sft")
    assert sft.assistant_only_loss is cfg.sft.assistant_only_loss and sft.learning_rate == cfg.sft.learning_rate
    assert sft.activation_checkpointing is cfg.model.activation_checkpointing
    grpo = build_grpo_config(cfg, tmp_path / "grpo", [1.0, 1.0])
    g = cfg.grpo
    assert (grpo.beta, grpo.epsilon, grpo.loss_type, grpo.scale_rewards) == (g.beta, g.epsilon, g.loss_type, g.scale_rewards)
    assert grpo.num_generations == g.num_generations and grpo.max_completion_length == g.max_completion_length
    assert grpo.use_vllm is g.use_vllm and grpo.reward_weights == [1.0, 1.0]
    assert grpo.num_iterations == g.num_iterations
    assert grpo.steps_per_generation == (g.steps_per_generation or g.grad_accum)  # TRL: None means one round per step
    assert grpo.bf16 is False and grpo.use_cpu is True  # on this CPU machine, whatever the config's dtype


def test_one_generation_round_can_feed_several_optimiser_steps(tmp_path):
    cfg = load_config(None, ["grpo.batch_size=8", "grpo.steps_per_generation=4", "grpo.num_iterations=2"])
    grpo = build_grpo_config(cfg, tmp_path)
    assert (grpo.generation_batch_size, grpo.steps_per_generation, grpo.num_iterations) == (32, 4, 2)
    with pytest.raises(UserError, match="steps_per_generation"):
        load_config(None, ["grpo.steps_per_generation=0"])


def test_paper_config_is_the_paper_setup(tmp_path):
    cfg = load_config(ROOT / "configs" / "qwen3-8b.yaml")
    assert cfg.grpo.num_generations == 4 and cfg.grpo.max_steps >= 1000 and cfg.grpo.beta > 0 and cfg.grpo.loss_type == "grpo"
    grpo = build_grpo_config(cfg, tmp_path)
    assert grpo.use_vllm and grpo.vllm_mode == "colocate"
    assert cfg.data.sft_n == 200 and cfg.model.activation_checkpointing


@pytest.mark.parametrize("path", sorted((ROOT / "configs" / "accelerate").glob("*.yaml")), ids=lambda p: p.name)
def test_accelerate_configs_are_zero3(path):
    raw = yaml.safe_load(path.read_text())
    assert raw["distributed_type"] == "DEEPSPEED" and raw["deepspeed_config"]["zero_stage"] == 3
    assert raw["num_processes"] == raw["num_machines"] * 8


def test_ablation_switches_shape_prompts_targets_and_rewards():
    record = {
        "post": "帖子",
        "title": "",
        "coe": {"emotions": "焦虑", "causes": "因", "intent": "被理解", "strategy": "策", "answer": "回答"},
    }
    cfg = load_config(None, ["data.drop_layers=[L2]"])
    assert tags_for(cfg).layers == ("L1", "L3", "L4")
    assert "<L2>" not in sft_target(record, cfg) and "<L2>" not in record_messages(record, cfg)[0]["content"]
    nocoe = load_config(None, ["pipeline.coe=false"])
    assert sft_target(record, nocoe) == "回答" and "<L1>" not in record_messages(record, nocoe)[0]["content"]
    with pytest.raises(ValueError):  # without CoE there is no format reward, so GRPO needs a reward model
        reward_functions(nocoe, reward_model=None, threshold=0.5)
    funcs, weights = reward_functions(load_config(None), reward_model=None, threshold=0.5)
    assert [f.__name__ for f in funcs] == ["format_reward"] and weights == [1.0]
    assert funcs[0]([render(Chain("a", "b", "c", "d", "e"), DEFAULT_TAGS)]) == [1.0]
