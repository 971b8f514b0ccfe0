"""What run()/use() accept as a model reference, and the error for anything else."""

from __future__ import annotations

import pytest

import replicate
from replicate._running.refs import ModelRef, ModelVersionIdentifier, parse_ref
from replicate.types import Model, Version

VERSION = "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa"


def test_parses_owner_and_name() -> None:
    assert parse_ref("acme/echo") == ModelRef("acme", "echo", None)


def test_parses_owner_name_and_version() -> None:
    assert parse_ref(f"acme/echo:{VERSION}") == ModelRef("acme", "echo", VERSION)


def test_parses_a_bare_version_id() -> None:
    assert parse_ref(VERSION) == ModelRef(None, None, VERSION)


def test_accepts_model_version_and_identifier_objects() -> None:
    assert parse_ref(Model(owner="acme", name="echo")) == ModelRef("acme", "echo", None)
    assert parse_ref(Version(id=VERSION)) == ModelRef(None, None, VERSION)
    assert parse_ref(ModelVersionIdentifier("acme", "echo", VERSION)) == ModelRef("acme", "echo", VERSION)


@pytest.mark.parametrize(
    "ref",
    ["", "acme", "acme/", "/echo", "acme/echo/extra", "acme/echo:", "acme/echo:notahexversion", "abc123"],
)
def test_a_malformed_reference_is_a_value_error_listing_the_accepted_forms(ref: str) -> None:
    with pytest.raises(ValueError, match="owner/name:<64-character version id>"):
        parse_ref(ref)


def test_something_else_entirely_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="Accepted"):
        parse_ref(42)


def test_model_version_identifier_parses_and_prints() -> None:
    ident = replicate.ModelVersionIdentifier.parse(f"acme/echo:{VERSION}")
    assert ident == ("acme", "echo", VERSION)
    assert ident.owner == "acme" and ident.version == VERSION
    assert str(ident) == f"acme/echo:{VERSION}"
    assert replicate.ModelVersionIdentifier.parse("acme/echo").version is None
    with pytest.raises(ValueError):
        replicate.ModelVersionIdentifier.parse("nope")


def test_run_rejects_a_malformed_reference_before_any_request() -> None:
    # The base URL goes nowhere: a request would fail with a connection error instead.
    client = replicate.Replicate(bearer_token="t", base_url="http://127.0.0.1:9/v1", max_retries=0)
    with pytest.raises(ValueError, match="Accepted"):
        client.run("not a ref", input={})
