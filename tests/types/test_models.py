"""The behaviour of the response types: the API may grow (new fields, new enum values) without
breaking parsing; timestamps in every format the API sends become aware datetimes; objects
round-trip through `to_dict()` / `to_json()`; the v2 SDK's names are the concept classes."""

from __future__ import annotations

import copy
import json
import pickle
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from typing import Any, Dict

import pytest
from pydantic import TypeAdapter, ValidationError

import replicate.types as types
import replicate.types.deployments
import replicate.types.models
import replicate.types.webhooks
import replicate.types.webhooks.default
from replicate import BaseModel
from replicate.types import Account, Model, Prediction, Training

PREDICTION: Dict[str, Any] = {
    "id": "ufawqhfynnddngldkgtslldrkq",
    "model": "replicate/hello-world",
    "version": "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa",
    "input": {"text": "Alice"},
    "output": None,
    "logs": "",
    "error": None,
    "status": "starting",
    "created_at": "2023-11-16T11:46:16.064900134Z",
    "urls": {
        "get": "https://api.replicate.com/v1/predictions/ufawqhfynnddngldkgtslldrkq",
        "cancel": "https://api.replicate.com/v1/predictions/ufawqhfynnddngldkgtslldrkq/cancel",
    },
}


def prediction(**changes: Any) -> Prediction:
    return Prediction.model_validate({**PREDICTION, **changes})


# -- the API grows ---------------------------------------------------------------------------


def test_unknown_prediction_status_parses_as_its_string() -> None:
    assert prediction(status="paused").status == "paused"


@pytest.mark.parametrize(
    ("model", "data", "field", "value"),
    [
        (Account, {"type": "team", "username": "acme"}, "type", "team"),
        (Model, {"owner": "acme", "name": "m", "visibility": "unlisted"}, "visibility", "unlisted"),
        (Training, {"id": "t1", "status": "queued", "source": "cli"}, "status", "queued"),
        (Prediction, {**PREDICTION, "source": "cli"}, "source", "cli"),
    ],
)
def test_unknown_enum_values_parse(model: Any, data: Dict[str, Any], field: str, value: str) -> None:
    assert getattr(model.model_validate(data), field) == value


def test_known_enum_values_still_parse_and_non_strings_are_rejected() -> None:
    assert prediction(status="succeeded").status == "succeeded"
    with pytest.raises(ValidationError):
        prediction(status=3)


def test_hidden_version_of_an_official_model_parses() -> None:
    assert prediction(version="hidden").version == "hidden"


def test_unknown_fields_are_kept_and_reachable_as_attributes() -> None:
    p = prediction(
        webhook_completed=None, queue_position=3, urls={**PREDICTION["urls"], "share": "https://x"}
    )
    assert p.queue_position == 3
    assert p.webhook_completed is None
    assert p.urls.share == "https://x"  # nested too
    assert p.model_extra == {"webhook_completed": None, "queue_position": 3}
    assert p.to_dict()["queue_position"] == 3
    assert json.loads(p.to_json())["urls"]["share"] == "https://x"


def test_unknown_metrics_of_language_models_are_kept() -> None:
    p = prediction(metrics={"predict_time": 1.5, "total_time": 2.0, "tokens_per_second": 41.2})
    assert p.metrics is not None
    assert (p.metrics.predict_time, p.metrics.total_time) == (1.5, 2.0)
    assert p.metrics.tokens_per_second == 41.2


def test_absent_optional_fields_are_none() -> None:
    p = prediction()
    assert (p.data_removed, p.started_at, p.completed_at, p.metrics, p.deployment, p.deadline) == (None,) * 6
    assert p.urls.stream is None and p.urls.web is None
    model = Model.model_validate({})
    assert model.owner is None and model.latest_version is None and model.default_example is None


def test_missing_required_fields_fail() -> None:
    data = dict(PREDICTION)
    del data["id"]
    with pytest.raises(ValidationError, match="id"):
        Prediction.model_validate(data)


# -- timestamps ------------------------------------------------------------------------------

