"""Use the emulator in your own pytest suite: `pytest examples/test_with_emulator.py`."""

from typing import Iterator

import pytest
from replicate.testing import Emulator

import replicate


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


def test_classify_survives_a_flaky_api(emulator: Emulator) -> None:
    emulator.faults.fail_next(1, status=503, path="/v1/models/acme/sentiment")
    assert classify(emulator.client(), "good") == "positive"
