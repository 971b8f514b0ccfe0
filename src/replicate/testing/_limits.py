"""Replicate's rate limits: a bucket per API token and kind of request, reported and enforced.

Every authenticated answer carries `ratelimit-remaining` (requests left in the bucket) and
`ratelimit-reset` (whole seconds until it is full again), as api.replicate.com's answers do.
Creating a prediction (by version, model or deployment) draws on one bucket, every other request
on another. A bucket holds `limit` requests and refills at `limit` per `per` seconds, so a full one
allows a burst and then the steady rate.

Without `Emulator(rate_limits=...)` the headers count down and nothing is refused. With it, a
request finding its bucket empty gets a 429 with a whole-second `Retry-After`:

    Emulator(rate_limits=RateLimits())                              # 600 creates, 3,000 others a minute
    Emulator(rate_limits=RateLimits(creates=5, others=20, per=1))   # scaled down, for tests
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

__all__ = ["Buckets", "RateLimits", "throttled"]


@dataclass(frozen=True)
class RateLimits:
    """How many requests of each kind a token may make in `per` seconds."""

    creates: int = 600
    """Prediction creates: POST /predictions, /models/{owner}/{name}/predictions and
    /deployments/{owner}/{name}/predictions."""
    others: int = 3000
    """Every other API request."""
    per: float = 60.0

    def __post_init__(self) -> None:
        if self.creates < 1 or self.others < 1 or not self.per > 0:
            raise ValueError(f"RateLimits needs creates and others of at least 1 and per > 0, got {self!r}")


def throttled(retry_after: int) -> Dict[str, object]:
    """The problem body of a 429 for a rate limit."""
    unit = "second" if retry_after == 1 else "seconds"
    return {
        "title": "Request was throttled",
        "detail": f"Request was throttled. Expected available in {retry_after} {unit}.",
        "status": 429,
    }


class Buckets:
    """The buckets of every token seen; `take()` spends one request from one of them."""

    def __init__(self, limits: Optional[RateLimits]) -> None:
        self.enforced = limits is not None
        self.limits = limits or RateLimits()
        self._lock = threading.Lock()
        self._level: Dict[Tuple[str, str], Tuple[float, float]] = {}  # (token, kind) -> (level, when)

    def take(self, token: str, create: bool) -> Tuple[Dict[str, str], Optional[int]]:
        """The rate-limit headers for this request, and the whole seconds to wait if it is refused."""
        capacity = self.limits.creates if create else self.limits.others
        rate = capacity / self.limits.per
        key = (token, "create" if create else "other")
        now = time.monotonic()
        with self._lock:
            level, when = self._level.get(key, (float(capacity), now))
            level = min(float(capacity), level + (now - when) * rate)
            refused = self.enforced and level < 1
            if not refused:
                level = max(level - 1, 0.0)
            self._level[key] = (level, now)
        headers = {
            "ratelimit-remaining": str(int(level)),
            "ratelimit-reset": str(max(1, math.ceil((capacity - level) / rate))),
        }
        return headers, max(1, math.ceil((1 - level) / rate)) if refused else None
