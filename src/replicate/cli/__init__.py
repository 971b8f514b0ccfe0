"""The `replicate` command: run models and inspect the API from a shell.

    replicate run replicate/hello-world text=world
    replicate run owner/model prompt="a cat" steps=20 image=@photo.png --output-dir out/
    replicate predictions list | get ID | cancel ID | wait ID
    replicate models get|schema|versions OWNER/NAME, models list, models search QUERY
    replicate files upload PATH | list | get ID | delete ID
    replicate deployments list | get OWNER/NAME
    replicate trainings list | get ID | cancel ID
    replicate hardware list, replicate account

Exit codes: 0 success, 1 the model failed or was canceled, 2 usage error, 3 API or network
error. Messages go to stderr; the token is never printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, List, Optional

__all__ = ["main"]

EXIT_OK, EXIT_MODEL, EXIT_USAGE, EXIT_API = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="replicate", description="Run machine learning models on Replicate."
    )
    parser.add_argument("--base-url", help="API base URL (default: $REPLICATE_BASE_URL or the public API)")
    parser.add_argument("--token", help="API token (default: $REPLICATE_API_TOKEN)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run a model and print or save its output")
    run.add_argument("ref", help="owner/name, owner/name:version or a version id")
    run.add_argument(
        "inputs",
        nargs="*",
        metavar="key=value",
        help="inputs, typed by the model's schema; @path uploads a file",
    )
    run.add_argument("--no-wait", action="store_true", help="create the prediction and print its id")
    run.add_argument("--json", action="store_true", help="print the whole prediction as JSON")
    run.add_argument("--output-dir", default=".", help="where file outputs are saved (default: .)")
    run.add_argument("--stream", action="store_true", help="print output chunks as they are produced")
    run.add_argument("--logs", action="store_true", help="print the model's logs to stderr")
    run.add_argument("--cancel-on-interrupt", action="store_true", help="cancel the prediction on Ctrl-C")

    def group(name: str, help: str, actions: List[str]) -> None:
        sub = commands.add_parser(name, help=help)
        sub.add_argument("action", choices=actions)
        sub.add_argument("target", nargs="?", help="an id, owner/name, a query or a path")

    group("predictions", "list, get, cancel or wait for predictions", ["list", "get", "cancel", "wait"])
    group("models", "models, their schemas and versions", ["get", "list", "search", "schema", "versions"])
    group("files", "upload and manage files", ["upload", "list", "get", "delete"])
    group("deployments", "your deployments", ["list", "get"])
    group("trainings", "your trainings", ["list", "get", "cancel"])
    group("hardware", "hardware SKUs", ["list"])
    commands.add_parser("account", help="who the token belongs to")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    from .._exceptions import APIError, ModelError, ReplicateError
    from ._inputs import InputError

    try:
        from .._client import Replicate

        client = Replicate(bearer_token=args.token, base_url=args.base_url)
        from ._commands import dispatch

        return dispatch(client, args)
    except InputError as error:
        print(f"replicate: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ModelError as error:
        print(f"replicate: {error}", file=sys.stderr)
        return EXIT_MODEL
    except APIError as error:
        print(f"replicate: {error}", file=sys.stderr)
        return EXIT_API
    except (ReplicateError, ValueError, TypeError, FileNotFoundError) as error:
        print(f"replicate: {error}", file=sys.stderr)
        return EXIT_USAGE


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, default=str))
