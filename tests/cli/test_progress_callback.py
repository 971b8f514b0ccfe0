"""`run(..., progress=callback)` and `use(..., progress=callback)`: the library hook the CLI's live line is built on."""

from __future__ import annotations

from typing import List

import pytest

from replicate import AsyncReplicate, ModelError, Replicate
from replicate.testing import Emulator
from replicate.types import Prediction


def client(emulator: Emulator) -> Replicate:
    return Replicate(bearer_token=emulator.token, base_url=emulator.base_url)


def test_progress_sees_each_status_and_the_progress_climbing(emulator: Emulator) -> None:
    seen: List[Prediction] = []
    with client(emulator) as replicate:
        output = replicate.run("replicate/sleep", input={"seconds": 0.6}, progress=seen.append)
    assert output == "slept 0.6s"
    statuses = [p.status for p in seen]
    assert statuses[0] in ("starting", "processing") and statuses[-1] == "succeeded"
    assert len({p.id for p in seen}) == 1
    percentages = [p.progress.percentage for p in seen if p.progress]
    assert percentages == sorted(percentages) and percentages[-1] == 100
    assert len(set(percentages)) >= 3  # several updates along the way, not just start and end
    # only changes are reported: no two consecutive calls show the same state
    states = [(p.status, p.logs) for p in seen]
    assert all(a != b for a, b in zip(states, states[1:]))


def test_progress_is_first_called_as_the_prediction_is_created_not_after_a_wait(
    emulator: Emulator,
) -> None:
    seen: List[Prediction] = []
    before = len(emulator.requests)
    with client(emulator) as replicate:
        assert replicate.run("replicate/sleep", input={"seconds": 0.3}, progress=seen.append) == "slept 0.3s"
    assert seen[0].status in ("starting", "processing") and seen[-1].status == "succeeded"
    creates = [
        r for r in emulator.requests[before:] if r.method == "POST" and r.path.endswith("/predictions")
    ]
    assert len(creates) == 1
    assert "prefer" not in {name.lower() for name in creates[0].headers}  # nothing held it open


def test_an_explicit_wait_with_progress_is_kept(emulator: Emulator) -> None:
    seen: List[Prediction] = []
    with client(emulator) as replicate:
        replicate.run("replicate/hello-world", input={"text": "x"}, wait=5, progress=seen.append)
    assert [p.status for p in seen] == ["succeeded"]


def test_progress_sees_the_failure_before_model_error(emulator: Emulator) -> None:
    seen: List[Prediction] = []
    with client(emulator) as replicate, pytest.raises(ModelError):
        replicate.run("replicate/fail", input={}, progress=seen.append)
    assert seen[-1].status == "failed"


def test_an_exception_in_the_callback_ends_the_wait_and_leaves_the_prediction_running(
    emulator: Emulator,
) -> None:
    class Enough(Exception):
        pass

    def stop(prediction: Prediction) -> None:
        if prediction.progress and prediction.progress.percentage >= 20:
            raise Enough(prediction.id)

    with client(emulator) as replicate:
        with pytest.raises(Enough) as raised:
            replicate.run("replicate/sleep", input={"seconds": 1}, progress=stop)
        prediction_id = str(raised.value)
        assert replicate.predictions.get(prediction_id=prediction_id).status == "processing"
        assert replicate.predictions.wait(prediction_id=prediction_id).status == "succeeded"


def test_progress_must_be_callable_and_is_checked_before_any_request(emulator: Emulator) -> None:
    before = len(emulator.requests)
    with client(emulator) as replicate, pytest.raises(TypeError, match="progress must be a function"):
        replicate.run("replicate/hello-world", input={}, progress="yes")  # type: ignore[arg-type]
    assert len(emulator.requests) == before


@pytest.mark.anyio
async def test_async_run_reports_progress_the_same_way(emulator: Emulator) -> None:
    seen: List[Prediction] = []
    async with AsyncReplicate(bearer_token=emulator.token, base_url=emulator.base_url) as replicate:
        output = await replicate.run("replicate/sleep", input={"seconds": 0.5}, progress=seen.append)
    assert output == "slept 0.5s"
    assert seen[-1].status == "succeeded"
    assert [p.progress.percentage for p in seen if p.progress][-1] == 100


def test_use_reports_progress_for_calls_and_run_handles(emulator: Emulator) -> None:
    seen: List[Prediction] = []
    with client(emulator) as replicate:
        sleep = replicate.use("replicate/sleep", progress=seen.append)
        assert sleep(seconds=0.5) == "slept 0.5s"
        assert seen[0].status in ("starting", "processing") and seen[-1].status == "succeeded"
        assert [p.progress.percentage for p in seen if p.progress][-1] == 100
        first_call = {p.id for p in seen}
        seen.clear()
        run = sleep.create(seconds=0.3)
        assert run.wait().status == "succeeded"
    assert {p.id for p in seen} == {run.id} and run.id not in first_call
    assert seen[-1].status == "succeeded"


def test_use_checks_progress_before_any_request(emulator: Emulator) -> None:
    before = len(emulator.requests)
    with client(emulator) as replicate, pytest.raises(TypeError, match="progress must be a function"):
        replicate.use("replicate/sleep", progress=3)  # type: ignore[arg-type]
    assert len(emulator.requests) == before


@pytest.mark.anyio
async def test_async_use_reports_progress(emulator: Emulator) -> None:
    seen: List[Prediction] = []
    async with AsyncReplicate(bearer_token=emulator.token, base_url=emulator.base_url) as replicate:
        sleep = replicate.use("replicate/sleep", progress=seen.append)
        assert await sleep(seconds=0.3) == "slept 0.3s"
    assert seen[-1].status == "succeeded" and len(seen) >= 2
