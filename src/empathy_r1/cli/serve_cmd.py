"""``empathy-r1 serve``: the OpenAI-compatible server and the chat page."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        model: Annotated[Path, typer.Option("--model", "-m", help="A Hugging Face checkpoint or a pipeline output directory.")],
        host: Annotated[str | None, typer.Option(help="Bind address (default 127.0.0.1: loopback only).")] = None,
        port: Annotated[int | None, typer.Option(help="TCP port (default 8000).")] = None,
        api_key: Annotated[
            str | None,
            typer.Option(envvar="EMPATHY_R1_API_KEY", help="Require 'Authorization: Bearer KEY' on /v1 (or set EMPATHY_R1_API_KEY)."),
        ] = None,
        config: Annotated[Path | None, typer.Option(help="YAML config: its serve and safety sections apply.")] = None,
        override: Annotated[list[str], typer.Option("--set", "-s", help="key.sub=value override")] = [],  # noqa: B006
    ) -> None:
        """Serve a model: POST /v1/chat/completions, GET /v1/models, GET /healthz, the page at /."""
        from empathy_r1.config import load_config

        cfg = load_config(config, override)
        s = cfg.serve
        host, port = host or s.host, port or s.port
        app_ = build(model, cfg, api_key)
        if host not in _LOOPBACK and not api_key:
            print(f"warning: serving on {host} without --api-key: anyone who can reach it may use it", file=sys.stderr)
        import uvicorn

        print(f"serving {app_.state.model_name} on http://{host}:{port}/  (OpenAI API at /v1)", file=sys.stderr)
        uvicorn.run(app_, host=host, port=port, log_level="warning")

    def build(model: Path, cfg, api_key: str | None):
        from empathy_r1.safety import load_locale
        from empathy_r1.serving import PolicyBackend, create_app

        load_locale(cfg.serve.locale)  # a bad locale fails now, not at the first crisis
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        backend = PolicyBackend.load(model, dtype=cfg.model.dtype)
        s = cfg.serve
        app_ = create_app(
            backend,
            api_key=api_key,
            locale=s.locale,
            language=s.language,
            batching=s.batching,
            max_batch_size=s.max_batch_size,
            max_wait_ms=s.batch_wait_ms,
            max_new_tokens=s.max_new_tokens,
            max_request_bytes=s.max_request_bytes,
            screener=make_screener(cfg),
        )
        app_.state.model_name = backend.name
        return app_


def make_screener(cfg):
    """The configured screener: rules, the learned detector, classifier and guard (``safety`` section)."""
    from empathy_r1.safety.factory import screener_from_config

    return screener_from_config(cfg.safety)
