"""Defaults of the client, in one place so docs, code and tests agree."""

from __future__ import annotations

import httpx

DEFAULT_BASE_URL = "https://api.replicate.com/v1"
DEFAULT_TIMEOUT = httpx.Timeout(timeout=60.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
DEFAULT_CONNECTION_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)

INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
# A server asking us to wait longer than this is treated as "do not retry now".
MAX_RETRY_AFTER = 60.0

# The statuses after which a prediction or training never changes again.
TERMINAL_STATUSES = frozenset({"succeeded", "failed", "canceled", "aborted"})
