"""Replicate's rate limits: reported on every answer, enforced when asked, waited out by the client."""

from __future__ import annotations

from typing import Dict

import httpx
import pytest

import replicate
from replicate.testing import Emulator, RateLimits


def _auth(emulator: Emulator) -> Dict[str, str]:
    return {"Authorization": f"Bearer {emulator.token}"}


def _create(emulator: Emulator) -> httpx.Response:
    return httpx.post(
        f"{emulator.base_url}/models/replicate/hello-world/predictions",
        json={"input": {"text": "x"}},
        headers=_auth(emulator),
    )


def test_every_answer_reports_its_bucket_as_the_real_api_does(emulator: Emulator) -> None:
    # Recorded from api.replicate.com: creates draw on 600, other requests on 3,000.
    first = _create(emulator)
    assert (first.headers["ratelimit-remaining"], first.headers["ratelimit-reset"]) == ("599", "1")
    # The bucket refills as time passes (10 creates a second), so the next may find it full again.
    assert int(_create(emulator).headers["ratelimit-remaining"]) in (598, 599)
    account = httpx.get(f"{emulator.base_url}/account", headers=_auth(emulator))
    assert (account.headers["ratelimit-remaining"], account.headers["ratelimit-reset"]) == ("2999", "1")
    missing = httpx.get(f"{emulator.base_url}/models/acme/none", headers=_auth(emulator))
    assert missing.status_code == 404 and int(missing.headers["ratelimit-remaining"]) in (2998, 2999)
    # As recorded: a refused token gets no bucket.
    assert "ratelimit-remaining" not in httpx.get(f"{emulator.base_url}/account").headers


def test_limits_when_enforced_refuse_with_the_throttle_answer() -> None:
    emulator = Emulator(rate_limits=RateLimits(creates=2, others=3, per=60))
    with emulator.serve():
        assert [_create(emulator).status_code for _ in range(2)] == [201, 201]
        refused = _create(emulator)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "30"  # one create every 30 s: whole seconds
        assert refused.headers["ratelimit-remaining"] == "0"
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json() == {
            "title": "Request was throttled",
            "detail": "Request was throttled. Expected available in 30 seconds.",
            "status": 429,
        }
        assert emulator.prediction_count == 2
        # The other bucket is separate.
        answers = [httpx.get(f"{emulator.base_url}/hardware", headers=_auth(emulator)) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert answers[-1].headers["retry-after"] == "20"


def test_the_client_waits_out_enforced_limits_and_creates_each_prediction_once() -> None:
    emulator = Emulator(rate_limits=RateLimits(creates=2, others=1000, per=1))
    with emulator.serve():
        client = emulator.client()
        outputs = [client.run("replicate/hello-world", input={"text": str(n)}) for n in range(4)]
        assert outputs == [f"hello {n}" for n in range(4)]
        assert emulator.prediction_count == 4
        assert len(emulator.seen("POST", "/predictions")) > 4, "some creates were refused, then retried"


def test_limits_are_off_by_default(emulator: Emulator) -> None:
    assert not emulator.rate_limits.enforced
    assert emulator.rate_limits.limits == RateLimits(creates=600, others=3000, per=60)


def test_retry_after_is_whole_seconds(emulator: Emulator) -> None:
    client = emulator.client(max_retries=0)
    emulator.faults.fail_next(1, status=429, retry_after=0.2, path="/v1/account")
    with pytest.raises(replicate.RateLimitError) as throttled:
        client.account.get()
    assert throttled.value.response.headers["retry-after"] == "1"
    emulator.faults.rate_limit(1)
    statuses = []
    for _ in range(3):
        response = httpx.get(f"{emulator.base_url}/hardware", headers=_auth(emulator))
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert response.headers["retry-after"] == "1"
            assert response.json()["retry_after"] == 1
    assert 429 in statuses


def test_rate_limits_say_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="creates and others of at least 1"):
        RateLimits(creates=0)
    with pytest.raises(ValueError, match="per > 0"):
        RateLimits(per=0)