UTC = timezone.utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # every shape seen in tests/recorded/ ("Z", 0 to 9 fractional digits) ...
        ("2024-04-18T17:21:55Z", datetime(2024, 4, 18, 17, 21, 55, tzinfo=UTC)),
        ("2024-04-22T11:15:01.04Z", datetime(2024, 4, 22, 11, 15, 1, 40000, tzinfo=UTC)),
        ("2024-08-22T12:26:51.079Z", datetime(2024, 8, 22, 12, 26, 51, 79000, tzinfo=UTC)),
        ("2023-11-16T11:46:16.0649Z", datetime(2023, 11, 16, 11, 46, 16, 64900, tzinfo=UTC)),
        ("2023-08-16T18:57:12.17042Z", datetime(2023, 8, 16, 18, 57, 12, 170420, tzinfo=UTC)),
        ("2023-08-16T18:57:12.170420Z", datetime(2023, 8, 16, 18, 57, 12, 170420, tzinfo=UTC)),
        ("2023-11-27T13:35:45.99397566Z", datetime(2023, 11, 27, 13, 35, 45, 993975, tzinfo=UTC)),
        ("2023-11-16T11:46:16.064900134Z", datetime(2023, 11, 16, 11, 46, 16, 64900, tzinfo=UTC)),
        # ... and the .NET style with an offset
        ("2024-02-21T12:54:18.5787610+00:00", datetime(2024, 2, 21, 12, 54, 18, 578761, tzinfo=UTC)),
        ("2024-02-21T13:54:18+01:00", datetime(2024, 2, 21, 12, 54, 18, tzinfo=UTC)),
    ],
)
def test_timestamps_parse_to_aware_datetimes(text: str, expected: datetime) -> None:
    parsed = prediction(created_at=text, started_at=text).created_at
    assert isinstance(parsed, datetime)
    assert parsed == expected
    assert parsed.utcoffset() is not None


def test_timestamps_of_every_type_are_datetimes() -> None:
    stamp = "2024-02-15T16:32:57.018467Z"
    deployment = types.Deployment.model_validate(
        {"owner": "acme", "name": "d", "current_release": {"number": 1, "created_at": stamp}}
    )
    assert deployment.current_release is not None
    assert deployment.current_release.created_at == datetime(2024, 2, 15, 16, 32, 57, 18467, tzinfo=UTC)
    training = Training.model_validate({"id": "t", "created_at": stamp, "completed_at": None})
    assert isinstance(training.created_at, datetime) and training.completed_at is None
    version = types.Version.model_validate({"id": "v", "created_at": stamp})
    assert isinstance(version.created_at, datetime)


def test_a_malformed_timestamp_fails() -> None:
    with pytest.raises(ValidationError):
        prediction(created_at="yesterday")


# -- to_dict / to_json -----------------------------------------------------------------------


def test_to_dict_holds_exactly_what_the_server_sent() -> None:
    p = prediction(metrics={"predict_time": 1.0})
    data = p.to_dict()
    assert set(data) == set(PREDICTION) | {"metrics"}
    assert data["metrics"] == {"predict_time": 1.0}
    assert data["created_at"] == datetime(2023, 11, 16, 11, 46, 16, 64900, tzinfo=UTC)
    assert Prediction.model_validate(data) == p


def test_to_dict_json_mode_and_unset_fields() -> None:
    p = prediction()
    data = p.to_dict(mode="json")
    assert data["created_at"] == "2023-11-16T11:46:16.064900Z"
    json.dumps(data)
    everything = p.to_dict(exclude_unset=False)
    assert everything["completed_at"] is None and everything["data_removed"] is None


def test_to_json_round_trips() -> None:
    p = prediction(status="succeeded", output=["https://replicate.delivery/x.png"], extra_field={"a": 1})
    text = p.to_json()
    assert text.startswith("{\n  ")  # indent=2
    assert Prediction.model_validate_json(text) == p
    assert json.loads(p.to_json(indent=0)) == json.loads(text)


def test_nested_models_round_trip() -> None:
    model = Model.model_validate(
        {
            "owner": "acme",
            "name": "m",
            "latest_version": {"id": "v1", "created_at": "2024-01-01T00:00:00Z", "openapi_schema": {}},
            "default_example": PREDICTION,
        }
    )
    assert isinstance(model.default_example, Prediction)
    assert isinstance(model.latest_version, types.Version)
    assert Model.model_validate_json(model.to_json()) == model


