"""Every real API response recorded in tests/recorded/ parses into its type.

Each interaction is routed by (method, path) to the type its endpoint returns, parsed from the
raw body the way the client does (`model_validate_json` / a `TypeAdapter`), and checked against
values read from the same JSON: ids, statuses, timestamps as aware datetimes, nested types.
Every field the server sent must survive parsing (`to_dict()` has exactly the body's keys).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest
from cassettes import Interaction, cassettes, interactions
from pydantic import TypeAdapter

from replicate.types import (
    Collection,
    CollectionSummary,
    File,
    Hardware,
    HardwareListResponse,
    Model,
    Prediction,
    PredictionURLs,
    Training,
    Version,
)

# Interactions with no JSON body of a type of ours, and why.
SKIPPED: Dict[str, str] = {
    "file-operations.yaml#3": "DELETE /files/{id}: 204 No Content, empty body",
    "file-prediction.yaml#0": "a PNG downloaded from replicate.delivery (a file output), not the API",
    "run__invalid-token.yaml#0": "401 problem+json body: read by the error mapping, not a type",
    "trainings-create__invalid-destination.yaml#0": "404 problem+json body: read by the error mapping, not a type",
}

KNOWN_STATUSES = {"starting", "processing", "succeeded", "failed", "canceled", "aborted"}

Check = Callable[[Any, Dict[str, Any]], None]


def check_prediction(p: Prediction, raw: Dict[str, Any]) -> None:
    assert isinstance(p, Prediction)
    assert p.id == raw["id"] and len(p.id) == 26
    assert p.status == raw["status"] and p.status in KNOWN_STATUSES
    assert p.version == raw["version"]
    assert p.input == raw["input"]
    assert isinstance(p.created_at, datetime) and p.created_at.utcoffset() is not None
    assert p.created_at.isoformat()[:19] == raw["created_at"][:19]
    if raw.get("started_at"):
        assert isinstance(p.started_at, datetime) and p.started_at >= p.created_at.replace(microsecond=0)
    if raw.get("completed_at"):
        assert isinstance(p.completed_at, datetime)
        assert p.status in {"succeeded", "failed", "canceled"}
    assert isinstance(p.urls, PredictionURLs)
    assert p.urls.get.endswith(p.id) and p.urls.cancel.endswith(f"{p.id}/cancel")
    assert p.urls.stream == raw["urls"].get("stream")
    assert p.urls.web is None  # required by the spec, never sent
    if raw.get("metrics"):
        assert p.metrics is not None
        assert p.metrics.predict_time == raw["metrics"].get("predict_time")
    assert p.output == raw.get("output")


def check_version(v: Version, raw: Dict[str, Any]) -> None:
    assert isinstance(v, Version)
    assert v.id == raw["id"] and len(v.id) in (40, 64)
    assert isinstance(v.created_at, datetime)
    assert v.cog_version == raw["cog_version"]
    if raw["openapi_schema"] is not None:
        assert v.openapi_schema is not None and "components" in v.openapi_schema


def check_model(m: Model, raw: Dict[str, Any]) -> None:
    assert isinstance(m, Model)
    assert (m.owner, m.name) == (raw["owner"], raw["name"])
    assert m.url == f"https://replicate.com/{m.owner}/{m.name}"
    assert m.visibility in ("public", "private")
    assert m.run_count == raw["run_count"] and isinstance(m.run_count, int)
    if raw["latest_version"] is None:
        assert m.latest_version is None
    else:
        assert m.latest_version is not None
        check_version(m.latest_version, raw["latest_version"])
    if raw["default_example"] is None:
        assert m.default_example is None
    else:
        assert isinstance(m.default_example, Prediction)
        assert m.default_example.id == raw["default_example"]["id"]
        assert m.default_example.status == raw["default_example"]["status"]
        assert isinstance(m.default_example.created_at, datetime)
    if raw.get("created_at"):
        assert isinstance(m.created_at, datetime)


def check_file(f: File, raw: Dict[str, Any]) -> None:
    assert isinstance(f, File)
    assert f.id == raw["id"] and f.urls.get == f"https://api.replicate.com/v1/files/{f.id}"
    assert f.size == raw["size"] == 0
    assert f.content_type == "text/plain"
    # the SHA-256 of zero bytes
    assert f.checksums.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert isinstance(f.created_at, datetime) and isinstance(f.expires_at, datetime)
    assert (f.expires_at - f.created_at).total_seconds() == 24 * 3600
    assert f.metadata == {}
    assert f.name == raw["name"]


def check_training(t: Training, raw: Dict[str, Any]) -> None:
    assert isinstance(t, Training)
    assert t.id == raw["id"]
    assert t.status == raw["status"] and t.status in KNOWN_STATUSES
    assert t.model == "stability-ai/sdxl"
    assert isinstance(t.created_at, datetime)
    assert t.urls is not None and t.urls.get is not None and t.urls.get.endswith(raw["id"])
    if raw.get("completed_at"):
        assert isinstance(t.completed_at, datetime) and t.status == "canceled"


def check_collection(c: Collection, raw: Dict[str, Any]) -> None:
    assert isinstance(c, Collection)
    assert (c.slug, c.name) == ("text-to-image", "Text to image")
    assert len(c.models) == len(raw["models"]) > 0
    for model, raw_model in zip(c.models, raw["models"]):
        check_model(model, raw_model)


def check_collection_summary(c: CollectionSummary, raw: Dict[str, Any]) -> None:
    assert isinstance(c, CollectionSummary)
    assert c.slug == raw["slug"] and re.fullmatch(r"[a-z0-9-]+", c.slug)
    assert c.name == raw["name"] and c.description == raw["description"]


def check_hardware(h: Hardware, raw: Dict[str, Any]) -> None:
    assert isinstance(h, Hardware)
    assert (h.sku, h.name) == (raw["sku"], raw["name"])


ONE, PAGE, LIST = "one", "page", "list"
OWNER_NAME = r"/v1/models/[^/]+/[^/]+"

# (method, path regex) -> (how the body holds items, item type, checks)
ROUTES: List[Tuple[str, str, str, Any, Check]] = [
    ("GET", r"/v1/collections", PAGE, CollectionSummary, check_collection_summary),
    ("GET", r"/v1/collections/[^/]+", ONE, Collection, check_collection),
    ("GET", r"/v1/files", PAGE, File, check_file),
    ("POST", r"/v1/files", ONE, File, check_file),
    ("GET", r"/v1/files/[^/]+", ONE, File, check_file),
    ("GET", r"/v1/hardware", LIST, Hardware, check_hardware),
    ("GET", r"/v1/models", PAGE, Model, check_model),
    ("QUERY", r"/v1/models", PAGE, Model, check_model),
    ("POST", r"/v1/models", ONE, Model, check_model),
    ("GET", OWNER_NAME, ONE, Model, check_model),
    ("POST", OWNER_NAME + r"/predictions", ONE, Prediction, check_prediction),
    ("GET", OWNER_NAME + r"/versions/[^/]+", ONE, Version, check_version),
    ("POST", OWNER_NAME + r"/versions/[^/]+/trainings", ONE, Training, check_training),
    # Older recordings create trainings at the legacy path without the `/trainings` suffix.
    ("POST", OWNER_NAME + r"/versions/[^/]+", ONE, Training, check_training),
    ("POST", r"/v1/predictions", ONE, Prediction, check_prediction),
    ("GET", r"/v1/predictions/[^/]+", ONE, Prediction, check_prediction),
    ("POST", r"/v1/predictions/[^/]+/cancel", ONE, Prediction, check_prediction),
    ("GET", r"/v1/trainings/[^/]+", ONE, Training, check_training),
    ("POST", r"/v1/trainings/[^/]+/cancel", ONE, Training, check_training),
]


def route(interaction: Interaction) -> Optional[Tuple[str, Any, Check]]:
    for method, pattern, shape, item_type, check in ROUTES:
        if interaction.method == method and re.fullmatch(pattern, interaction.path):
            return shape, item_type, check
    return None


def assert_every_field_kept(parsed: Any, raw: Dict[str, Any]) -> None:
    assert set(parsed.to_dict()) == set(raw), "a field the server sent was lost or invented"


def parse_and_check(interaction: Interaction) -> int:
    """Parse one interaction's body into its type and check it; returns the number of items."""
    found = route(interaction)
    assert found is not None, f"no type mapped for {interaction.method} {interaction.path}"
    shape, item_type, check = found
    raw = json.loads(interaction.body)
    if shape == ONE:
        parsed = item_type.model_validate_json(interaction.body)
        check(parsed, raw)
        assert_every_field_kept(parsed, raw)
        return 1
    if shape == LIST:
        assert item_type is Hardware
        items = TypeAdapter(HardwareListResponse).validate_json(interaction.body)
        raw_items = raw
    else:
        assert set(raw) == {"next", "previous", "results"}
        items = TypeAdapter(List[item_type]).validate_json(json.dumps(raw["results"]))
        raw_items = raw["results"]
    assert len(items) == len(raw_items)
    for item, raw_item in zip(items, raw_items):
        check(item, raw_item)
        assert_every_field_kept(item, raw_item)
    return len(items)


