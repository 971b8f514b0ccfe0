"""`python -m replicate.testing serve [--port N] [--token T] [--models module:attr] [--log] ...`."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
import time
from typing import List, Optional

from ._emulator import DEFAULT_TOKEN, Emulator
from ._limits import RateLimits


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
    serve.add_argument("--log", action="store_true", help="print a line per request to stderr")
    serve.add_argument(
        "--file-outputs",
        choices=("url", "data"),
        default="url",
        help="file outputs as URLs on the file host (default) or as base64 data: URLs",
    )
    serve.add_argument(
        "--rate-limits",
        nargs="?",
        const="600/3000/60",
        metavar="CREATES/OTHERS/SECONDS",
        help="refuse requests beyond Replicate's rate limits (default 600/3000/60), with 429",
    )
    args = parser.parse_args(argv)

    limits: Optional[RateLimits] = None
    if args.rate_limits is not None:
        try:
            creates, others, per = args.rate_limits.split("/")
            limits = RateLimits(int(creates), int(others), float(per))
        except ValueError:
            parser.error(
                f"--rate-limits takes CREATES/OTHERS/SECONDS such as 600/3000/60, got {args.rate_limits!r}"
            )
    emulator = Emulator(
        token=args.token,
        wait_window=args.wait_window,
        file_outputs=args.file_outputs,
        rate_limits=limits,
        access_log=sys.stderr if args.log else None,
    )
    for spec in args.models:
        module_name, _, attribute = spec.partition(":")
        if not attribute:
            parser.error(f"--models takes module:attr, got {spec!r}")
        getattr(importlib.import_module(module_name), attribute)(emulator)
    with contextlib.ExitStack() as stack:
        try:
            base_url = stack.enter_context(emulator.serve(port=args.port))
        except OSError as error:
            print(
                f"python -m replicate.testing: cannot serve on port {args.port}: {error.strerror or error}",
                file=sys.stderr,
            )
            return 1
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
