"""Use the emulator in your own pytest suite: `pytest examples/test_with_emulator.py`."""

from typing import Iterator

import pytest

import replicate
from replicate.testing import Emulator


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    emulator = Emulator()

    @emulator.model("acme/sentiment")
    def sentiment(text: str) -> str:
        return "positive" if "good" in text else "negative"

    with emulator.serve():
        yield emulator


def classify(client: replicate.Replicate, text: str) -> str:
    """The code under test: in your project, this is your own function."""
    return client.run("acme/sentiment", input={"text": text})


def test_classify_calls_the_model(emulator: Emulator) -> None:
    client = emulator.client()
    assert classify(client, "a good day") == "positive"
    assert classify(client, "rain") == "negative"


def test_classify_waits_out_rate_limits(emulator: Emulator) -> None:
    emulator.faults.fail_next(2, status=429, retry_after=0.05, path="/v1/models/acme/sentiment")
    assert classify(emulator.client(), "good") == "positive"


def test_a_failed_create_is_not_retried_blindly(emulator: Emulator) -> None:
    # A 503 on a create may mean the model ran: the client looks before creating again.
    emulator.faults.fail_next(1, status=503, path="/v1/models/acme/sentiment")
    assert classify(emulator.client(), "good") == "positive"
    assert emulator.prediction_count == 1
    # With that turned off, it raises rather than risk running the model twice.
    emulator.faults.fail_next(1, status=503, path="/v1/models/acme/sentiment")
    with pytest.raises(replicate.InternalServerError) as error:
        classify(emulator.client(reconcile_creates=False), "good")
    assert error.value.may_have_been_created
