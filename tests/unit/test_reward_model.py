"""reward_model: the USE-head backend trains with the triplet loss, saves and loads; T suggestion."""

from __future__ import annotations

import numpy as np

from empathy_r1.reward_model import load_reward_model, suggest_threshold
from empathy_r1.reward_model.head import HeadRewardModel


class HashEncoder:
    """Bag of characters hashed into 32 dims: a stand-in for the frozen USE in unit tests."""

    def encode(self, texts, progress=None):
        out = np.zeros((len(texts), 32), dtype=np.float32)
        for i, t in enumerate(texts):
            for ch in t:
                out[i, ord(ch) % 31] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def triplets(n: int, seed: int) -> list[dict[str, str]]:
    # Positives share the query's topic word; negatives share its filler, which the raw encoder overweights.
    rng = np.random.default_rng(seed)
    topics = ["失眠", "考试", "父母", "工作", "分手", "孤独"]
    out = []
    for _ in range(n):
        a, b = rng.choice(len(topics), 2, replace=False)
        out.append({"query": f"{topics[a]}啊啊啊啊", "positive": f"{topics[a]}好", "negative": f"{topics[b]}啊啊啊啊", "kind": "hard"})
    return out


def test_head_learns_triplets_and_round_trips(tmp_path):
    model = HeadRewardModel.initial(32, encoder=HashEncoder(), in_dim=32)
    held = triplets(60, seed=1)

    def acc(m):
        q = [t["query"] for t in held]
        return float(np.mean(m.similarity(q, [t["positive"] for t in held]) > m.similarity(q, [t["negative"] for t in held])))

    before = acc(model)
    losses = model.fit(triplets(200, seed=0), margin=0.3, epochs=30, learning_rate=0.05, batch_size=32)
    assert losses[-1] < losses[0]
    assert acc(model) > max(before, 0.9)
    model.save(tmp_path)
    again = load_reward_model(tmp_path)
    again.encoder = HashEncoder()
    assert np.allclose(again.embed(["失眠好"]), model.embed(["失眠好"]))
    assert np.allclose(np.linalg.norm(model.embed(["失眠好", "考试"]), axis=1), 1.0)


def test_suggest_threshold_separates():
    assert suggest_threshold(np.array([0.6, 0.7]), np.array([0.1, 0.2])) == 0.4
