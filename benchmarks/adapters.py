"""One shape for three clients: the call each scenario makes, in each client's own idiom.

    adapter = detect()          # whichever `replicate` this interpreter imports
    client = adapter.client(base)
    adapter.get(client, "abc")  # ours / v2: predictions.get(prediction_id=...); v1: predictions.get(id)

    Ours    this repository's `replicate` (it has `replicate.testing`, the emulator)
    V2      the published 2.0.0b4 (Stainless-generated; it has `replicate._base_client`)
    V1      the published 1.0.7 (`replicate.Client`, no `replicate.Replicate`)

Each method is the shortest code a user of that client would write; nothing here tunes a
client (default timeouts, limits and retries), so the figures are what users get.
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from typing import Any, Dict, Iterator

TOKEN = "r8_benchmark0000000000000000000000000000"


class Ours:
    name = "ours"

    def __init__(self) -> None:
        import replicate

        self.replicate = replicate
        self.version = replicate.__version__
        self._models: Dict[int, Any] = {}

    def client(self, base: str) -> Any:
        return self.replicate.Replicate(bearer_token=TOKEN, base_url=base + "/v1")

    def async_client(self, base: str) -> Any:
        return self.replicate.AsyncReplicate(bearer_token=TOKEN, base_url=base + "/v1")

    def aiohttp_client(self, base: str) -> Any:
        http_client = self.replicate.DefaultAioHttpClient()
        return self.replicate.AsyncReplicate(
            bearer_token=TOKEN, base_url=base + "/v1", http_client=http_client
        )

    def get(self, client: Any, pid: str) -> Any:
        return client.predictions.get(prediction_id=pid)

    async def async_get(self, client: Any, pid: str) -> Any:
        return await client.predictions.get(prediction_id=pid)

    def paginate(self, client: Any) -> Iterator[Any]:
        return iter(client.predictions.list())

    def get_url(self, prediction: Any) -> str:
        return prediction.urls.get

    def run(self, client: Any, ref: str, input: Dict[str, Any]) -> Any:
        return client.run(ref, input=input)

    async def async_run(self, client: Any, ref: str, input: Dict[str, Any]) -> Any:
        return await client.run(ref, input=input)

    def tokens(self, client: Any, ref: str, input: Dict[str, Any]) -> Iterator[str]:
        # use(..., streaming=True) fetches the schema once per function: keep the function.
        model = self._models.get(id(client))
        if model is None:
            model = self._models[id(client)] = client.use(ref, streaming=True)
        return iter(model(**input))

    def file_chunks(self, client: Any, ref: str) -> Iterator[bytes]:
        return iter(client.run(ref, input={}))


class V2(Ours):
    name = "v2 (replicate 2.0.0b4)"

    def __init__(self) -> None:
        super().__init__()
        self.version = self.replicate.__version__
        self.name = f"v2 (replicate {self.version})"

    def tokens(self, client: Any, ref: str, input: Dict[str, Any]) -> Iterator[str]:
        # 2.0.0b4's client.use()/stream() pass the client where a class is expected; the
        # module-level use() builds its own client from the environment.
        os.environ["REPLICATE_API_TOKEN"] = TOKEN
        os.environ["REPLICATE_BASE_URL"] = str(client.base_url).rstrip("/")
        model = self._models.get(id(client))
        if model is None:
            model = self._models[id(client)] = self.replicate.use(ref, streaming=True)
        return iter(model(**input))

    def file_chunks(self, client: Any, ref: str) -> Iterator[bytes]:
        # 2.0.0b4 makes FileOutputs of https: URLs only; the loopback server's is http:.
        from replicate.lib._files import FileOutput

        output = client.run(ref, input={})
        return iter(FileOutput(output, client) if isinstance(output, str) else output)


class V1:
    name = "v1 (replicate 1.0.7)"

    def __init__(self) -> None:
        import replicate
        from replicate.pagination import paginate

        self.replicate = replicate
        self._paginate = paginate
        try:
            from importlib.metadata import version

            self.version = version("replicate")
        except Exception:
            self.version = "1.x"
        self.name = f"v1 (replicate {self.version})"

    def client(self, base: str) -> Any:
        return self.replicate.Client(api_token=TOKEN, base_url=base)

    async_client = client  # one v1 client object has both sync and async_ methods

    def get(self, client: Any, pid: str) -> Any:
        return client.predictions.get(pid)

    async def async_get(self, client: Any, pid: str) -> Any:
        return await client.predictions.async_get(pid)

    def paginate(self, client: Any) -> Iterator[Any]:
        for page in self._paginate(client.predictions.list):
            yield from page.results

    def get_url(self, prediction: Any) -> str:
        return prediction.urls["get"]  # a dict in 1.0.7

    def run(self, client: Any, ref: str, input: Dict[str, Any]) -> Any:
        return client.run(ref, input=input)

    async def async_run(self, client: Any, ref: str, input: Dict[str, Any]) -> Any:
        return await client.async_run(ref, input=input)

    def tokens(self, client: Any, ref: str, input: Dict[str, Any]) -> Iterator[str]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for event in client.stream(ref, input=input):
                if getattr(event.event, "value", event.event) == "output":  # an Enum in 1.0.7
                    yield str(event)

    def file_chunks(self, client: Any, ref: str) -> Iterator[bytes]:
        # 1.0.7 makes FileOutputs of https: URLs only; the loopback server's is http:.
        from replicate.helpers import FileOutput

        output = client.run(ref, input={})
        return iter(FileOutput(output, client) if isinstance(output, str) else output)


def detect() -> Any:
    """The adapter for the `replicate` this interpreter imports."""
    # Not a private module: the layout moves (issue 14), and --python may point at an older one.
    if importlib.util.find_spec("replicate.testing") is not None:
        return Ours()
    if importlib.util.find_spec("replicate._base_client") is not None:
        return V2()
    return V1()
