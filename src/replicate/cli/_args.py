"""The command line's grammar (argparse), its exit codes, and the error for a bad invocation.

    replicate [--token T] [--base-url URL] COMMAND ...
      run REF key=value ...          --no-wait --json --output-dir DIR --stream --logs --cancel-on-interrupt
      run-many REF --inputs FILE     --output FILE.jsonl --journal FILE --concurrency N
      predictions list|get|cancel|wait
      models get|list|search|schema|versions
      files upload|list|get|delete|download
      deployments list|get   trainings list|get|cancel   hardware list   account

`--token` and `--base-url` are accepted before the command or after it. `replicate --version`
prints the version; `replicate` alone, or a namespace without its action, prints its usage.
Combinations that cannot mean anything (`run --no-wait --stream`, `--limit 0`) are refused here.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Callable, List, Optional, cast

__all__ = [
    "EXIT_API",
    "EXIT_INTERRUPTED",
    "EXIT_MODEL",
    "EXIT_OK",
    "EXIT_USAGE",
    "UsageError",
    "build_parser",
]

EXIT_OK = 0
EXIT_MODEL = 1
"""The model failed, or the prediction was canceled."""
EXIT_USAGE = 2
"""A bad command line, input, file path or missing token (argparse uses 2 as well)."""
EXIT_API = 3
"""The API answered with an error, or could not be reached."""
EXIT_INTERRUPTED = 130
"""Ctrl-C, leaving the prediction running (the shell's convention for SIGINT)."""


class UsageError(Exception):
    """Something the person at the keyboard can fix: printed without a traceback, exit code 2."""


def _positive(text: str) -> int:
    """`--limit`'s type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def _connection_options(parser: argparse.ArgumentParser, default: Optional[str]) -> None:
    # After the command, defaults are SUPPRESSed so they never overwrite a value given before it.
    given = argparse.SUPPRESS if default is None else None
    parser.add_argument("--token", default=given, help="API token (default: $REPLICATE_API_TOKEN)")
    parser.add_argument(
        "--base-url", default=given, help="API base URL (default: $REPLICATE_BASE_URL, else the public API)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="replicate",
        description="Run machine learning models on Replicate, and inspect your account.",
        epilog="Exit codes: 0 ok, 1 the model failed or was canceled, 2 usage error, 3 API or network error.",
    )
    from .._version import __version__

    parser.add_argument("--version", action="version", version=f"replicate {__version__}")
    _connection_options(parser, default="")
    # not `required`: a bare `replicate` (or `replicate models`) prints its usage (see parse)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    shared = argparse.ArgumentParser(add_help=False)
    _connection_options(shared, default=None)

    def command(group: Any, name: str, help: str) -> argparse.ArgumentParser:
        return cast(
            argparse.ArgumentParser, group.add_parser(name, help=help, description=help, parents=[shared])
        )

    def namespace(name: str, help: str) -> Callable[[str, str], argparse.ArgumentParser]:
        holder = command(commands, name, help)
        holder.set_defaults(usage_of=holder)
        actions = holder.add_subparsers(dest="action", metavar="ACTION")
        return lambda action, text: command(actions, action, text)

    def listing(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument("--json", action="store_true", help="print a JSON array instead of a table")
        sub.add_argument("--limit", default=50, type=_positive, help="at most this many rows (default: 50)")
        return sub

    run = command(commands, "run", "run a model, show its progress, print or save its output")
    run.add_argument("ref", metavar="REF", help="owner/name, owner/name:version, or a version id")
    run.add_argument(
        "inputs",
        nargs="*",
        metavar="key=value",
        help="inputs typed by the model's schema; @path uploads a file",
    )
    run.add_argument("--no-wait", action="store_true", help="create the prediction, print its id and exit")
    run.add_argument("--json", action="store_true", help="print the final prediction as JSON")
    run.add_argument("--output-dir", default=".", metavar="DIR", help="where output files go (default: .)")
    run.add_argument("--stream", action="store_true", help="print the output as the model produces it")
    run.add_argument("--logs", action="store_true", help="print the model's logs (to stderr) as they come")
    run.add_argument(
        "--cancel-on-interrupt", action="store_true", help="Ctrl-C cancels the prediction without asking"
    )

    from ._run_many import add_parser as add_run_many

    add_run_many(
        command(commands, "run-many", "run a model once per row of a .jsonl or .csv file (resumable)")
    )

    predictions = namespace("predictions", "your predictions")
    listing(predictions("list", "list your predictions, newest first"))
    for action, text in (
        ("get", "show a prediction"),
        ("cancel", "cancel a prediction"),
        ("wait", "wait for a prediction to end, showing its progress"),
    ):
        predictions(action, text).add_argument("prediction_id", metavar="ID")

    models = namespace("models", "models, their inputs and versions")
    models("get", "show a model").add_argument("ref", metavar="OWNER/NAME")
    listing(models("list", "list public models"))
    listing(models("search", "search models")).add_argument("query", metavar="QUERY")
    schema = models("schema", "a model's inputs (types, defaults) and output")
    schema.add_argument("ref", metavar="OWNER/NAME[:VERSION]")
    schema.add_argument("--json", action="store_true", help="print the version's whole OpenAPI schema")
    listing(models("versions", "list a model's versions")).add_argument("ref", metavar="OWNER/NAME")

    files = namespace("files", "files you uploaded")
    files("upload", "upload a file (prints its JSON, with its URL)").add_argument("path", metavar="PATH")
    listing(files("list", "list your files"))
    files("get", "show a file").add_argument("file_id", metavar="ID")
    files("delete", "delete a file").add_argument("file_id", metavar="ID")
    download = files("download", "download a file (by its signed download URL, or its ID)")
    download.add_argument(
        "url", metavar="URL|ID", help="the signed .../files/ID/download?... URL, or the file's ID"
    )
    download.add_argument("--output-dir", default=".", metavar="DIR", help="where to save it (default: .)")

    deployments = namespace("deployments", "your deployments")
    listing(deployments("list", "list your deployments"))
    deployments("get", "show a deployment").add_argument("ref", metavar="OWNER/NAME")

    trainings = namespace("trainings", "your trainings")
    listing(trainings("list", "list your trainings"))
    trainings("get", "show a training").add_argument("training_id", metavar="ID")
    trainings("cancel", "cancel a training").add_argument("training_id", metavar="ID")

    hardware = namespace("hardware", "the hardware models run on")
    listing(hardware("list", "list hardware SKUs"))

    command(commands, "account", "show who the token belongs to")
    return parser


_CONFLICTS = [
    ("no_wait", "stream", "--no-wait creates the prediction and exits; --stream waits for its output"),
    ("no_wait", "logs", "--no-wait exits before there are logs; follow with `replicate predictions wait ID`"),
    ("json", "stream", "--stream prints the output as it comes; --json prints the final prediction"),
]


def parse(argv: Optional[List[str]]) -> argparse.Namespace:
    """The parsed command line. argparse prints usage errors itself and exits with 2; so does an
    incomplete command (after printing its usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None or (getattr(args, "usage_of", None) is not None and args.action is None):
        target: argparse.ArgumentParser = getattr(args, "usage_of", None) or parser
        target.print_help(sys.stderr)
        raise SystemExit(EXIT_USAGE)
    for first, second, why in _CONFLICTS:
        if getattr(args, first, False) and getattr(args, second, False):
            flags = f"--{first.replace('_', '-')} and --{second.replace('_', '-')}"
            parser.error(f"{flags} cannot be combined: {why}")
    return args
