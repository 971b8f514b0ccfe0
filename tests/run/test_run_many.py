"""`run_many()`: many inputs, lazily, bounded, in order or not, paced, resumable from a journal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, cast

import pytest

import replicate
from replicate import BatchProgress
from replicate.testing import Emulator


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("replicate._http.retry.INITIAL_RETRY_DELAY", 0.005)


def rows(n: int) -> List[Dict[str, Any]]:
    return [{"text": str(i)} for i in range(n)]


def created_texts(emulator: Emulator) -> List[str]:
    return sorted(str(p.input.get("text")) for p in emulator.predictions.values())


def test_one_result_per_input_in_input_order_and_a_failure_does_not_stop_the_batch(
    emulator: Emulator,
) -> None:
    inputs: List[Dict[str, Any]] = [*rows(3), {"nope": 5}, *rows(6)[4:]]  # input 3 is refused (422)
    results = list(emulator.client().run_many("replicate/hello-world", inputs, concurrency=3))
    assert [r.index for r in results] == list(range(6))
    assert [r.input for r in results] == inputs
    assert [r.output for r in results] == ["hello 0", "hello 1", "hello 2", None, "hello 4", "hello 5"]
    assert isinstance(results[3].error, replicate.UnprocessableEntityError)
    assert [r.ok for r in results].count(False) == 1
    assert {r.prediction_id for r in results if r.ok} <= set(emulator.predictions)


def test_ordered_false_hands_results_out_as_they_finish(emulator: Emulator) -> None:
    inputs = [{"seconds": 0.6}, {"seconds": 0.01}]
    results = list(emulator.client().run_many("replicate/sleep", inputs, ordered=False))
    assert [r.index for r in results] == [1, 0]


def test_the_inputs_are_read_lazily_and_at_most_concurrency_run_at_once(emulator: Emulator) -> None:
    pulled = 0

    def endless() -> Iterator[Dict[str, Any]]:
        nonlocal pulled
        while True:
            pulled += 1
            yield {"seconds": 0.05}

    results = emulator.client().run_many("replicate/sleep", endless(), concurrency=3)
    for result, _ in zip(results, range(5)):
        assert result.ok
    results.close()  # type: ignore[attr-defined]
    assert pulled < 3 + 64 + 5  # the concurrency, the ordering window, the results taken
    creates = [r for r in emulator.requests if r.method == "POST"]
    assert max(r.in_flight for r in creates) <= 3


def test_progress_is_reported_after_each_input(emulator: Emulator) -> None:
    seen: List[tuple[int, int]] = []

    def progress(state: BatchProgress) -> None:
        seen.append((state.done, state.failed))

    list(emulator.client().run_many("replicate/hello-world", [*rows(2), {"nope": 1}], progress=progress))
    assert [done for done, _ in seen] == [1, 2, 3]
    assert seen[-1] == (3, 1)


def test_bad_arguments_are_refused_before_any_request(emulator: Emulator, tmp_path: Path) -> None:
    client = emulator.client()
    with pytest.raises(TypeError, match="iterable of input dicts"):
        client.run_many("replicate/hello-world", {"text": "a"})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="concurrency"):
        client.run_many("replicate/hello-world", rows(1), concurrency=0)
    with pytest.raises(ValueError, match="owner/name"):
        client.run_many("nope", rows(1))
    assert not emulator.requests


def test_a_429_in_a_batch_is_waited_out_and_nothing_is_created_twice(emulator: Emulator) -> None:
    emulator.faults.fail_next(1, status=429, retry_after=0.2, method="POST")
    results = list(emulator.client().run_many("replicate/hello-world", rows(6), concurrency=6))
    assert all(r.ok for r in results)
    assert created_texts(emulator) == [str(i) for i in range(6)]
    assert len([r for r in emulator.requests if r.method == "POST"]) == 7


def test_the_throttle_paces_each_kind_and_a_429_pauses_every_later_request_of_its_kind() -> None:
    from replicate._http.throttle import Throttle

    throttle = Throttle(creates_per_minute=60, requests_per_minute=6000)
    waits = [throttle.turn(True) for _ in range(3)]
    assert waits[0] == 0 and 0.9 < waits[2] - waits[1] < 1.2  # ~1 create a second (60 a minute, less 5%)
    throttle = Throttle()
    throttle.pause(30, create=True)
    assert all(throttle.turn(True) > 29 for _ in range(3))
    assert throttle.turn(False) == 0


@pytest.mark.anyio
async def test_async_run_many_is_an_async_iterator(emulator: Emulator) -> None:
    async with emulator.async_client() as client:
        results = [r async for r in client.run_many("replicate/hello-world", rows(5), concurrency=2)]
    assert [r.output for r in results] == [f"hello {i}" for i in range(5)]


def wait_for(condition: Any, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_leaving_the_loop_cancels_a_prediction_whose_create_answers_afterwards(emulator: Emulator) -> None:
    inputs = [{"seconds": 0.01}, {"seconds": 30}]  # the second's create is held open for 1 s
    batch = emulator.client().run_many("replicate/sleep", inputs, concurrency=2, ordered=False)
    assert next(batch).index == 0
    cast(Any, batch).close()  # a generator: while the second create is still held open
    assert wait_for(lambda: len(emulator.predictions) == 2)
    slow = next(p for p in emulator.predictions.values() if p.input == {"seconds": 30})
    assert wait_for(lambda: slow.status == "canceled"), slow.status


@pytest.mark.anyio
async def test_leaving_an_async_loop_early_closes_cleanly_and_cancels_what_runs(emulator: Emulator) -> None:
    inputs = [{"seconds": 0.01}, {"seconds": 30}]
    async with emulator.async_client() as client:
        batch = client.run_many("replicate/sleep", inputs, concurrency=2, ordered=False)
        assert (await batch.__anext__()).index == 0
        await cast(Any, batch).aclose()  # an async generator: this raised an exception group
    assert all(p.status in ("succeeded", "canceled") for p in emulator.predictions.values())


def test_ctrl_c_in_a_sync_batch_cancels_the_predictions_running_before_it_leaves(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    import threading

    # A real SIGINT (interrupt_main would not wake a thread blocked waiting): after the creates answered.
    timer = threading.Timer(1.6, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        list(emulator.client().run_many("replicate/sleep", [{"seconds": 30}] * 2, concurrency=2))
    # At once: a Ctrl-C usually ends the process, and the workers with it.
    assert [p.status for p in emulator.predictions.values()] == ["canceled", "canceled"]
    lines = [r.getMessage() for r in caplog.records if "interrupted" in r.getMessage()]
    assert sorted(lines) == sorted(
        f"replicate: the run was interrupted; prediction {p} was canceled." for p in emulator.predictions
    )


def test_module_level_run_many(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replicate, "base_url", emulator.base_url)
    monkeypatch.setattr(replicate, "bearer_token", emulator.token)
    assert [r.output for r in replicate.run_many("replicate/hello-world", rows(2))] == ["hello 0", "hello 1"]


# -- the journal ---------------------------------------------------------------------------------------


def test_a_journal_resumes_without_a_request_for_finished_inputs(emulator: Emulator, tmp_path: Path) -> None:
    journal = tmp_path / "batch.journal"
    client = emulator.client()
    first = list(client.run_many("replicate/hello-world", rows(4), journal=journal))
    before = len(emulator.requests)
    again = list(client.run_many("replicate/hello-world", rows(4), journal=journal))
    assert len(emulator.requests) == before
    assert [r.output for r in again] == [r.output for r in first]
    assert [r.prediction_id for r in again] == [r.prediction_id for r in first]


def test_a_journal_follows_created_rows_and_settles_rows_that_may_have_been_sent(
    emulator: Emulator, tmp_path: Path
) -> None:
    earlier = emulator.client()  # the process that was killed
    made = earlier.predictions.create(version="replicate/hello-world", input={"text": "0"})
    sent = earlier.predictions.create(version="replicate/hello-world", input={"text": "1"})
    client = emulator.client()
    from replicate._running.batch_journal import input_hash

    journal = tmp_path / "batch.journal"
    lines = [
        {"replicate_run_many": 1, "ref": "replicate/hello-world"},
        {"i": 0, "h": input_hash({"text": "0"}), "state": "creating", "at": time.time()},
        {"i": 0, "h": input_hash({"text": "0"}), "state": "created", "id": made.id},
        {"i": 1, "h": input_hash({"text": "1"}), "state": "creating", "at": time.time()},
        {"i": 2, "h": input_hash({"text": "2"}), "state": "creating", "at": time.time()},
    ]
    journal.write_text("".join(json.dumps(line) + "\n" for line in lines) + '{"i": 3, "h"')  # cut by a kill
    results = list(client.run_many("replicate/hello-world", rows(4), journal=journal))
    assert [r.output for r in results] == ["hello 0", "hello 1", "hello 2", "hello 3"]
    assert [r.prediction_id for r in results][:2] == [made.id, sent.id]
    assert created_texts(emulator) == ["0", "1", "2", "3"]


def test_a_journal_written_for_other_inputs_is_refused_before_any_request(
    emulator: Emulator, tmp_path: Path
) -> None:
    journal = tmp_path / "batch.journal"
    client = emulator.client()
    list(client.run_many("replicate/hello-world", rows(3), journal=journal))
    before = len(emulator.requests)
    with pytest.raises(ValueError, match="other inputs"):
        list(client.run_many("replicate/hello-world", [*rows(2), {"text": "changed"}], journal=journal))
    with pytest.raises(ValueError, match="other inputs"):
        list(client.run_many("replicate/hello-world", rows(2), journal=journal))
    with pytest.raises(ValueError, match="written for a batch of"):
        list(client.run_many("replicate/sleep", rows(3), journal=journal))
    assert len(emulator.requests) == before


_BATCH_SCRIPT = """
import sys, replicate
client = replicate.Replicate(base_url=sys.argv[1], bearer_token=sys.argv[2])
inputs = ({"seconds": 0.2, "n": i} for i in range(int(sys.argv[4])))
for result in client.run_many("emulator/slow", inputs, concurrency=4, journal=sys.argv[3]):
    print(result.index, result.ok, flush=True)
"""


def test_a_batch_killed_mid_way_and_resumed_creates_every_input_exactly_once(
    emulator: Emulator, tmp_path: Path
) -> None:
    @emulator.model("emulator/slow")
    def slow(seconds: float = 0.1, n: int = 0) -> str:  # pyright: ignore[reportUnusedFunction]
        time.sleep(seconds)
        return f"done {n}"

    journal = tmp_path / "batch.journal"
    script = tmp_path / "batch.py"
    script.write_text(_BATCH_SCRIPT)
    command = [sys.executable, str(script), emulator.base_url, emulator.token, str(journal), "24"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    for _ in range(6):
        process.stdout.readline()
    os.kill(process.pid, signal.SIGKILL)  # mid-way: some finished, some in flight, some not started
    process.wait()
    again = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    assert [line.split()[0] for line in again.stdout.splitlines()] == [str(i) for i in range(24)]
    assert all(line.split()[1] == "True" for line in again.stdout.splitlines())
    made = sorted(int(p.input["n"]) for p in emulator.predictions.values())
    assert made == list(range(24))