# -- nested models built on first read (BuiltOnAccess) ---------------------------------------


@pytest.mark.parametrize(
    "read", [Prediction.model_validate, lambda data: Prediction.model_validate_json(json.dumps(data))]
)
def test_urls_and_metrics_read_as_their_models_with_extras(read: Any) -> None:
    urls = {**PREDICTION["urls"], "stream": "https://stream.replicate.com/v1/files/x", "future": "u"}
    p = read({**PREDICTION, "urls": urls, "metrics": {"predict_time": 1.5, "input_token_count": 7}})
    assert isinstance(p.urls, types.PredictionURLs)
    assert p.urls is p.urls  # built once, then kept
    assert (p.urls.get, p.urls.stream, p.urls.web) == (urls["get"], urls["stream"], None)
    assert p.urls.future == "u"  # type: ignore[attr-defined]
    assert isinstance(p.metrics, types.PredictionMetrics)
    assert (p.metrics.predict_time, p.metrics.total_time) == (1.5, None)
    assert p.metrics.input_token_count == 7  # type: ignore[attr-defined]
    assert prediction(metrics=None).metrics is None
    assert prediction().metrics is None


@pytest.mark.parametrize(
    ("urls", "problem"),
    [({"cancel": "c"}, "urls.get"), ({"get": 1, "cancel": "c"}, "urls.get"), ("x", "urls")],
)
def test_a_malformed_nested_object_fails_with_its_parent(urls: Any, problem: str) -> None:
    for read in (Prediction.model_validate, lambda d: Prediction.model_validate_json(json.dumps(d))):
        with pytest.raises(ValidationError) as caught:
            read({**PREDICTION, "urls": urls})
        assert caught.value.errors()[0]["loc"][: len(problem.split("."))] == tuple(problem.split("."))


def test_nested_models_built_or_not_compare_and_dump_alike() -> None:
    read, unread = prediction(metrics={"predict_time": 2.0}), prediction(metrics={"predict_time": 2.0})
    _ = (read.urls, read.metrics)
    assert read == unread and unread == read
    assert read != prediction(urls={**PREDICTION["urls"], "get": "elsewhere"})
    assert (
        read.to_dict()
        == unread.to_dict()
        == {**PREDICTION, "metrics": {"predict_time": 2.0}, "created_at": read.created_at}
    )
    assert read.to_json() == unread.to_json()
    assert Prediction.model_validate_json(unread.to_json()) == read
    assert pickle.loads(pickle.dumps(unread)) == read
    assert copy.deepcopy(unread) == read
    assert unread.model_copy(update={"id": "other"}).urls == read.urls


def test_a_prediction_built_from_models_keeps_them() -> None:
    urls = types.PredictionURLs(get="g", cancel="c")
    p = Prediction(
        id="x", status="starting", version="v", input={}, created_at=datetime.now(timezone.utc), urls=urls
    )
    assert p.urls is urls
    p.urls = types.PredictionURLs(get="g2", cancel="c2")
    assert p.urls.get == "g2" and "urls" in p.model_fields_set


def test_base_model_is_public_and_the_root_of_every_type() -> None:
    for name in (
        "Prediction",
        "Model",
        "Version",
        "Deployment",
        "Training",
        "File",
        "Account",
        "SearchResponse",
    ):
        assert issubclass(getattr(types, name), BaseModel)
    assert "Prediction(id='ufawqhfynnddngldkgtslldrkq'" in repr(prediction())


# -- names -----------------------------------------------------------------------------------

ALIASES = {
    "AccountGetResponse": types.Account,
    "CollectionListResponse": types.CollectionSummary,
    "CollectionGetResponse": types.Collection,
    "DeploymentCreateResponse": types.Deployment,
    "DeploymentUpdateResponse": types.Deployment,
    "DeploymentListResponse": types.Deployment,
    "DeploymentGetResponse": types.Deployment,
    "ModelCreateResponse": types.Model,
    "ModelUpdateResponse": types.Model,
    "ModelListResponse": types.Model,
    "ModelGetResponse": types.Model,
    "ModelSearchResponse": types.Model,
    "FileCreateResponse": types.File,
    "FileListResponse": types.File,
    "FileGetResponse": types.File,
    "TrainingCreateResponse": types.Training,
    "TrainingListResponse": types.Training,
    "TrainingCancelResponse": types.Training,
    "TrainingGetResponse": types.Training,
}


