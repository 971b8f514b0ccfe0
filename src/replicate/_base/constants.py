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
# The statuses of one still running (or about to).
RUNNING_STATUSES = frozenset({"starting", "processing"})


def has_ended(status: str, completed_at: object) -> bool:
    """Whether a prediction (or training) reading `status` will change no more.

    A status this client does not know (one the API adds later) counts as ended once the
    prediction reports `completed_at`; until then it is waited on like `processing`.
    """
    if status in TERMINAL_STATUSES:
        return True
    return status not in RUNNING_STATUSES and completed_at is not None
