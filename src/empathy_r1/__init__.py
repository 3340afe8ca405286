"""Empathy-R1: Chain-of-Empathy reasoning and GRPO for long-form mental-health support."""

from empathy_r1 import coe

__all__ = ["__version__", "coe"]
__version__ = "0.1.0"
