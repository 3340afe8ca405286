"""Serving: an OpenAI-compatible app, generator backends, micro-batching and the chat page.

Never imports ``empathy_r1.training``; torch is imported only when a real checkpoint loads.
"""

from empathy_r1.serving.app import create_app
from empathy_r1.serving.backends import Backend, PolicyBackend
from empathy_r1.serving.batching import MicroBatcher

__all__ = ["Backend", "MicroBatcher", "PolicyBackend", "create_app"]
