"""Training: TRL orchestration only (SFT cold start, GRPO) and the resumable pipeline.

The only package that imports ``trl``. The maths (rewards, the CoE format) lives elsewhere and
is passed in through TRL's public surface: reward functions, reward weights, callbacks and
dataset columns.
"""
