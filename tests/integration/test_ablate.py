"""``empathy-r1 ablate``: the variant plan on any config, and two variants run on a micro config."""

from __future__ import annotations

import json
import sys

import pytest

from empathy_r1.cli import main
from empathy_r1.config import load_config
from empathy_r1.errors import UserError
from empathy_r1.training import ablate

MICRO = """
seed: 1
model: {bpe_vocab_size: 400, hidden_size: 32, num_layers: 1, num_heads: 2, num_kv_heads: 1, intermediate_size: 64}
data: {source: synth, synth_n: 60, sft_n: 16, allow_unreviewed: true}
sft: {max_steps: 4, batch_size: 4, learning_rate: 1.0e-3, save_steps: 2, logging_steps: 1}
reward: {epochs: 2, head_dim: 64, threshold: 0.5}
grpo: {max_steps: 2, batch_size: 4, num_generations: 4, learning_rate: 1.0e-4, max_completion_length: 16, save_steps: 1}
eval: {n: 4, max_new_tokens: 16, batch_size: 4}
pipeline: {evaluate: [sft, grpo]}
"""


def test_plan_covers_the_papers_ablations():
    # The defaults, pinned where the test depends on them (shipped configs change under us).
    cfg = load_config(None, ["data.source=synth", "reward.threshold=0.5", "reward.auto_threshold=false"])
    names = [v.name for v, _ in ablate.plan(cfg)]
    # No cross variant without --cross-source: there is no silent default corpus.
    assert names == ["full", "sft_only", "grpo_only", "no_coe", "drop_L1", "drop_L2", "drop_L3", "drop_L4", "T0.3", "T0.5", "T0.7"]
    with pytest.raises(UserError, match="cross variant needs --cross-source"):
        ablate.plan(cfg, ["cross"])
    # The paper's ablations are named as the paper's, the rest as the project's.
    origins = {name: v.origin for name, v in ablate.variants(cfg).items()}
    assert [n for n, o in origins.items() if o == "paper"] == ["full", "sft_only", "grpo_only", "no_coe"]
    by_name = {v.name: c for v, c in ablate.plan(cfg, cross_source="sample")}
    assert by_name["no_coe"].pipeline.coe is False
    assert "grpo" not in by_name["sft_only"].pipeline.stages and by_name["sft_only"].pipeline.evaluate == ["sft"]
    assert "sft" not in by_name["grpo_only"].pipeline.stages and by_name["grpo_only"].pipeline.evaluate == ["grpo"]
    assert by_name["drop_L3"].data.drop_layers == ["L3"]
    assert by_name["T0.7"].reward.threshold == 0.7 and not by_name["T0.7"].reward.auto_threshold
    assert by_name["cross"].data.eval_source == "sample"
    # --only takes groups, keeps table order, and "full" first.
    assert [v.name for v, _ in ablate.plan(cfg, ["threshold", "full", "drop_L2"])] == ["full", "drop_L2", "T0.3", "T0.5", "T0.7"]
    with pytest.raises(UserError, match="unknown variant 'nope'"):
        ablate.plan(cfg, ["nope"])
    # T0.5 on a config whose T is 0.5 is the reference run itself.
    assert ablate._same_run(cfg, by_name["T0.5"]) and not ablate._same_run(cfg, by_name["T0.3"])


@pytest.mark.slow
def test_ablate_two_variants_on_micro_config(tmp_path, capsys, monkeypatch):
    config = tmp_path / "micro.yaml"
    config.write_text(MICRO, encoding="utf-8")
    out = tmp_path / "abl"
    monkeypatch.setenv("EMPATHY_R1_QUIET", "1")
    monkeypatch.setattr(
        sys, "argv", ["empathy-r1", "ablate", "--config", str(config), "--output", str(out), "--only", "full,T0.3", "--only", "T0.5"]
    )
    main()
    printed = capsys.readouterr().out
    assert "\n| Variant | Origin | What changes | Policy | BLEU-1 |" in printed  # (trainers log to stdout too)
    result = json.loads((out / "ablation.json").read_text(encoding="utf-8"))
    rows = {r["variant"]: r for r in result["variants"]}
    assert list(rows) == ["full", "T0.3", "T0.5"]
    assert rows["T0.3"]["threshold"] == 0.3 and rows["full"]["threshold"] == 0.5
    assert rows["T0.5"]["same_as"] == "full" and not (out / "T0.5").exists()  # not trained twice
    assert all(rows[v]["policy"] == "grpo" and "navg" in rows[v] for v in rows)
    # T0.3 reused full's data, SFT and reward stages (links), and trained its own GRPO.
    for stage in ("data", "sft", "reward"):
        assert (out / "T0.3" / stage).is_symlink()
    assert not (out / "T0.3" / "grpo").is_symlink() and (out / "T0.3" / "grpo" / "DONE").is_file()
    assert (out / "ablation.png").stat().st_size > 1000
    md = (out / "ablation.md").read_text(encoding="utf-8")
    assert "| T0.3 | project | threshold T = 0.3 | grpo |" in md
    # GRPO stability per variant that ran GRPO: reward over steps, KL, format reward.
    assert rows["T0.3"]["grpo_stability"]["steps"] == 2 and "kl_max" in rows["T0.3"]["grpo_stability"]
    assert "GRPO stability" in md and "| T0.3 | 2 |" in md
