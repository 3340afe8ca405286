"""The ``empathy-r1`` command line: verb groups, each in its own module.

Every verb is a few lines that call into the package. A :class:`~empathy_r1.errors.UserError`
anywhere becomes one ``error: FILE:LINE: what`` line on stderr and exit code 2.
"""

from __future__ import annotations

import importlib
import sys

import typer

from empathy_r1.errors import UserError

app = typer.Typer(
    name="empathy-r1",
    help="Chain-of-Empathy reasoning and GRPO for long-form mental-health support.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each module defines `register(app)`, adding its verbs or verb group. Add a line to grow the CLI.
_MODULES = [
    "empathy_r1.cli.config_cmd",
    "empathy_r1.cli.coe_cmd",
    "empathy_r1.cli.safety_cmd",
    "empathy_r1.cli.data_cmd",
    "empathy_r1.cli.eval_cmd",
    "empathy_r1.cli.rank_cmd",
    "empathy_r1.cli.ablate_cmd",
    "empathy_r1.cli.train_cmd",
    "empathy_r1.cli.chat_cmd",
    "empathy_r1.cli.serve_cmd",
    "empathy_r1.cli.export_cmd",
]

for _name in _MODULES:
    importlib.import_module(_name).register(app)


def main() -> None:
    """Console-script entry point: user errors end in one line and exit code 2."""
    try:
        app(standalone_mode=False)
    except UserError as e:
        print(e.line(), file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as e:
        # Usage errors from click (vendored by typer as typer._click): duck-typed on purpose.
        if type(e).__name__ == "Abort":
            sys.exit(1)
        if hasattr(e, "format_message") and hasattr(e, "exit_code"):
            print(f"error: {e.format_message()}", file=sys.stderr)
            sys.exit(2)
        raise
