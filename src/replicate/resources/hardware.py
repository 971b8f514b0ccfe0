"""`client.hardware`: the hardware SKUs models and deployments can run on."""

from __future__ import annotations

from typing_extensions import Unpack

from .._base.options import RequestOptions
from .._http.call import Call
from .._http.endpoint import E, Raw, Resource, Streamed, V, endpoint
from ..types import HardwareListResponse


class Hardware(Resource[E, V]):
    with_raw_response: Hardware[E, Raw]
    with_streaming_response: Hardware[E, Streamed]

    @endpoint
    def list(self, **options: Unpack[RequestOptions]) -> Call[HardwareListResponse]:
        """Every hardware SKU, e.g. `cpu`, `gpu-t4`: `GET /hardware`."""
        return Call("GET", "/hardware", HardwareListResponse, options=options)
