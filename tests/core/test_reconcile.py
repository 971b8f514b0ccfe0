"""Creates whose outcome is unknown: the client finds out whether the prediction exists first."""

from __future__ import annotations

import datetime
import json
import logging
import threading
import time
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlsplit

import anyio
import pytest

import replicate
from replicate.testing import Emulator

from .scripted_server import Drop, Reply, ScriptedServer


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("replicate._http.retry.INITIAL_RETRY_DELAY", 0.005)
    monkeypatch.setattr("replicate._http.client.SETTLE_AFTER_TIMEOUT", 0.3)


def texts(emulator: Emulator) -> List[Any]:
    return [p.input.get("text") for p in emulator.predictions.values()]


def calls(emulator: Emulator) -> List[str]:
    """The creates (POST) and lists (GET) of predictions, in order."""
    return [r.method for r in emulator.requests if r.path.split("?")[0].endswith("/predictions")]


def test_a_create_dropped_after_the_server_acted_carries_on_with_its_prediction(emulator: Emulator) -> None:
    emulator.faults.drop_next(1, after_processing=True, method="POST")
    assert emulator.client().run("replicate/hello-world", input={"text": "once"}) == "hello once"
    assert texts(emulator) == ["once"]
    assert calls(emulator) == ["POST", "GET"]


def test_a_create_dropped_before_the_server_acted_is_made_again_once(emulator: Emulator) -> None:
    emulator.faults.drop_next(1, method="POST")
    assert emulator.client().run("replicate/hello-world", input={"text": "lost"}) == "hello lost"
    assert texts(emulator) == ["lost"]
    assert calls(emulator) == ["POST", "GET", "POST"]


def test_a_timed_out_create_waits_to_settle_then_finds_its_prediction(emulator: Emulator) -> None:
    emulator.faults.delay(0.6, n=1, method="POST")
    client = emulator.client(timeout=0.2)
    prediction = client.predictions.create(version="replicate/hello-world", input={"text": "slow"})
    assert prediction.input == {"text": "slow"}
    assert texts(emulator) == ["slow"]


def test_the_503_of_a_create_is_looked_into_through_the_list_endpoint(server: ScriptedServer) -> None:
    listed = (
        '{"id": "p9", "status": "processing", "version": "%s", "input": {"text": "hi"},'
        ' "created_at": "2099-01-01T00:00:00Z", "urls": {"get": "g", "cancel": "c", "web": "w"}}'
    ) % ("a" * 64)
    other = listed.replace('"hi"', '"other"').replace("p9", "p8")
    server.queue(Reply(503, "{}"), Reply(200, f'{{"results": [{other}, {listed}], "next": null}}'))
    client = replicate.Replicate(base_url=server.base_url, bearer_token="r8_test")
    prediction = client.predictions.create(version="a" * 64, input={"text": "hi"})
    assert prediction.id == "p9"
    assert [(r.method, r.path.split("?")[0]) for r in server.requests] == [
        ("POST", "/v1/predictions"),
        ("GET", "/v1/predictions"),
    ]
    assert "created_after=" in server.requests[1].path
    # Bounded at the failure: what the account creates during the backoff is not listed.
    assert "created_before=" in server.requests[1].path


def test_when_the_list_fails_too_the_create_is_not_repeated(server: ScriptedServer) -> None:
    server.queue(Drop(), *[Reply(500, "{}")] * 6)
    client = replicate.Replicate(base_url=server.base_url, bearer_token="r8_test")
    with pytest.raises(replicate.APIConnectionError) as info:
        client.predictions.create(version="a" * 64, input={"text": "hi"})
    assert info.value.may_have_been_created
    assert [r.method for r in server.requests] == ["POST"] + ["GET"] * 6


def test_the_search_outlasts_more_failed_lists_than_a_plain_call_would(emulator: Emulator) -> None:
    # The client retries a plain call twice; the list that decides whether to create again gets
    # more attempts, so a run of failures does not leave a billed prediction's result lost.
    emulator.faults.drop_next(1, after_processing=True, method="POST")
    emulator.faults.fail_next(4, status=500, method="GET", path="/v1/predictions")
    assert emulator.client().run("replicate/hello-world", input={"text": "kept"}) == "hello kept"
    assert texts(emulator) == ["kept"]


