"""The pace of a batch: under the API's rate limits, and all of it paused by a 429.

The API allows an account 600 creates a minute and 3,000 other requests a minute. A batch's own
copy of the client carries a `Throttle`; `_ClientBase._exchange` asks it for a turn before every
request it sends (retries and reconciling lists included) and tells it about every 429:

    Throttle.turn(create)      seconds to wait before sending (the slot is then reserved)
    Throttle.pause(s, create)  a 429 said wait `s`: every later turn of that kind waits too

Each kind is paced by a generic cell rate (GCRA): a steady rate a little under the limit, with a
small burst allowance, so that no 60-second window holds more than the limit.
"""

from __future__ import annotations

import threading
import time

CREATES_PER_MINUTE = 600
REQUESTS_PER_MINUTE = 3000
SHARE = 0.95
"""The share of each limit a batch uses: the rest covers burst allowance and other clients."""
BURST_SECONDS = 1.0


class _Pace:
    def __init__(self, per_minute: float) -> None:
        if not per_minute > 0:
            raise ValueError(
                f"a rate limit must be a positive number of requests a minute, got {per_minute!r}"
            )
        self.interval = 60.0 / (per_minute * SHARE)
        self.burst = min(BURST_SECONDS, self.interval * 10)
        self.due = 0.0
        """When the next request would be due at the steady rate (GCRA's theoretical arrival time)."""
        self.paused_until = 0.0

    def reserve(self, now: float) -> float:
        send_at = max(now, self.due - self.burst, self.paused_until)
        self.due = max(self.due, send_at) + self.interval
        return send_at - now


class Throttle:
    """Two paces (creates, other requests) shared by every request of one batch; thread-safe."""

    def __init__(
        self, creates_per_minute: float = CREATES_PER_MINUTE, requests_per_minute: float = REQUESTS_PER_MINUTE
    ) -> None:
        self._lock = threading.Lock()
        self._creates = _Pace(creates_per_minute)
        self._others = _Pace(requests_per_minute)

    def turn(self, create: bool) -> float:
        """Seconds to wait before sending a request of this kind; its slot is reserved."""
        with self._lock:
            return (self._creates if create else self._others).reserve(time.monotonic())

    def pause(self, seconds: float, create: bool) -> None:
        """A 429 asked for `seconds`: requests of this kind wait them out, all of them."""
        with self._lock:
            pace = self._creates if create else self._others
            pace.paused_until = max(pace.paused_until, time.monotonic() + seconds)
