"""Malformed input across the surface: a typed error that says what was wrong and how to fix
it, raised before any request (the emulator's request log proves none was sent)."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple, Type

import httpx
import pytest

import replicate
from replicate._base.webhooks import sign
from replicate.testing import Emulator

Case = Tuple[str, Callable[[replicate.Replicate], Any], Type[BaseException], str]

MISSING = Path("/nonexistent/input.png")


def version_id() -> str:
    return "a" * 64


def looped() -> Dict[str, Any]:
    value: Dict[str, Any] = {"a": 1}
    value["self"] = value
    return value


def deep(levels: int) -> List[Any]:
    outer: List[Any] = []
    inner = outer
    for _ in range(levels):
        inner.append([])
        inner = inner[0]
    return outer


SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="


def webhook_headers(body: bytes = b"{}") -> Dict[str, str]:
    now = int(time.time())
    return {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(now),
        "webhook-signature": sign(body, webhook_id="msg_1", timestamp=now, secret=SECRET),
    }


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
    (
        "dot-dot prediction_id on cancel",
        lambda c: c.predictions.cancel(prediction_id=".."),
        ValueError,
        "'..'",
    ),
    ("dot prediction_id", lambda c: c.predictions.get(prediction_id="."), ValueError, "prediction_id"),
    ("dot-dot file_id on delete", lambda c: c.files.delete(file_id=".."), ValueError, "file_id"),
    (
        "encoded dot-dot training_id",
        lambda c: c.trainings.cancel(training_id="%2e%2E"),
        ValueError,
        "training_id",
    ),
    (
        "encoded slash in model_name",
        lambda c: c.models.get(model_owner="a", model_name="b%2Fc"),
        ValueError,
        "model_name",
    ),
    ("question mark in file_id", lambda c: c.files.get(file_id="f?x=1"), ValueError, "file_id"),
    (
        "hash in collection_slug",
        lambda c: c.collections.get(collection_slug="a#b"),
        ValueError,
        "collection_slug",
    ),
    (
        "encoded hash in prediction_id",
        lambda c: c.predictions.get(prediction_id="p%23x"),
        ValueError,
        "prediction_id",
    ),
    (
        "backslash in deployment_name",
        lambda c: c.deployments.get(deployment_owner="a", deployment_name="..\\x"),
        ValueError,
        "deployment_name",
    ),
    ("dot-dot model_owner in run", lambda c: c.run("../echo", input={}), ValueError, "owner/name"),
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
        "input that contains itself",
        lambda c: c.predictions.create(version=version_id(), input=looped()),
        ValueError,
        "contains itself",
    ),
    (
        "input that contains itself, run",
        lambda c: c.run("acme/echo", input=looped()),
        ValueError,
        "contains itself",
    ),
    (
        "input 3,000 levels deep",
        lambda c: c.predictions.create(version=version_id(), input={"x": deep(3000)}),
        ValueError,
        "levels deep",
    ),
    (
        "input 3,000 levels deep, run",
        lambda c: c.run("acme/echo", input={"x": deep(3000)}),
        ValueError,
        "levels deep",
    ),
    ("input 3,000 levels deep, use", lambda c: c.use("acme/echo")(x=deep(3000)), ValueError, "levels deep"),
    (
        "extra_body 3,000 levels deep",
        lambda c: c.predictions.create(version=version_id(), input={}, extra_body={"x": deep(3000)}),
        ValueError,
        "extra_body nests",
    ),
    (
        "low-level body= 3,000 levels deep",
        lambda c: c.post("/predictions", body=deep(3000)),
        ValueError,
        "body= nests",
    ),
    (
        "training input that contains itself",
        lambda c: c.trainings.create(
            model_owner="a", model_name="b", version_id="v", destination="x/y", input=looped()
        ),
        ValueError,
        "contains itself",
    ),
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
    ("NaN per-request timeout", lambda c: c.account.get(timeout=float("nan")), ValueError, "finite"),
    ("infinite per-request timeout", lambda c: c.account.get(timeout=float("inf")), ValueError, "finite"),
    (
        "NaN in an httpx.Timeout",
        lambda c: c.account.get(timeout=httpx.Timeout(5, read=float("nan"))),
        ValueError,
        "timeout",
    ),
    (
        "NaN poll_interval",
        lambda c: c.predictions.wait(prediction_id="p", poll_interval=float("nan")),
        ValueError,
        "poll_interval",
    ),
    (
        "infinite poll_interval",
        lambda c: c.predictions.wait(prediction_id="p", poll_interval=float("inf")),
        ValueError,
        "poll_interval",
    ),
    (
        "header value with a newline",
        lambda c: c.account.get(extra_headers={"X-A": "b\r\nX-C: d"}),
        ValueError,
        "'X-A' header",
    ),
    (
        "non-ASCII header value",
        lambda c: c.account.get(extra_headers={"X-A": "é"}),
        ValueError,
        "'X-A' header",
    ),
    # webhooks (verification makes no request either)
    (
        "webhook secret explicitly empty",
        lambda c: c.webhooks.verify_signature(b"{}", webhook_headers(), secret=""),
        replicate.WebhookVerificationError,
        "empty",
    ),
    (
        "webhook tolerance NaN",
        lambda c: c.webhooks.verify_signature(
            b"{}", webhook_headers(), secret=SECRET, tolerance=float("nan")
        ),
        ValueError,
        "tolerance",
    ),
    (
        "webhook tolerance as a string",
        lambda c: c.webhooks.verify_signature(b"{}", webhook_headers(), secret=SECRET, tolerance="5"),
        TypeError,
        "tolerance",
    ),  # type: ignore[arg-type]
    (
        "webhook body as a dict",
        lambda c: c.webhooks.unwrap({"id": "p"}, webhook_headers(), secret=SECRET),
        TypeError,
        "raw request body",
    ),  # type: ignore[arg-type]
    (
        "webhook headers as a number",
        lambda c: c.webhooks.verify_signature(b"{}", 5, secret=SECRET),
        TypeError,
        "headers",
    ),  # type: ignore[arg-type]
    (
        "webhook headers as bare strings",
        lambda c: c.webhooks.verify_signature(b"{}", ["webhook-id"], secret=SECRET),
        TypeError,
        "(name, value)",
    ),  # type: ignore[list-item]
    (
        "webhook timestamp of 400 digits",
        lambda c: c.webhooks.verify_signature(
            b"{}", {**webhook_headers(), "webhook-timestamp": "9" * 400}, secret=SECRET
        ),
        replicate.WebhookVerificationError,
        "in the future",
    ),
    (
        "signed webhook body that is not JSON",
        lambda c: c.webhooks.unwrap(b"<html>", webhook_headers(b"<html>"), secret=SECRET),
        replicate.WebhookVerificationError,
        "not JSON",
    ),
    ("timeout of the wrong type", lambda c: c.account.get(timeout="fast"), TypeError, "timeout"),  # type: ignore[arg-type]
    ("negative max_retries", lambda c: c.with_options(max_retries=-1), ValueError, "max_retries"),
    ("search with an empty query body", lambda c: c.models.search(body=" "), ValueError, "search text"),
    ("unknown low-level option", lambda c: c.get("/account", options={"retries": 3}), TypeError, "retries"),  # type: ignore[typeddict-unknown-key]
    (
        "extra_body on a non-object body",
        lambda c: c.models.search(body="x", extra_body={"a": 1}),
        TypeError,
        "extra_body can only be merged into a JSON object body; this request sends text",
    ),
]


# Refused by the constructor: (name, keyword arguments, error, what the message says).
CONSTRUCTOR_CASES: List[Tuple[str, Dict[str, Any], Type[BaseException], str]] = [
    ("base_url not http", {"base_url": "ftp://nowhere"}, ValueError, "base_url"),
    ("timeout of zero", {"timeout": 0}, ValueError, "timeout"),
    ("timeout NaN", {"timeout": float("nan")}, ValueError, "finite"),
    ("timeout infinite", {"timeout": float("inf")}, ValueError, "finite"),
    ("httpx.Timeout with NaN", {"timeout": httpx.Timeout(float("nan"))}, ValueError, "timeout"),
    ("port above 65535", {"base_url": "http://127.0.0.1:70000/v1"}, ValueError, "65535"),
    ("unclosed IPv6 bracket", {"base_url": "http://[::1"}, ValueError, "not a valid URL"),
    ("query string in base_url", {"base_url": "http://127.0.0.1:9/v1?debug=1"}, ValueError, "default_query"),
    ("empty query string in base_url", {"base_url": "http://127.0.0.1:9/v1?"}, ValueError, "query string"),
    ("fragment in base_url", {"base_url": "http://127.0.0.1:9/v1#x"}, ValueError, "fragment"),
    ("password in base_url", {"base_url": "http://u:pw@127.0.0.1:9/v1"}, ValueError, "password"),
    ("http_client of the wrong kind", {"http_client": object()}, TypeError, "httpx.Client"),
    (
        "token with a newline inside",
        {"bearer_token": "r8_ab\ncd"},
        replicate.ReplicateError,
        "control character",
    ),
    ("token that is only whitespace", {"bearer_token": " \n"}, replicate.ReplicateError, "No API token"),
    ("token of the wrong type", {"bearer_token": b"r8_x"}, TypeError, "bearer_token"),
    ("negative max_retries", {"max_retries": -1}, ValueError, "max_retries"),
    ("default header with a newline", {"default_headers": {"X-A": "b\nc"}}, ValueError, "'X-A' header"),
]


@pytest.mark.parametrize(
    ("name", "options", "error", "says"), CONSTRUCTOR_CASES, ids=[c[0] for c in CONSTRUCTOR_CASES]
)
def test_the_constructor_refuses_bad_options(
    name: str, options: Dict[str, Any], error: Type[BaseException], says: str
) -> None:
    with pytest.raises(error) as caught:
        replicate.Replicate(**{"bearer_token": "r8_x", **options})
    assert says in str(caught.value), f"{name}: {caught.value!r} does not mention {says!r}"
    assert "pw@" not in str(caught.value)


def test_the_readmes_count_the_cases() -> None:
    count = f"{len(CASES) + len(CONSTRUCTOR_CASES)} cases"
    assert count in (Path(__file__).parent / "README.md").read_text(), "update tests/bad_input/README.md"
    assert count in (Path(__file__).parents[2] / "README.md").read_text(), (
        "update README.md (Security and robustness)"
    )


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


def test_non_json_and_truncated_success_bodies_are_validation_errors(emulator: Emulator) -> None:
    emulator.faults.fail_next(1, status=200, body="<html>not json</html>", path="/v1/account")
    with pytest.raises(replicate.APIResponseValidationError, match="Account"):
        emulator.client().account.get()