def test_two_identical_inputs_in_flight_stay_two_predictions(emulator: Emulator) -> None:
    # One create is answered, the other's answer is lost: the lost one must not take the
    # prediction the answered one holds (the newest, listed first), but its own.
    emulator.faults.delay(0.3, n=1, method="POST")
    emulator.faults.drop_next(1, after_processing=True, method="POST")
    client = emulator.client()
    ids: List[str] = []

    def create() -> None:
        ids.append(client.predictions.create(version="replicate/hello-world", input={"text": "twin"}).id)

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    for thread in threads:
        thread.join()
    assert texts(emulator) == ["twin", "twin"]
    assert sorted(ids) == sorted(emulator.predictions)


def test_an_input_with_a_tuple_is_found_as_the_list_the_api_hands_back(emulator: Emulator) -> None:
    @emulator.model("emulator/total")
    def total(numbers: List[int]) -> int:  # pyright: ignore[reportUnusedFunction]
        return sum(numbers)

    emulator.faults.drop_next(1, after_processing=True, method="POST")
    prediction = emulator.client().predictions.create(version="emulator/total", input={"numbers": (1, 2)})
    assert list(emulator.predictions) == [prediction.id]


def test_trainings_are_reconciled_the_same_way(emulator: Emulator) -> None:
    client = emulator.client()
    version = client.models.get(model_owner="replicate", model_name="hello-world").latest_version
    assert version is not None and version.id
    client.models.create(owner="emulator", name="tuned", visibility="private", hardware="cpu")
    emulator.faults.drop_next(1, after_processing=True, method="POST")
    training = client.trainings.create(
        model_owner="replicate",
        model_name="hello-world",
        version_id=version.id,
        destination="emulator/tuned",
        input={"n": 1},
    )
    assert list(emulator.trainings) == [training.id]


def test_reconcile_creates_false_leaves_the_outcome_unknown(emulator: Emulator) -> None:
    emulator.faults.drop_next(1, after_processing=True, method="POST")
    with pytest.raises(replicate.APIConnectionError) as info:
        emulator.client(reconcile_creates=False).run("replicate/hello-world", input={"text": "x"})
    assert info.value.may_have_been_created
    assert not emulator.seen("GET", "/v1/predictions")


@pytest.mark.anyio
async def test_async_runs_reconcile_too(emulator: Emulator) -> None:
    emulator.faults.drop_next(1, after_processing=True, method="POST")
    async with emulator.async_client() as client:
        assert await client.run("replicate/hello-world", input={"text": "a"}) == "hello a"
    assert texts(emulator) == ["a"]


# -- giving up before the create answered ------------------------------------------------------------


