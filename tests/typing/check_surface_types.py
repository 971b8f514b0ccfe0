"""Type-checked (not run) by pyright in CI: the public call shapes infer the right types."""

from __future__ import annotations

from typing_extensions import assert_type

from replicate import AsyncReplicate, Replicate
from replicate._http.response import (
    APIResponse,
    AsyncAPIResponse,
    AsyncBinaryAPIResponse,
    AsyncStreamedBinaryAPIResponse,
    BinaryAPIResponse,
    StreamedBinaryAPIResponse,
)
from replicate.pagination import (
    AsyncCursorURLPage,
    AsyncPaginator,
    SyncCursorURLPage,
    SyncCursorURLPageWithCreatedFilters,
)
from replicate.types import Model, Prediction, SearchResponse
from replicate.types.models import VersionGetResponse


def sync_shapes(client: Replicate) -> None:
    assert_type(client.predictions.get(prediction_id="p"), Prediction)
    assert_type(client.predictions.wait(prediction_id="p"), Prediction)
    assert_type(client.predictions.list(), SyncCursorURLPageWithCreatedFilters[Prediction])
    assert_type(client.models.list(), SyncCursorURLPage[Model])
    assert_type(
        client.models.versions.get(model_owner="a", model_name="b", version_id="c"), VersionGetResponse
    )
    assert_type(client.models.readme.get(model_owner="a", model_name="b"), str)
    assert_type(client.models.delete(model_owner="a", model_name="b"), None)
    assert_type(client.search(query="x"), SearchResponse)
    assert_type(client.predictions.with_raw_response.get(prediction_id="p"), APIResponse[Prediction])
    assert_type(client.predictions.with_raw_response.get(prediction_id="p").parse(), Prediction)
    with client.models.with_streaming_response.get(model_owner="a", model_name="b") as response:
        assert_type(response.parse(), Model)
    assert_type(client.with_raw_response.search(query="x").parse(), SearchResponse)
    assert_type(client.files.download(file_id="f", expiry=1, owner="o", signature="s"), BinaryAPIResponse)
    assert_type(
        client.files.with_raw_response.download(file_id="f", expiry=1, owner="o", signature="s"),
        BinaryAPIResponse,
    )
    with client.files.with_streaming_response.download(
        file_id="f", expiry=1, owner="o", signature="s"
    ) as file:
        assert_type(file, StreamedBinaryAPIResponse)
        file.stream_to_file("out.bin", chunk_size=1024)
    for model in client.models.list():
        assert_type(model, Model)


async def async_shapes(client: AsyncReplicate) -> None:
    assert_type(await client.predictions.get(prediction_id="p"), Prediction)
    assert_type(await client.predictions.wait(prediction_id="p"), Prediction)
    assert_type(client.models.list(), AsyncPaginator[Model, AsyncCursorURLPage[Model]])
    assert_type(await client.models.list(), AsyncCursorURLPage[Model])
    async for model in client.models.list():
        assert_type(model, Model)
    response = await client.predictions.with_raw_response.get(prediction_id="p")
    assert_type(response, AsyncAPIResponse[Prediction])
    assert_type(await response.parse(), Prediction)
    async with client.models.versions.with_streaming_response.get(
        model_owner="a", model_name="b", version_id="c"
    ) as streamed:
        assert_type(await streamed.parse(), VersionGetResponse)
    download = await client.files.download(file_id="f", expiry=1, owner="o", signature="s")
    assert_type(download, AsyncBinaryAPIResponse)
    async with client.files.with_streaming_response.download(
        file_id="f", expiry=1, owner="o", signature="s"
    ) as file:
        assert_type(file, AsyncStreamedBinaryAPIResponse)
        await file.stream_to_file("out.bin")


def procedure_forms(client: Replicate) -> None:
    assert_type(client.predictions.with_raw_response.wait(prediction_id="p"), APIResponse[Prediction])
    with client.predictions.with_streaming_response.wait(prediction_id="p") as response:
        assert_type(response.parse(), Prediction)


async def async_procedure_forms(client: AsyncReplicate) -> None:
    response = await client.predictions.with_raw_response.wait(prediction_id="p")
    assert_type(await response.parse(), Prediction)
    async with client.predictions.with_streaming_response.wait(prediction_id="p") as streamed:
        assert_type(await streamed.parse(), Prediction)


def module_and_options() -> None:
    import replicate

    assert_type(replicate.search(query="x", limit=2), SearchResponse)
    assert_type(replicate.predictions.get(prediction_id="p", max_retries=0, timeout=5.0), Prediction)


def low_level(client: Replicate) -> None:
    # the API reference's snippets, and cast_to typing the result
    client.get("/custom/endpoint")
    client.post("/custom/endpoint", json={"key": "value"})
    client.request(
        method="PATCH", url="/custom/endpoint", json={"key": "value"}, headers={"X-Custom-Header": "value"}
    )
    assert_type(client.get("/account", cast_to=Model), Model)
    assert_type(client.post("/x", body={"a": 1}, options={"timeout": 3.0}, cast_to=str), str)


async def async_low_level(client: AsyncReplicate) -> None:
    await client.post("/custom/endpoint", json={"key": "value"}, params={"a": 1})
    assert_type(await client.get("/account", cast_to=Model), Model)
