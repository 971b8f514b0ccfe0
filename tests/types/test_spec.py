"""The types against tests/spec/openapi.yaml: every property of every response schema is a
field, spec-required fields are required unless real responses omit them (listed below), and
every operation's parameters (path, query, body, and the Prefer/Cancel-After headers) are the
keys of its `<Resource><Method>Params` TypedDict, required where the spec requires them."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Set, Tuple

import pytest
import yaml

import replicate.types as types
import replicate.types.deployments
import replicate.types.models

SPEC: Dict[str, Any] = yaml.safe_load(
    (Path(__file__).resolve().parent.parent / "spec" / "openapi.yaml").read_text(encoding="utf-8")
)


def resolve(schema: Dict[str, Any]) -> Dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        section = "parameters" if "/parameters/" in schema["$ref"] else "schemas"
        schema = SPEC["components"][section][name]
    return schema


def operation(operation_id: str) -> Dict[str, Any]:
    for path_item in SPEC["paths"].values():
        for op in path_item.values():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                return op
    raise LookupError(operation_id)


def response_schema(operation_id: str) -> Dict[str, Any]:
    for code in ("200", "201"):
        response = operation(operation_id)["responses"].get(code)
        if response:
            return resolve(response["content"]["application/json"]["schema"])
    raise LookupError(operation_id)


def component(name: str) -> Dict[str, Any]:
    return SPEC["components"]["schemas"][name]


def prop(schema: Dict[str, Any], *names: str) -> Dict[str, Any]:
    for name in names:
        schema = resolve(schema)
        schema = schema["items"] if schema.get("type") == "array" else schema
        schema = resolve(schema["properties"][name])
    return schema["items"] if schema.get("type") == "array" else schema


# Spec-required fields that real responses omit (see tests/recorded/), so they are optional.
LENIENT: Set[Tuple[str, str]] = {
    ("Prediction", "model"),
    ("Prediction", "output"),
    ("Prediction", "data_removed"),
    ("Prediction", "error"),  # nullable: absent and null both read as None
    ("PredictionURLs", "web"),
}

STAMP = "2024-02-15T16:32:57.018467Z"
EVERYTHING_REQUIRED: Dict[str, Dict[str, Any]] = {
    "Prediction": {
        "id": "p",
        "status": "starting",
        "version": "v",
        "input": {},
        "created_at": STAMP,
        "urls": {"get": "g", "cancel": "c"},
    },
    "File": {
        "id": "f",
        "content_type": "text/plain",
        "size": 0,
        "checksums": {},
        "metadata": {},
        "urls": {},
        "created_at": STAMP,
        "expires_at": STAMP,
    },
}

SHAPES = [
    (types.Account, response_schema("account.get")),
    (types.Prediction, component("schemas_prediction_response")),
    (types.PredictionURLs, prop(component("schemas_prediction_response"), "urls")),
    (types.PredictionMetrics, prop(component("schemas_prediction_response"), "metrics")),
    (types.Model, component("schemas_model_response")),
    (types.Version, component("schemas_version_response")),
    (types.CollectionSummary, component("schemas_collection_list_item")),
    (types.Collection, component("schemas_collection_response")),
    (types.Deployment, component("schemas_deployment_response")),
    (types.DeploymentRelease, prop(component("schemas_deployment_response"), "current_release")),
    (
        types.DeploymentConfiguration,
        prop(component("schemas_deployment_response"), "current_release", "configuration"),
    ),
    (types.Account, prop(component("schemas_deployment_response"), "current_release", "created_by")),
    (types.File, component("schemas_file_response")),
    (types.FileChecksums, prop(component("schemas_file_response"), "checksums")),
    (types.FileURLs, prop(component("schemas_file_response"), "urls")),
    (types.Training, component("schemas_training_response")),
    (types.TrainingURLs, prop(component("schemas_training_response"), "urls")),
    (types.TrainingMetrics, prop(component("schemas_training_response"), "metrics")),
    (types.TrainingOutput, prop(component("schemas_training_response"), "output")),
    (types.Hardware, response_schema("hardware.list")["items"]),
    (types.SearchResponse, component("schemas_search_response")),
    (types.SearchModelResult, prop(component("schemas_search_response"), "models")),
    (types.SearchModelMetadata, component("schemas_search_model_metadata_response")),
    (types.SearchCollection, component("schemas_search_collection_response")),
    (types.SearchPage, component("schemas_page_response")),
    (types.WebhookSecret, response_schema("webhooks.default.secret.get")),
]


@pytest.mark.parametrize(
    ("model", "schema"), SHAPES, ids=[f"{m.__name__}-{i}" for i, (m, _) in enumerate(SHAPES)]
)
def test_every_spec_property_is_a_field(model: Any, schema: Dict[str, Any]) -> None:
    fields = model.model_fields
    assert set(schema["properties"]) <= set(fields)
    for name in schema.get("required", []):
        if (model.__name__, name) not in LENIENT:
            assert fields[name].is_required(), f"{model.__name__}.{name} is required by the spec"
    for name, field in fields.items():
        if field.is_required():
            assert name in schema.get("required", []), (
                f"{model.__name__}.{name} is required but the spec says not"
            )


def test_date_time_properties_are_datetimes() -> None:
    checked = 0
    for model, schema in SHAPES:
        for name, spec_property in schema["properties"].items():
            if spec_property.get("format") == "date-time":
                parsed = model.model_validate({**EVERYTHING_REQUIRED.get(model.__name__, {}), name: STAMP})
                assert getattr(parsed, name) == datetime(2024, 2, 15, 16, 32, 57, 18467, tzinfo=timezone.utc)
                checked += 1
    assert checked == 11


def test_the_response_types_match_the_operations() -> None:
    assert response_schema("predictions.get") is component("schemas_prediction_response")
    assert response_schema("models.get") is component("schemas_model_response")
    assert response_schema("models.versions.get") is component("schemas_version_response")
    assert response_schema("trainings.get") is component("schemas_training_response")
    assert response_schema("files.get") is component("schemas_file_response")
    assert response_schema("deployments.get") is component("schemas_deployment_response")
    assert response_schema("collections.get") is component("schemas_collection_response")
    assert response_schema("search") is component("schemas_search_response")


# -- request parameters ----------------------------------------------------------------------

PARAMS: Dict[str, Any] = {
    "search": types.SearchParams,
    "deployments.create": types.DeploymentCreateParams,
    "deployments.update": types.DeploymentUpdateParams,
    "deployments.predictions.create": replicate.types.deployments.PredictionCreateParams,
    "models.create": types.ModelCreateParams,
    "models.update": types.ModelUpdateParams,
    "models.list": types.ModelListParams,
    "models.predictions.create": replicate.types.models.PredictionCreateParams,
    "predictions.create": types.PredictionCreateParams,
    "predictions.list": types.PredictionListParams,
    "trainings.create": types.TrainingCreateParams,
    "files.create": types.FileCreateParams,
    "files.download": types.FileDownloadParams,
}


def spec_parameters(operation_id: str) -> Tuple[Set[str], Set[str]]:
    """(every parameter, the required ones) of an operation, as Python names."""
    op = operation(operation_id)
    names: Set[str] = set()
    required: Set[str] = set()
    for parameter in op.get("parameters", []):
        parameter = resolve(parameter)
        name = parameter["name"].lower().replace("-", "_")  # Prefer, Cancel-After
        names.add(name)
        if parameter.get("required"):
            required.add(name)
    for content in op.get("requestBody", {}).get("content", {}).values():
        body = resolve(content["schema"])
        names |= set(body["properties"])
        required |= set(body.get("required", []))
    return names, required


def operations_with_parameters() -> List[str]:
    return sorted(
        op["operationId"]
        for path_item in SPEC["paths"].values()
        for op in path_item.values()
        if isinstance(op, dict) and (op.get("requestBody") or not path_only(op))
    )


def path_only(op: Dict[str, Any]) -> bool:
    """An operation whose parameters only fill in its path: it has no Params TypedDict."""
    return all(resolve(p).get("in") == "path" for p in op.get("parameters") or [])


def test_every_operation_with_parameters_has_a_params_type() -> None:
    assert operations_with_parameters() == sorted(PARAMS)


@pytest.mark.parametrize("operation_id", sorted(PARAMS))
def test_params_keys_are_the_operation_parameters(operation_id: str) -> None:
    params = PARAMS[operation_id]
    names, required = spec_parameters(operation_id)
    assert set(params.__annotations__) == names
    assert set(params.__required_keys__) == required
    assert set(params.__optional_keys__) == names - required


def test_model_search_params_carry_the_query_text_as_body() -> None:
    # `QUERY /models` is not in the spec; its body is the search text.
    assert types.ModelSearchParams.__required_keys__ == frozenset({"body"})


def test_params_are_plain_dicts_at_run_time() -> None:
    params: types.PredictionCreateParams = {"version": "v", "input": {"text": "Alice"}, "prefer": "wait=5"}
    assert params == {"version": "v", "input": {"text": "Alice"}, "prefer": "wait=5"}
