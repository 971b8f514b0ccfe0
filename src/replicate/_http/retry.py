"""When to try a request again, and how long to wait first.

Pure decisions, no I/O: the client's send loop (sync and async alike) asks `RetryPolicy`
after every failed attempt. The rules, from docs/api-surface.md:

- connection errors, timeouts, 408, 409, 429 and 5xx are retried `max_retries` times, with
  exponential backoff (0.5 s doubling, at most 8 s, with jitter) unless the server says how
  long to wait (`retry-after-ms`, `Retry-After` in seconds or as an HTTP date, or the
  `retry_after` field of a problem body); `x-should-retry: true|false` overrides the status;
- a 429 that says how long to wait is retried for as long as those waits add up to
  `rate_limit_budget` seconds, so a throttled account slows down instead of failing; but
  at most `MAX_RATE_LIMIT_RETRIES` times, and a wait of zero, a negative one or a date in the
  past says nothing (it is backoff and `max_retries` then): every loop ends, by count and by time;
- a request that creates something billable (a prediction, a training) is retried only where
  the server provably did not act on it: the connection was never made, a 429, or
  `x-should-retry: true`. Anything else could run (and bill) the model twice: where the outcome
  is unknown (`RetryPolicy.outcome_unknown`), the client finds out first (`reconcile.py`).
"""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass
from typing import Optional, Union

import httpx

from .._base.constants import INITIAL_RETRY_DELAY, MAX_RETRY_AFTER, MAX_RETRY_DELAY

MAX_RATE_LIMIT_RETRIES = 20
"""Retries of 429s that name their wait, whatever the time budget: a server answering
`Retry-After: 0.001` forever must not hold a call for 120,000 requests."""

_RETRYABLE_STATUSES = frozenset({408, 409, 429})

# Errors raised before a single byte of the request reached the server.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int
    rate_limit_budget: float = 120.0
    """Seconds a request may spend waiting out 429s that say how long to wait."""

    def delay_after_response(
        self, response: httpx.Response, body: object, *, attempt: int, waited: float, billable: bool
    ) -> Optional[float]:
        """Seconds to wait before attempt `attempt + 1`, or None to give up with this response."""
        if self.max_retries <= 0:
            return None
        hint = response.headers.get("x-should-retry")
        status = response.status_code
        if hint == "false":
            return None
        if billable and self.outcome_unknown(response):
            return None  # the server may have run it: trying again could run (and bill) it twice
        if not (hint == "true" or status in _RETRYABLE_STATUSES or status >= 500):
            return None
        requested = retry_after_seconds(response.headers, body)
        if requested is not None and requested <= 0:
            requested = None  # "now" (0, negative, a past date) names no wait: back off instead
        if status == 429 and requested is not None:
            # The server named its wait: honour it within the time budget (and a generous count).
            if attempt >= MAX_RATE_LIMIT_RETRIES:
                return None
            return requested if waited + requested <= self.rate_limit_budget else None
        if attempt >= self.max_retries:
            return None
        if requested is not None and requested <= MAX_RETRY_AFTER:
            return requested
        return self.backoff(attempt)

    def delay_after_error(self, error: Exception, *, attempt: int, billable: bool) -> Optional[float]:
        """Seconds to wait after a transport error, or None to give up and raise it."""
        if attempt >= self.max_retries:
            return None
        if billable and self.outcome_unknown(error):
            return None
        if isinstance(error, httpx.TransportError):
            return self.backoff(attempt)
        return None

    @staticmethod
    def outcome_unknown(failure: Union[httpx.Response, Exception]) -> bool:
        """Whether the server may have acted on a request that failed so: a 5xx, 408 or 409 without
        `x-should-retry: true`, or a transport error after the connection was made (a read timeout).
        A 429 or another 4xx refused it; an error while connecting never sent it."""
        if isinstance(failure, httpx.Response):
            status = failure.status_code
            said_retry = failure.headers.get("x-should-retry") == "true"
            return (status >= 500 or status in (408, 409)) and not said_retry
        return not isinstance(failure, _NEVER_SENT)

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: about 0.5 s, 1 s, 2 s ... at most 8 s."""
        delay = min(INITIAL_RETRY_DELAY * (2**attempt), MAX_RETRY_DELAY)
        return delay * (1 - 0.25 * random.random())


def retry_after_seconds(headers: httpx.Headers, body: object = None) -> Optional[float]:
    """How long the server asked us to wait, from headers or a problem body, if it did."""
    value = headers.get("retry-after-ms")
    if value:
        try:
            return max(float(value) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value:
        try:
            return max(float(value), 0.0)
        except ValueError:
            parsed = email.utils.parsedate_tz(value)
            if parsed is not None:
                return max(email.utils.mktime_tz(parsed) - time.time(), 0.0)
    if isinstance(body, dict):
        field = body.get("retry_after")  # type: ignore[union-attr]
        if isinstance(field, (int, float)) and not isinstance(field, bool):
            return max(float(field), 0.0)
    return None
