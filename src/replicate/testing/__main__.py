"""`python -m replicate.testing serve [--port N] [--token T] [--models module:attr]`."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from typing import List, Optional

from ._emulator import DEFAULT_TOKEN, Emulator


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m replicate.testing", description="A local Replicate API.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the emulator until interrupted")
    serve.add_argument("--port", type=int, default=0, help="API port (default: a free one)")
    serve.add_argument("--token", default=DEFAULT_TOKEN, help="the API token clients must send")
    serve.add_argument(
        "--models",
        action="append",
        default=[],
        metavar="MODULE:ATTR",
        help="a function taking the Emulator to register more models (repeatable)",
    )
    serve.add_argument("--wait-window", type=float, default=60.0, help="seconds Prefer: wait may block")
    args = parser.parse_args(argv)

    emulator = Emulator(token=args.token, wait_window=args.wait_window)
    for spec in args.models:
        module_name, _, attribute = spec.partition(":")
        if not attribute:
            parser.error(f"--models takes module:attr, got {spec!r}")
        getattr(importlib.import_module(module_name), attribute)(emulator)
    with emulator.serve(port=args.port) as base_url:
        print(f"Replicate emulator serving at {base_url}", flush=True)
        print(f"  export REPLICATE_BASE_URL={base_url}", flush=True)
        print(f"  export REPLICATE_API_TOKEN={emulator.token}", flush=True)
        print("Models: " + ", ".join(sorted(emulator.models)), flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("stopped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
