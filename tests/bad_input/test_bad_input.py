"""Malformed input across the surface: a typed error that says what was wrong and how to fix
it, raised before any request (the emulator's request log proves none was sent)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Callable, Iterator, List, Tuple, Type

import pytest

import replicate
from replicate.testing import Emulator

Case = Tuple[str, Callable[[replicate.Replicate], Any], Type[BaseException], str]

MISSING = Path("/nonexistent/input.png")


def version_id() -> str:
    return "a" * 64


CASES: List[Case] = [
    # references
    ("run with a malformed ref", lambda c: c.run("not a ref", input={}), ValueError, "owner/name"),
    ("run with an empty ref", lambda c: c.run("", input={}), ValueError, "owner/name"),
    ("run with a short version id", lambda c: c.run("acme/echo:abc", input={}), ValueError, "64"),
    ("run with too many slashes", lambda c: c.run("a/b/c", input={}), ValueError, "owner/name"),
    ("run with a number as ref", lambda c: c.run(42, input={}), (TypeError, ValueError), "owner/name"),  # type: ignore[arg-type]
    ("use with a malformed ref", lambda c: c.use("bad ref")(text="x"), ValueError, "owner/name"),
    # wait / prefer
    ("wait above 60", lambda c: c.run("acme/echo", input={}, wait=61), ValueError, "1 to 60"),
    ("wait of zero", lambda c: c.run("acme/echo", input={}, wait=0), ValueError, "1 to 60"),
    ("wait as a string", lambda c: c.run("acme/echo", input={}, wait="5"), TypeError, "wait"),  # type: ignore[arg-type]
    (
        "wait and prefer together",
        lambda c: c.run("acme/echo", input={}, wait=5, prefer="wait"),
        TypeError,
        "prefer",
    ),
    (
        "prefer out of range",
        lambda c: c.predictions.create(version=version_id(), input={}, prefer="wait=99"),
        ValueError,
        "wait=N",
    ),
    (
        "prefer nonsense",
        lambda c: c.predictions.create(version=version_id(), input={}, prefer="soon"),
        ValueError,
        "prefer",
    ),
    # path parameters
    ("empty prediction_id", lambda c: c.predictions.get(prediction_id=""), ValueError, "prediction_id"),
    ("empty model_owner", lambda c: c.models.get(model_owner="", model_name="x"), ValueError, "model_owner"),
    (
        "slash in model_name",
        lambda c: c.models.get(model_owner="a", model_name="b/c"),
        ValueError,
        "model_name",
    ),
    (
        "slash in owner of versions.get",
        lambda c: c.models.versions.get(model_owner="a/b", model_name="c", version_id="v"),
        ValueError,
        "model_owner",
    ),
    (
        "empty version_id",
        lambda c: c.models.versions.delete(model_owner="a", model_name="b", version_id=""),
        ValueError,
        "version_id",
    ),
    (
        "empty deployment_name",
        lambda c: c.deployments.get(deployment_owner="a", deployment_name=""),
        ValueError,
        "deployment_name",
    ),
    ("empty training_id", lambda c: c.trainings.cancel(training_id=""), ValueError, "training_id"),
    ("empty file_id", lambda c: c.files.delete(file_id=""), ValueError, "file_id"),
    ("empty collection_slug", lambda c: c.collections.get(collection_slug=""), ValueError, "collection_slug"),
    ("non-string prediction_id", lambda c: c.predictions.get(prediction_id=123), TypeError, "prediction_id"),  # type: ignore[arg-type]
    ("empty version on create", lambda c: c.predictions.create(version="", input={}), ValueError, "version"),
    # inputs
    (
        "input that is not a dict",
        lambda c: c.predictions.create(version=version_id(), input=["x"]),
        TypeError,
        "dict",
    ),  # type: ignore[arg-type]
    (
        "non-JSON input value",
        lambda c: c.predictions.create(version=version_id(), input={"a": {"b": object()}}),
        TypeError,
        "input['a']['b']",
    ),
    (
        "non-JSON value in a list",
        lambda c: c.predictions.create(version=version_id(), input={"xs": [1, {2, 3}]}),
        TypeError,
        "input['xs'][1]",
    ),
    (
        "non-string input key",
        lambda c: c.predictions.create(version=version_id(), input={1: "x"}),
        TypeError,
        "key",
    ),  # type: ignore[dict-item]
    (
        "missing input file for run",
        lambda c: c.run("acme/echo", input={"image": MISSING}),
        FileNotFoundError,
        "input.png",
    ),
    (
        "text-mode file input",
        lambda c: c.run("acme/echo", input={"f": io.StringIO("x")}),
        TypeError,
        "binary",
    ),
    (
        "training destination without slash",
        lambda c: c.trainings.create(
            model_owner="a", model_name="b", version_id="v", destination="nope", input={}
        ),
        ValueError,
        "owner/name",
    ),
    (
        "training input not JSON",
        lambda c: c.trainings.create(
            model_owner="a", model_name="b", version_id="v", destination="x/y", input={"f": print}
        ),
        TypeError,
        "input['f']",
    ),
    # files
    ("upload of a missing path", lambda c: c.files.create(content=MISSING), FileNotFoundError, "input.png"),
    ("upload of a str path", lambda c: c.files.create(content="photo.png"), TypeError, "pathlib.Path"),  # type: ignore[arg-type]
    ("upload of a text-mode file", lambda c: c.files.create(content=io.StringIO("x")), TypeError, "binary"),  # type: ignore[arg-type]
    ("upload of a number", lambda c: c.files.create(content=12), TypeError, "bytes"),  # type: ignore[arg-type]
    ("upload tuple of wrong size", lambda c: c.files.create(content=("a",)), TypeError, "tuple"),  # type: ignore[arg-type]
    (
        "filename over 255 bytes",
        lambda c: c.files.create(content=b"x", filename="é" * 200),
        ValueError,
        "255",
    ),
    (
        "metadata not JSON",
        lambda c: c.files.create(content=b"x", metadata={"when": object()}),
        TypeError,
        "metadata",
    ),
    # options
    (
        "unknown keyword argument",
        lambda c: c.predictions.get(prediction_id="p", include="logs"),
        TypeError,
        "include",
    ),  # type: ignore[call-arg]
    ("negative per-request timeout", lambda c: c.account.get(timeout=-1), ValueError, "timeout"),
    ("timeout of the wrong type", lambda c: c.account.get(timeout="fast"), TypeError, "timeout"),  # type: ignore[arg-type]
    ("negative max_retries", lambda c: c.with_options(max_retries=-1), ValueError, "max_retries"),
    ("search with an empty query body", lambda c: c.models.search(body=" "), ValueError, "search text"),
    ("unknown low-level option", lambda c: c.get("/account", options={"retries": 3}), TypeError, "retries"),  # type: ignore[typeddict-unknown-key]
    (
        "extra_body on a non-object body",
        lambda c: c.models.search(body="x", extra_body={"a": 1}),
        TypeError,
        "extra_body",
    ),
]


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    em = Emulator()
    with em.serve():
        yield em


def test_there_are_at_least_forty_cases() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize(("name", "call", "error", "says"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_fails_early_and_clearly(
    emulator: Emulator,
    name: str,
    call: Callable[[replicate.Replicate], Any],
    error: Type[BaseException],
    says: str,
) -> None:
    client = emulator.client()
    before = len(emulator.requests)
    with pytest.raises(error) as caught:
        call(client)
    assert says in str(caught.value), f"{name}: {caught.value!r} does not mention {says!r}"
    assert len(emulator.requests) == before, f"{name}: a request was sent: {emulator.requests[before:]}"


def test_constructor_errors() -> None:
    with pytest.raises(ValueError, match="base_url"):
        replicate.Replicate(bearer_token="x", base_url="ftp://nowhere")
    with pytest.raises(ValueError, match="timeout"):
        replicate.Replicate(bearer_token="x", timeout=0)
    with pytest.raises(TypeError, match=r"httpx\.Client"):
        replicate.Replicate(bearer_token="x", http_client=object())  # type: ignore[arg-type]


def test_non_json_and_truncated_success_bodies_are_validation_errors(emulator: Emulator) -> None:
    emulator.faults.fail_next(1, status=200, body="<html>not json</html>", path="/v1/account")
    with pytest.raises(replicate.APIResponseValidationError, match="Account"):
        emulator.client().account.get()
