"""The token (and any header value) stays out of errors, reprs and pickles, however it was given."""

from __future__ import annotations

import pickle
from typing import Iterator, List

import pytest

import replicate
from replicate.testing import Emulator

from .conftest import FileServer

TOKEN = "r8_super_secret_token_0123456789"


@pytest.fixture
def em() -> Iterator[Emulator]:
    emulator = Emulator(token=TOKEN)
    with emulator.serve():
        yield emulator


def test_a_token_read_from_a_file_works(em: Emulator) -> None:
    for padded in (TOKEN + "\n", f"  {TOKEN}\r\n", f"\t{TOKEN} "):
        client = replicate.Replicate(bearer_token=padded, base_url=em.client().base_url)
        assert client.bearer_token == TOKEN
        assert client.account.get().username


@pytest.mark.parametrize(
    "bad", [TOKEN[:10] + "\n" + TOKEN[10:], TOKEN + "\x00x", "r8_ab cd_" + TOKEN, TOKEN + "é"]
)
def test_a_token_that_cannot_be_a_header_is_refused_without_showing_it(bad: str) -> None:
    with pytest.raises(replicate.ReplicateError, match="API token has") as caught:
        replicate.Replicate(bearer_token=bad, base_url="http://127.0.0.1:9/v1")
    assert TOKEN[3:12] not in str(caught.value)


def test_a_bad_header_value_is_refused_without_quoting_it(em: Emulator) -> None:
    client = em.client()
    before = len(em.requests)
    secret = "not-for-any-message-0123456789"
    for call in (
        lambda: client.account.get(extra_headers={"X-Trace": f"{secret}\r\nX-Injected: 1"}),
        lambda: client.predictions.create(
            version="a" * 64, input={}, extra_headers={"X-Trace": f"{secret}é"}
        ),
        lambda: replicate.Replicate(bearer_token=TOKEN, default_headers={"X-Trace": f"{secret}\n"}),
    ):
        with pytest.raises(ValueError, match="'X-Trace' header") as caught:
            call()
        assert secret not in str(caught.value) and TOKEN not in str(caught.value)
    assert len(em.requests) == before


def test_what_httpx_refuses_to_send_is_typed_at_once_and_never_quoted(em: Emulator) -> None:
    # A header set on the caller's own httpx client reaches h11, which refuses it before sending.
    secret = "not-for-any-message-0123456789"
    http = replicate.DefaultHttpxClient(headers={"X-Trace": f"{secret}\n"})
    client = replicate.Replicate(bearer_token=TOKEN, base_url=em.client().base_url, http_client=http)
    before = len(em.requests)
    for call in (
        lambda: client.account.get(),
        lambda: client.predictions.create(version="a" * 64, input={}),
    ):
        with pytest.raises(replicate.APIConnectionError, match="was not sent") as caught:
            call()
        assert secret not in str(caught.value) and TOKEN not in str(caught.value)
        assert not caught.value.may_have_been_created, "nothing was sent: nothing may have been created"
    assert len(em.requests) == before, "not retried either: it would fail the same way"


def test_a_redirect_to_a_scheme_httpx_cannot_send_is_typed_and_says_so() -> None:
    with FileServer(redirect_to="ftp://127.0.0.1:9/v1/predictions") as api:
        client = replicate.Replicate(bearer_token=TOKEN, base_url=api.url + "/v1", max_retries=2)
        with pytest.raises(replicate.APIConnectionError, match="'ftp'") as caught:
            client.models.predictions.create(model_owner="acme", model_name="echo", input={})
        assert not caught.value.may_have_been_created
        with pytest.raises(replicate.APIConnectionError, match="'ftp'"):
            client.account.get()
        assert len(api.paths) == 2, "not retried: it would fail the same way"


def test_userinfo_in_base_url_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValueError, match="user name or password") as caught:
        replicate.Replicate(bearer_token=TOKEN, base_url="http://admin:hunter2@127.0.0.1:9/v1")
    assert "hunter2" not in str(caught.value)
    with pytest.raises(ValueError) as caught:
        replicate.Replicate(bearer_token=TOKEN, base_url="ftp://admin:hunter2@127.0.0.1:9/v1")
    assert "hunter2" not in str(caught.value)


def _errors(em: Emulator) -> List[replicate.ReplicateError]:
    """One of each error the client raises, from real answers of the emulator."""
    client = em.client(max_retries=0)
    found: List[replicate.ReplicateError] = []
    calls = [
        lambda: client.predictions.get(prediction_id="missing"),  # NotFoundError
        lambda: client.models.predictions.create(model_owner="acme", model_name="nope", input={}),
        lambda: client.run("replicate/fail", input={}),  # ModelError
        lambda: replicate.Replicate(bearer_token="r8_wrong0000", base_url=client.base_url).account.get(),
    ]
    for call in calls:
        with pytest.raises(replicate.ReplicateError) as caught:
            call()
        found.append(caught.value)
    em.faults.fail_next(1, status=500, body="<html>" + "x" * 100_000 + "</html>", path="/v1/account")
    with pytest.raises(replicate.InternalServerError) as server_error:
        client.account.get()
    found.append(server_error.value)
    with pytest.raises(replicate.APIConnectionError) as connection:
        replicate.Replicate(bearer_token=TOKEN, base_url="http://127.0.0.1:9/v1", max_retries=0).account.get()
    found.append(connection.value)
    with pytest.raises(replicate.APITimeoutError) as timeout:  # not looked for: it raises
        client.with_options(reconcile_creates=False).models.predictions.create(
            model_owner="replicate", model_name="sleep", input={"seconds": 2}, prefer="wait=5", timeout=0.05
        )
    found.append(timeout.value)
    closed = em.client()
    closed.close()
    with pytest.raises(replicate.ClientClosedError) as closed_error:
        closed.account.get()
    found.append(closed_error.value)
    return found


def test_every_error_round_trips_through_pickle_without_the_token(em: Emulator) -> None:
    errors = _errors(em)
    assert {type(e).__name__ for e in errors} >= {
        "NotFoundError",
        "ModelError",
        "AuthenticationError",
        "InternalServerError",
        "APIConnectionError",
        "APITimeoutError",
        "ClientClosedError",
    }
    for error in errors:
        data = pickle.dumps(error)
        assert TOKEN.encode() not in data and b"Bearer" not in data, type(error).__name__
        assert len(data) < 40_000, f"{type(error).__name__}: the body is capped ({len(data)} bytes)"
        back = pickle.loads(data)
        assert type(back) is type(error) and str(back) == str(error)
        if isinstance(error, replicate.APIError):
            assert isinstance(back, replicate.APIError)
            assert back.request.url == error.request.url and back.request.method == error.request.method
            assert back.may_have_been_created == error.may_have_been_created
        if isinstance(error, replicate.APIStatusError):
            assert isinstance(back, replicate.APIStatusError)
            assert back.status_code == error.status_code and back.response.status_code == error.status_code
            if isinstance(error.body, dict):
                assert back.body == error.body
        if isinstance(error, replicate.ModelError):
            assert isinstance(back, replicate.ModelError)
            assert back.prediction.id == error.prediction.id