ALL_CASSETTES = cassettes()


def test_the_recordings_are_all_here() -> None:
    assert len(ALL_CASSETTES) == 33


@pytest.mark.parametrize("cassette", ALL_CASSETTES, ids=[p.stem for p in ALL_CASSETTES])
def test_every_recorded_response_parses_into_its_type(cassette: Any) -> None:
    parsed = 0
    for interaction in interactions(cassette):
        if interaction.key in SKIPPED:
            continue
        assert interaction.host == "api.replicate.com"
        assert interaction.status < 300 and interaction.content_type.startswith("application/json")
        parsed += parse_and_check(interaction)
    skipped_here = [key for key in SKIPPED if key.startswith(cassette.name + "#")]
    assert parsed > 0 or skipped_here


def test_skipped_interactions_are_exactly_the_non_json_and_error_bodies() -> None:
    skipped = {}
    for cassette in ALL_CASSETTES:
        for interaction in interactions(cassette):
            is_json = interaction.content_type.startswith("application/json")
            if interaction.status >= 300 or not is_json or interaction.host != "api.replicate.com":
                skipped[interaction.key] = interaction
    assert set(skipped) == set(SKIPPED)
    assert skipped["file-prediction.yaml#0"].body[:8] == b"\x89PNG\r\n\x1a\n"
    assert skipped["file-operations.yaml#3"].body == b""
    problem = json.loads(skipped["run__invalid-token.yaml#0"].body)
    assert problem == {
        "title": "Unauthenticated",
        "detail": "You did not pass a valid authentication token",
        "status": 401,
    }