@pytest.mark.parametrize("name", sorted(ALIASES))
def test_v2_names_are_the_concept_classes(name: str) -> None:
    assert getattr(types, name) is ALIASES[name]


def test_subpackage_names_are_the_concept_classes() -> None:
    assert replicate.types.models.VersionGetResponse is types.Version
    assert replicate.types.models.VersionListResponse is types.Version
    assert replicate.types.models.ReadmeGetResponse is str
    assert replicate.types.webhooks.default.SecretGetResponse is types.WebhookSecret
    assert replicate.types.webhooks.SecretGetResponse is types.WebhookSecret


def test_hardware_list_response_is_a_list_of_hardware() -> None:
    parsed = TypeAdapter(types.HardwareListResponse).validate_python([{"sku": "cpu", "name": "CPU"}])
    assert isinstance(parsed, list) and isinstance(parsed[0], types.Hardware)


API_SURFACE_TYPES = [
    "Prediction",
    "SearchResponse",
    "AccountGetResponse",
    "CollectionListResponse",
    "CollectionGetResponse",
    "DeploymentCreateResponse",
    "DeploymentUpdateResponse",
    "DeploymentListResponse",
    "DeploymentGetResponse",
    "HardwareListResponse",
    "ModelCreateResponse",
    "ModelUpdateResponse",
    "ModelListResponse",
    "ModelGetResponse",
    "ModelSearchResponse",
    "FileCreateResponse",
    "FileListResponse",
    "FileGetResponse",
    "TrainingCreateResponse",
    "TrainingListResponse",
    "TrainingCancelResponse",
    "TrainingGetResponse",
]


def test_every_name_of_the_api_surface_is_exported() -> None:
    for name in API_SURFACE_TYPES:
        assert name in types.__all__, name
    for name in types.__all__:
        assert getattr(types, name) is not None
    for module in (replicate.types.models, replicate.types.webhooks.default, replicate.types.deployments):
        for name in module.__all__:
            getattr(module, name)


def test_webhook_secret_parses() -> None:
    secret = replicate.types.webhooks.default.SecretGetResponse.model_validate({"key": "whsec_abc="})
    assert secret.key == "whsec_abc="


def test_search_response_parses_the_documented_shape() -> None:
    result = types.SearchResponse.model_validate(
        {
            "query": "upscale",
            "models": [
                {
                    "model": {"owner": "nightmareai", "name": "real-esrgan", "run_count": 5},
                    "metadata": {"score": 0.9, "tags": ["upscaling"], "generated_description": None},
                }
            ],
            "collections": [{"name": "Super resolution", "slug": "super-resolution", "description": "d"}],
            "pages": [{"name": "Upscaling", "href": "https://replicate.com/docs/upscaling"}],
        }
    )
    assert result.models[0].model.name == "real-esrgan"
    assert result.models[0].metadata.score == 0.9
    assert result.collections[0].models is None
    assert result.pages[0].href.endswith("/upscaling")


# -- import cost -----------------------------------------------------------------------------


def _run(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], check=True)


def test_import_replicate_loads_no_pydantic_and_no_types() -> None:
    _run(
        "import sys, replicate\n"
        "assert 'pydantic' not in sys.modules\n"
        "assert not [m for m in sys.modules if m.startswith('replicate.types')]\n"
        "assert 'replicate._base.models' not in sys.modules\n"
    )


def test_import_replicate_types_loads_no_client() -> None:
    _run(
        "import sys, replicate.types, replicate.types.models, replicate.types.webhooks.default\n"
        "assert 'replicate._client' not in sys.modules, 'the types imported the client'\n"
        "assert not [m for m in sys.modules if m.startswith('replicate.resources')]\n"
    )


def test_timestamp_offsets_are_kept() -> None:
    parsed = prediction(created_at="2024-02-21T13:54:18.5+01:00").created_at
    assert parsed.utcoffset() == timedelta(hours=1)
