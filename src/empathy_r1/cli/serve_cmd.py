"""``empathy-r1 serve``: the OpenAI-compatible server and the chat page, over a local checkpoint or an engine."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from empathy_r1.cli.net import check_port, run_app

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def serve(
    model: Annotated[
        Path | None, typer.Option("--model", "-m", help="A Hugging Face checkpoint or a pipeline output directory.")
    ] = None,
    upstream: Annotated[
        str | None, typer.Option(help="Serve over this OpenAI-compatible engine instead (vLLM, SGLang, ...): http://HOST:PORT/v1")
    ] = None,
    upstream_model: Annotated[str | None, typer.Option(help="The engine's model name (default: the first it lists).")] = None,
    upstream_key_env: Annotated[str | None, typer.Option(help="Environment variable holding the engine's API key.")] = None,
    upstream_timeout: Annotated[float | None, typer.Option(help="Seconds to wait for the engine (default 120).")] = None,
    host: Annotated[str | None, typer.Option(help="Bind address (default 127.0.0.1: loopback only).")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port (default 8000).")] = None,
    api_key: Annotated[
        str | None,
        typer.Option(envvar="EMPATHY_R1_API_KEY", help="Require 'Authorization: Bearer KEY' on /v1 (or set EMPATHY_R1_API_KEY)."),
    ] = None,
    config: Annotated[Path | None, typer.Option(help="YAML config: its serve and safety sections apply.")] = None,
    merge_adapter: Annotated[
        bool, typer.Option("--merge-adapter/--keep-adapter", help="A LoRA adapter --model: fold it into its base (default) or keep it separate.")
    ] = True,
    override: Annotated[list[str], typer.Option("--set", "-s", help="key.sub=value override")] = [],  # noqa: B006
) -> None:
    """Serve a model: POST /v1/chat/completions, GET /v1/models, GET /healthz, the page at /."""
    from empathy_r1.config import load_config

    cfg = load_config(config, override)
    s = cfg.serve
    host, port = host or s.host, s.port if port is None else port
    check_port(port)  # before loading a model: a typo costs nothing
    app_ = build(model, cfg, api_key, upstream, upstream_model, upstream_key_env, upstream_timeout, merge_adapter=merge_adapter)
    if host not in _LOOPBACK and not api_key:
        print(f"warning: serving on {host} without --api-key: anyone who can reach it may use it", file=sys.stderr)
    run_app(app_, host, port, f"serving {app_.state.model_name} on http://{host}:{port}/  (OpenAI API at /v1)")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def build(
    model: Path | None,
    cfg,
    api_key: str | None,
    upstream=None,
    upstream_model=None,
    upstream_key_env=None,
    upstream_timeout=None,
    merge_adapter: bool = True,
):
    from empathy_r1.endpoints import settings_from
    from empathy_r1.errors import UserError
    from empathy_r1.safety import load_locale
    from empathy_r1.safety.factory import screener_from_config
    from empathy_r1.serving import PolicyBackend, create_app

    load_locale(cfg.serve.locale)  # a bad locale fails now, not at the first crisis
    engine = settings_from(
        cfg.serve.upstream, base_url=upstream, model=upstream_model, api_key_env=upstream_key_env, timeout=upstream_timeout
    )
    if engine.base_url and model is not None:
        raise UserError("give --model (a local checkpoint) or --upstream (an engine), not both")
    if engine.base_url:
        backend = upstream_backend(engine, cfg.serve.chat_template_kwargs)
    elif model is None:
        raise UserError("serve needs --model DIR|HUB_ID (a checkpoint) or --upstream URL (an inference engine)")
    else:
        backend = PolicyBackend.load(model, dtype=cfg.model.dtype, merge_adapter=merge_adapter)
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
        screener=screener_from_config(cfg.safety),
    )
    app_.state.model_name = backend.name
    return app_


def upstream_backend(engine, chat_template_kwargs):
    """The engine backend; its model name asked of the engine now when not given (a dead engine fails here, clearly)."""
    from empathy_r1.endpoints import failure_message
    from empathy_r1.errors import UserError
    from empathy_r1.serving.upstream import UpstreamBackend

    backend = UpstreamBackend(engine, chat_template_kwargs=chat_template_kwargs)
    if not backend.name:
        try:
            backend.name = backend.endpoint.model
        except Exception as e:
            message = failure_message(e, engine, "the engine")
            raise UserError(f"{message or e}; give --upstream-model NAME to start without asking it") from None
    return backend

