"""Faults on demand, for reliability tests: failures, throttling, drops, delays, cut streams.

em.faults.fail_next(2, status=503)                 # the next 2 matching requests get 503
em.faults.rate_limit(5)                            # more than 5 requests/s get 429 + Retry-After
em.faults.drop_next(1, after_processing=True)      # act on the request, then close the socket
em.faults.delay(0.5, path="/v1/predictions")       # answer slowly
em.faults.cut_stream(after_events=2)               # the next event stream ends early
em.faults.stall_stream(after_events=1)             # the next one then sends `: ping` forever
em.faults.random(0.1, seed=1)                      # 10% of requests: 503, 429 or a drop
em.faults.clear()
"""

from __future__ import annotations

import random as _random
import threading
import time
from dataclasses import dataclass
from typing import Any, List, Optional, Tuple

__all__ = ["Fault", "Faults"]


@dataclass
class Fault:
    """What to do to one request instead of (or besides) answering it normally."""

    kind: str  # "status" | "drop" | "drop_after" | "delay"
    status: int = 503
    retry_after: Optional[float] = None  # sent as whole seconds (rounded up)
    body: Optional[Any] = None
    seconds: float = 0.0


@dataclass
class _Rule:
    fault: Fault
    remaining: Optional[int]
    method: Optional[str]
    path: Optional[str]

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method:
            return False
        return self.path is None or path == self.path or path.startswith(self.path.rstrip("/") + "/")


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: List[_Rule] = []
        self._per_second: Optional[float] = None
        self._recent: List[float] = []
        self._random_rate = 0.0
        self._random: _random.Random = _random.Random(0)
        self._cut_after: Optional[int] = None
        self._stall: Optional[Tuple[int, float]] = None
        self.injected: List[str] = []
        """A log of every fault injected, as `"<kind> <method> <path>"`."""

    def fail_next(
        self,
        n: int = 1,
        *,
        status: int = 503,
        retry_after: Optional[float] = None,
        body: Optional[Any] = None,
        method: Optional[str] = None,
        path: Optional[str] = None,
    ) -> None:
        """Answer the next `n` matching requests with `status` (and `Retry-After` if given)."""
        self._add(Fault("status", status=status, retry_after=retry_after, body=body), n, method, path)

    def drop_next(
        self,
        n: int = 1,
        *,
        after_processing: bool = False,
        method: Optional[str] = None,
        path: Optional[str] = None,
    ) -> None:
        """Close the connection without answering the next `n` matching requests.

        With `after_processing`, the request is acted on first (a prediction gets created)
        and only the answer is lost: the case a client must not retry blindly.
        """
        self._add(Fault("drop_after" if after_processing else "drop"), n, method, path)

    def delay(
        self,
        seconds: float,
        *,
        n: Optional[int] = None,
        method: Optional[str] = None,
        path: Optional[str] = None,
    ) -> None:
        """Wait `seconds` before answering matching requests (the next `n`, or all)."""
        self._add(Fault("delay", seconds=seconds), n, method, path)

    def rate_limit(self, per_second: Optional[float]) -> None:
        """Answer 429 (with `Retry-After` and a `retry_after` body field, whole seconds) beyond
        `per_second`. For Replicate's own limits and headers, see `Emulator(rate_limits=...)`."""
        with self._lock:
            self._per_second = per_second
            self._recent = []

    def cut_stream(self, after_events: int = 0) -> None:
        """End the next event stream after `after_events` events, before its `done`."""
        with self._lock:
            self._cut_after = after_events

    def stall_stream(self, after_events: int = 0, *, ping_every: float = 0.05) -> None:
        """After `after_events` events, the next event stream sends only keep-alive comments
        (`: ping`, every `ping_every` seconds) and never its `done`, until the client leaves (or a
        minute has passed), whatever the prediction does."""
        with self._lock:
            self._stall = (after_events, ping_every)

    def random(self, rate: float, *, seed: int = 0) -> None:
        """Fault a `rate` share of API requests at random: 503, 429, or a dropped connection."""
        with self._lock:
            self._random_rate = rate
            self._random = _random.Random(seed)

    def clear(self) -> None:
        with self._lock:
            self._rules = []
            self._per_second = None
            self._random_rate = 0.0
            self._cut_after = None
            self._stall = None

    # -- used by the server ----------------------------------------------------------------------

    def _add(self, fault: Fault, n: Optional[int], method: Optional[str], path: Optional[str]) -> None:
        with self._lock:
            self._rules.append(_Rule(fault, n, method, path))

    def take(self, method: str, path: str) -> Optional[Fault]:
        """The fault for this request, if any (consuming one use of a counted rule)."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path):
                    if rule.remaining is not None:
                        rule.remaining -= 1
                        if rule.remaining <= 0:
                            self._rules.remove(rule)
                    return self._log(rule.fault, method, path)
            if self._per_second:
                now = time.monotonic()
                self._recent = [t for t in self._recent if now - t < 1.0]
                if len(self._recent) >= self._per_second:
                    wait = max(1.0 - (now - self._recent[0]), 0.01)
                    return self._log(Fault("status", status=429, retry_after=round(wait, 3)), method, path)
                self._recent.append(now)
            if self._random_rate and self._random.random() < self._random_rate:
                kind = self._random.choice(["503", "429", "drop", "drop_after"])
                fault = Fault(kind) if not kind.isdigit() else Fault("status", status=int(kind))
                if kind == "429":
                    # The wait in the body alone: a Retry-After header is whole seconds, which
                    # would slow soak runs down a hundredfold.
                    fault.body = {
                        "title": "Request was throttled",
                        "detail": "Injected 429",
                        "status": 429,
                        "retry_after": 0.01,
                    }
                return self._log(fault, method, path)
        return None

    def take_stream_cut(self, path: str) -> Optional[int]:
        """After how many events to cut the event stream at `path`, if it is to be cut."""
        with self._lock:
            cut, self._cut_after = self._cut_after, None
            if cut is not None:
                self.injected.append(f"cut GET {path}")
            return cut

    def take_stream_stall(self, path: str) -> Optional[Tuple[int, float]]:
        """After how many events the event stream at `path` is to send only keep-alives, and how often."""
        with self._lock:
            stall, self._stall = self._stall, None
            if stall is not None:
                self.injected.append(f"stall GET {path}")
            return stall

    def _log(self, fault: Fault, method: str, path: str) -> Fault:
        label = str(fault.status) if fault.kind == "status" else fault.kind
        self.injected.append(f"{label} {method} {path}")
        return fault