@pytest.mark.anyio
async def test_an_async_run_cancelled_while_its_create_is_held_open_cancels_the_prediction(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    async with emulator.async_client() as client:
        with anyio.move_on_after(0.4):  # the create is held open (Prefer: wait) for 1 s
            await client.run("replicate/sleep", input={"seconds": 5})
    (prediction,) = emulator.predictions.values()
    assert prediction.status == "canceled"
    (line,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert f"prediction {prediction.id} was canceled" in line


def test_ctrl_c_in_a_sync_run_while_its_create_is_held_open_cancels_the_prediction(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    import _thread

    timer = threading.Timer(0.4, _thread.interrupt_main)
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        emulator.client().run("replicate/sleep", input={"seconds": 5})
    (prediction,) = emulator.predictions.values()
    assert prediction.status == "canceled"
    (line,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert f"prediction {prediction.id} was canceled" in line


def test_use_and_streaming_use_reconcile_their_creates_too(emulator: Emulator) -> None:
    client = emulator.client()
    emulator.faults.drop_next(1, after_processing=True, method="POST")
    assert client.use("replicate/hello-world")(text="used") == "hello used"
    emulator.faults.drop_next(1, after_processing=True, method="POST")
    tokens = list(client.use("replicate/stream-tokens", streaming=True)(prompt="a b", max_tokens=2))
    assert tokens
    assert len(emulator.predictions) == 2


def test_the_line_for_a_prediction_that_ended_before_its_cancel_says_so(emulator: Emulator) -> None:
    from replicate._http.steps import _abandon_steps, complete  # pyright: ignore[reportPrivateUsage]
    from replicate._running.run import running

    client = emulator.client()
    prediction = client.predictions.create(
        version="replicate/hello-world", input={"text": "done"}, prefer="wait"
    )
    assert emulator.predictions[prediction.id].status == "succeeded"
    line = complete(client, _abandon_steps(running(prediction), None, client._creates))  # pyright: ignore[reportPrivateUsage]
    assert line == f"prediction {prediction.id} had already ended (succeeded)"


def _listed(prediction_id: str, text: str, created: float) -> Dict[str, Any]:
    stamp = datetime.datetime.fromtimestamp(created, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {
        "id": prediction_id,
        "status": "processing",
        "version": "a" * 64,
        "input": {"text": text},
        "created_at": stamp,
        "urls": {"get": "g", "cancel": "c", "web": "w"},
    }


def _page(*items: Dict[str, Any], following: Optional[str] = None) -> Reply:
    return Reply(200, json.dumps({"results": list(items), "next": following}))


def _window(path: str) -> Tuple[float, float]:
    query = parse_qs(urlsplit(path).query)
    after, before = (
        datetime.datetime.strptime(query[name][0], "%Y-%m-%dT%H:%M:%S.%fZ")
        .replace(tzinfo=datetime.timezone.utc)
        .timestamp()
        for name in ("created_after", "created_before")
    )
    return after, before


def test_the_list_window_is_set_in_the_apis_time_from_its_date_header(server: ScriptedServer) -> None:
    # The API's clock is an hour behind ours: its predictions' created_at are an hour "old".
    server.clock = -3600.0
    client = replicate.Replicate(base_url=server.base_url, bearer_token="r8_test")
    # No Date seen before: the window is ours, ten seconds either side; the list answer's Date
    # shows that is wrong, so it is listed again in the API's time (and found, not created twice).
    server.queue(Reply(503, "{}"), *[_page(_listed("p1", "one", time.time() - 3600))] * 2)
    assert client.predictions.create(version="a" * 64, input={"text": "one"}).id == "p1"
    assert [r.method for r in server.requests] == ["POST", "GET", "GET"]
    assert _window(server.requests[2].path)[0] < time.time() - 3600 - 2
    # Now known: the next window is in the API's time, a few seconds wide, listed once.
    server.requests.clear()
    server.queue(Reply(503, "{}"), _page(_listed("p2", "two", time.time() - 3600)))
    started = time.time()
    assert client.predictions.create(version="a" * 64, input={"text": "two"}).id == "p2"
    ended = time.time()
    assert [r.method for r in server.requests] == ["POST", "GET"]
    after, before = _window(server.requests[1].path)
    assert started - 3600 - 4 < after < ended - 3600 - 2
    assert before - after < 8  # twenty seconds and more with the ten-second margin


def test_the_listing_stops_at_the_first_prediction_older_than_the_window(server: ScriptedServer) -> None:
    client = replicate.Replicate(base_url=server.base_url, bearer_token="r8_test")
    server.queue(Reply(503, "{}"), _page(), Reply(201, json.dumps(_listed("p0", "x", time.time()))))
    client.predictions.create(version="a" * 64, input={"text": "x"})  # the API's clock is now known
    server.requests.clear()
    # Five seconds before the request: inside a ten-second margin, below a window in the API's time.
    following = server.base_url + "/predictions?cursor=2"
    server.queue(Reply(503, "{}"), _page(_listed("p7", "y", time.time() - 5), following=following))
    server.queue(Reply(201, json.dumps(_listed("p8", "y", time.time()))))
    assert client.predictions.create(version="a" * 64, input={"text": "y"}).id == "p8"
    assert [(r.method, r.path.split("?")[0]) for r in server.requests] == [
        ("POST", "/v1/predictions"),
        ("GET", "/v1/predictions"),
        ("POST", "/v1/predictions"),
    ]


def test_a_list_answer_that_is_not_json_leaves_the_create_unrepeated(server: ScriptedServer) -> None:
    server.queue(Reply(503, "{}"), Reply(200, "<html>busy</html>"))
    client = replicate.Replicate(base_url=server.base_url, bearer_token="r8_test")
    with pytest.raises(replicate.APIError) as info:
        client.predictions.create(version="a" * 64, input={"text": "hi"})
    assert info.value.may_have_been_created
    assert [r.method for r in server.requests] == ["POST", "GET"]
