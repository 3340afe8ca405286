from __future__ import annotations

from pathlib import Path

import pytest

from empathy_r1.config import Config, apply_overrides, load_config, to_dict
from empathy_r1.errors import UserError

CONFIGS = sorted((Path(__file__).parents[2] / "configs").glob("*.yaml"))


def test_there_are_shipped_configs():
    assert {p.name for p in CONFIGS} >= {"tiny.yaml", "qwen3-8b.yaml"}


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_every_shipped_config_loads(path):
    cfg = load_config(path)
    assert isinstance(cfg, Config)
    assert cfg.grpo.batch_size % cfg.grpo.num_generations == 0


def test_paper_settings_in_the_paper_scale_config():
    cfg = load_config(Path(__file__).parents[2] / "configs" / "qwen3-8b.yaml")
    assert cfg.grpo.num_generations == 4 and cfg.grpo.max_steps == 1000
    assert cfg.grpo.beta > 0 and cfg.grpo.loss_type == "grpo" and cfg.grpo.use_vllm
    assert cfg.data.sft_n == 200


def test_overrides_are_typed():
    cfg = load_config(None, ["grpo.max_steps=7", "reward.mode=soft", "model.lora.enabled=true", "model.path=/x"])
    assert cfg.grpo.max_steps == 7 and cfg.reward.mode == "soft" and cfg.model.lora.enabled and cfg.model.path == "/x"
    again = apply_overrides(cfg, ["grpo.beta=0"])
    assert again.grpo.beta == 0.0 and again.grpo.max_steps == 7
    assert load_config(None, ["grpo.learning_rate=2e-5"]).grpo.learning_rate == 2e-5  # YAML 1.1 reads this as a string


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        (["grpo.bogus=1"], "unknown key 'grpo.bogus'"),
        (["nosuch.key=1"], "unknown key 'nosuch'"),
        (["grpo.max_steps=ten"], "grpo.max_steps: must be an integer"),
        (["reward.mode=fuzzy"], "reward.mode: must be one of"),
        (["reward.train_posts=-1"], "reward.train_posts must be 0 (all) or positive"),
        (["grpo.batch_size=6"], "multiple of grpo.num_generations"),
        (["grpo"], "must look like key.sub=value"),
        (["grpo.max_steps.x=1"], "<override>: grpo.max_steps: must be an integer"),
        (["seed.x=1", "seed.x.y=2"], "is not a section"),
    ],
)
def test_bad_overrides_name_the_key(overrides, needle):
    with pytest.raises(UserError) as e:
        load_config(None, overrides)
    assert needle in e.value.line()
    assert e.value.line().startswith("error: ")


def test_yaml_errors_carry_file_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("seed: 1\nmodel:\n  hidden_size: wide\n", encoding="utf-8")
    with pytest.raises(UserError) as e:
        load_config(bad)
    assert e.value.line() == f"error: {bad}:3: model.hidden_size: must be an integer, got 'wide'"
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("seed: 1\nsft:\n  epochz: 2\n", encoding="utf-8")
    with pytest.raises(UserError) as e:
        load_config(unknown)
    assert e.value.line().startswith(f"error: {unknown}:3: unknown key 'sft.epochz'")
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: [1,\n", encoding="utf-8")
    with pytest.raises(UserError) as e:
        load_config(broken)
    assert "invalid YAML" in e.value.line()
    with pytest.raises(UserError, match="no such file"):
        load_config(tmp_path / "missing.yaml")


def test_to_dict_round_trips_through_overrides():
    cfg = load_config(None, ["seed=3"])
    assert to_dict(cfg)["seed"] == 3


def test_verl_loss_aggregation_chooses_the_trl_loss_type():
    assert load_config(None, ["grpo.loss_agg_mode=token-mean"]).grpo.loss_type == "dapo"
    assert load_config(None, ["grpo.loss_agg_mode=seq-mean-token-mean"]).grpo.loss_type == "grpo"
    assert load_config(None, ["grpo.loss_agg_mode=seq-mean-token-sum-norm"]).grpo.loss_type == "dr_grpo"
    assert load_config(None, ["grpo.loss_agg_mode=token-mean", "grpo.loss_type=dapo"]).grpo.loss_type == "dapo"
    with pytest.raises(UserError, match=r"contradicts grpo\.loss_agg_mode"):
        load_config(None, ["grpo.loss_agg_mode=token-mean", "grpo.loss_type=dr_grpo"])
    with pytest.raises(UserError, match=r"grpo\.loss_type: must be one of"):
        load_config(None, ["grpo.loss_type=ppo"])


# Each was accepted with exit 0 before ranges, finiteness and duplicate keys were checked.
@pytest.mark.parametrize(
    ("yaml_text", "line", "message"),
    [
        ("grpo:\n  learning_rate: -3e-4\n", 2, "grpo.learning_rate: must be positive, got -0.0003"),
        ("reward:\n  learning_rate: -1\n", 2, "reward.learning_rate: must be positive, got -1.0"),
        ("grpo:\n  max_steps: -5\n", 2, "grpo.max_steps: must be positive, got -5"),
        ("sft:\n  learning_rate: .inf\n", 2, "sft.learning_rate: must be a finite number, got inf"),
        ("sft:\n  epochs: .nan\n", 2, "sft.epochs: must be a finite number, got nan"),
        ("sft:\n  max_steps: 0\n", 2, "sft.max_steps: must be -1 (use epochs) or positive, got 0"),
        ("seed: 1\nsft:\n  epochs: 1\n  epochs: 2\n", 4, "sft.epochs: duplicate key (first on line 3)"),
        ("seed: 1\nseed: 2\n", 2, "seed: duplicate key (first on line 1)"),
        ("grpo:\n  top_p: 1.5\n", 2, "grpo.top_p: must be in (0, 1], got 1.5"),
        ("grpo:\n  warmup_ratio: -0.1\n", 2, "grpo.warmup_ratio: must be in [0, 1], got -0.1"),
        ("data:\n  valid_frac: 2\n", 2, "data.valid_frac: must be in [0, 1], got 2.0"),
        ("reward:\n  answer_weight: -1\n", 2, "reward.answer_weight: must not be negative, got -1.0"),
    ],
)
def test_bad_values_are_rejected_with_file_line_and_key(tmp_path, yaml_text, line, message):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(UserError) as e:
        load_config(bad)
    assert e.value.line() == f"error: {bad}:{line}: {message}"


def test_yaml_tags_that_would_build_objects_are_refused(tmp_path):
    bad = tmp_path / "tag.yaml"
    bad.write_text("seed: 1\ngrpo: !!python/object:os.system\n  x: 1\n", encoding="utf-8")
    with pytest.raises(UserError) as e:
        load_config(bad)
    assert e.value.line().startswith(f"error: {bad}:2: invalid YAML: could not determine a constructor")
