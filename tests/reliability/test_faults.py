"""The SDK under faults injected by the emulator: no duplicate predictions, nothing lost."""

from __future__ import annotations

import time
from typing import List

import pytest

import replicate
from replicate.testing import Emulator


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("replicate._http.retry.INITIAL_RETRY_DELAY", 0.005)


def test_under_20_percent_faults_n_runs_create_exactly_n_predictions(emulator: Emulator) -> None:
    emulator.faults.random(0.2, seed=7)
    client = emulator.client(max_retries=4)
    succeeded = 0
    may_exist = 0
    for n in range(60):
        try:
            assert client.run("replicate/hello-world", input={"text": str(n)}) == f"hello {n}"
            succeeded += 1
        except replicate.APIError as error:
            # A create that failed after it may have reached the server says so; a failure while
            # following the prediction (a poll exhausting its retries) says so and names it.
            may_exist += 1
            assert error.may_have_been_created, error
            if error.request.method == "GET":
                (prediction_id,) = [p.id for p in emulator.predictions.values() if p.input["text"] == str(n)]
                assert f"prediction {prediction_id}, which was created" in str(error)
    emulator.faults.clear()
    assert emulator.faults.injected, "faults were injected"
    creates = [p for p in emulator.predictions.values() if p.model == "replicate/hello-world"]
    texts = [p.input["text"] for p in creates]
    assert len(texts) == len(set(texts)), "no input was created twice"
    assert succeeded + may_exist == 60
    assert succeeded <= len(creates) <= 60


def test_a_chain_of_runs_on_a_throttled_account_waits_and_succeeds(emulator: Emulator) -> None:
    # Replicate's low-credit throttle, scaled down: 429 with retry_after in the problem body.
    client = emulator.client()
    outputs: List[str] = []
    for n in range(3):
        emulator.faults.fail_next(
            1,
            status=429,
            body={
                "title": "Request was throttled",
                "detail": "Your rate limit is reduced",
                "status": 429,
                "retry_after": 0.2,
            },
            method="POST",
            path="/v1/models/replicate/hello-world/predictions",
        )
        started = time.monotonic()
        outputs.append(client.run("replicate/hello-world", input={"text": str(n)}))
        assert time.monotonic() - started >= 0.2
    assert outputs == ["hello 0", "hello 1", "hello 2"]
    assert emulator.prediction_count == 3


def test_html_5xx_on_reads_is_retried_and_surfaces_readably(emulator: Emulator) -> None:
    page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    emulator.faults.fail_next(1, status=502, body=page, path="/v1/account")
    assert emulator.client().account.get().username == "emulator"
    emulator.faults.fail_next(5, status=504, body=page, path="/v1/account")
    with pytest.raises(replicate.InternalServerError, match="502 Bad Gateway"):
        emulator.client(max_retries=1).account.get()


def test_slow_responses_time_out_and_reads_retry(emulator: Emulator) -> None:
    emulator.faults.delay(0.5, n=1, path="/v1/hardware")
    assert emulator.client(timeout=0.2).hardware.list()


def test_without_reconciling_a_dropped_create_is_not_repeated_and_says_the_prediction_may_exist(
    emulator: Emulator,
) -> None:
    emulator.faults.drop_next(1, after_processing=True, method="POST")
    with pytest.raises(replicate.APIConnectionError) as error:
        emulator.client(reconcile_creates=False).run("replicate/hello-world", input={"text": "once"})
    assert error.value.may_have_been_created
    assert emulator.prediction_count == 1


def test_a_failure_while_following_a_prediction_names_it(emulator: Emulator) -> None:
    emulator.faults.cut_stream(after_events=0)
    emulator.faults.fail_next(10, status=500, body="<html>oops</html>", method="GET", path="/v1/predictions/")
    with pytest.raises(replicate.InternalServerError) as failed:
        emulator.client(max_retries=0).run("replicate/sleep", input={"seconds": 1.3})
    (prediction,) = emulator.predictions.values()
    assert failed.value.may_have_been_created
    assert f"prediction {prediction.id}, which was created and may still be running" in str(failed.value)
    assert f"client.predictions.get(prediction_id={prediction.id!r})" in str(failed.value)


def test_a_stream_cut_before_done_falls_back_and_run_still_returns(emulator: Emulator) -> None:
    emulator.faults.cut_stream(after_events=0)
    assert emulator.client().run("replicate/sleep", input={"seconds": 1.3}) == "slept 1.3s"


def test_a_page_failing_mid_pagination_surfaces_without_repeating_items(emulator: Emulator) -> None:
    client = emulator.client(max_retries=0)
    for n in range(5):
        client.predictions.create(version="replicate/hello-world", input={"text": str(n)})
    emulator.page_size = 2
    pages = client.predictions.list()
    seen = [p.id for p in pages.results]
    emulator.faults.fail_next(1, status=500, path="/v1/predictions", method="GET")
    with pytest.raises(replicate.InternalServerError):
        for page in pages.iter_pages():
            if page is not pages:
                seen += [p.id for p in page.results]
    again = [p.id for p in pages.get_next_page().results]
    assert len(set(seen)) == len(seen) == 2
    assert not set(again) & set(seen)
