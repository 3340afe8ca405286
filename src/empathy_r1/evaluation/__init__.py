"""Evaluation: exact metrics, evaluation runs, comparisons, ablations and the ranking kit."""
