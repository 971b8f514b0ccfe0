"""`client.hardware`: the hardware SKUs models and deployments can run on."""

from __future__ import annotations

from typing_extensions import Unpack

from .._call import Call
from .._resource import E, Raw, Resource, Streamed, V, endpoint
from .._types import RequestOptions
from ..types import HardwareListResponse

__all__ = ["Hardware"]


class Hardware(Resource[E, V]):
    with_raw_response: Hardware[E, Raw]
    with_streaming_response: Hardware[E, Streamed]

    @endpoint
    def list(self, **options: Unpack[RequestOptions]) -> Call[HardwareListResponse]:
        """Every hardware SKU, e.g. `cpu`, `gpu-t4`: `GET /hardware`."""
        return Call("GET", "/hardware", HardwareListResponse, options=options)