def _one(cassette: str, index: int) -> Any:
    interaction = interactions(next(p for p in ALL_CASSETTES if p.name == cassette))[index]
    found = route(interaction)
    assert found is not None
    return found[1].model_validate_json(interaction.body)


def test_recorded_model_values() -> None:
    sdxl = _one("models-get.yaml", 0)
    assert sdxl.run_count == 19361490
    assert sdxl.github_url == "https://github.com/replicate/cog-sdxl"
    empty = _one("models-get.yaml", 1)
    assert (empty.owner, empty.name, empty.run_count) == ("mattt", "empty", 0)
    created = _one("models-create.yaml", 0)
    assert (created.owner, created.name, created.visibility) == ("test", "python-example", "private")
    assert created.latest_version is None and created.default_example is None


def test_recorded_prediction_values() -> None:
    canceled = _one("predictions-cancel.yaml", 4)
    assert (canceled.id, canceled.status) == ("hdwst0bb05rgp0cf0p29mzk2am", "canceled")
    assert canceled.metrics.total_time == 0.175128
    assert canceled.completed_at > canceled.started_at > canceled.created_at
    streaming = _one("predictions-stream.yaml", 2)
    assert streaming.urls.stream is not None and streaming.stream is True  # `stream` is an extra field
    official = _one("test_models_predictions_create_blocking[True-True].yaml", 0)
    assert official.model == "meta/meta-llama-3-8b-instruct" and official.data_removed is False
    finished = _one("run.yaml", 12)
    assert finished.status == "succeeded" and isinstance(finished.output, list)
    old = _one("predictions-get.yaml", 1)
    assert old.model is None and old.data_removed is None  # both absent from this recording


def test_recorded_training_and_file_values() -> None:
    training = _one("trainings-get.yaml", 0)
    assert (training.id, training.status, training.output) == (
        "medrnz3bm5dd6ultvad2tejrte",
        "processing",
        None,
    )
    assert training.metrics is not None and training.metrics.predict_time is None
    file = _one("file-operations.yaml", 0)
    assert file.id == "NGZiNmY2YzQtMThhZi00ZjcyLWFhZjktODg4NTY0NWNlMDEy"
    assert file.created_at.isoformat() == "2024-08-22T12:26:51.079000+00:00"


def test_recorded_hardware_list() -> None:
    interaction = interactions(next(p for p in ALL_CASSETTES if p.name == "hardware-list.yaml"))[0]
    hardware = TypeAdapter(HardwareListResponse).validate_json(interaction.body)
    assert [h.sku for h in hardware] == ["cpu", "gpu-t4", "gpu-a40-small", "gpu-a40-large"]
