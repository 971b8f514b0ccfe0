"""The `replicate` logger. `REPLICATE_LOG=info` or `debug` prints it to stderr.

Log lines name the method, URL and status of requests; they never contain the API token.
"""

from __future__ import annotations

import logging
import os

logger = logging.getLogger("replicate")


def _configure_from_environment() -> None:
    level = os.environ.get("REPLICATE_LOG", "").strip().lower()
    if level not in ("debug", "info"):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("[%(asctime)s %(name)s %(levelname)s] %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if level == "debug" else logging.INFO)


_configure_from_environment()
