"""The emulator's servers: every API route, the file host and the stream host.

Routes mirror Replicate's OpenAPI spec under `/v1`; the file host serves model outputs and the
stream host predictions' event streams (`/v1/streams/{id}`, reached by that URL alone).

    _http.py                 what every request goes through (auth, faults, limits, answers)
    _routes_catalog.py       models, versions, files, collections, search, account, hardware
    _routes_predictions.py   predictions, event streams, trainings, deployments
"""

from __future__ import annotations

import re
import socket
import sys
from http.server import ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Callable, List, Tuple

from ._http import Reply
from ._routes_catalog import CatalogRoutes
from ._routes_predictions import PredictionRoutes

if TYPE_CHECKING:
    from ._emulator import Emulator

__all__ = ["make_server"]


class _Server(ThreadingHTTPServer):
    # Hundreds of concurrent clients (soak tests) must queue, not be refused.
    request_queue_size = 512
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up (a timeout, Ctrl-C, a closed stream) is no error worth a traceback.
        if isinstance(sys.exc_info()[1], (ConnectionError, socket.timeout)):
            return
        super().handle_error(request, client_address)


class _Handler(CatalogRoutes, PredictionRoutes):
    pass


def make_server(emulator: Emulator, port: int, role: str) -> ThreadingHTTPServer:
    """The server for one host of the emulator: `role` is "api", "files" or "streams"."""
    handler = type(f"{role.title()}Handler", (_Handler,), {"emulator": emulator, "role": role})
    return _Server(("127.0.0.1", port), handler)


_S = r"([^/]+)"
_ROUTE_TABLE: List[Tuple[str, str, Callable[..., Reply]]] = [
    ("/account", "GET", _Handler.account_get),
    ("/collections", "GET", _Handler.collections_list),
    (f"/collections/{_S}", "GET", _Handler.collection_get),
    ("/deployments", "GET", _Handler.deployments_list),
    ("/deployments", "POST", _Handler.deployments_create),
    (f"/deployments/{_S}/{_S}", "GET", _Handler.deployment_get),
    (f"/deployments/{_S}/{_S}", "PATCH", _Handler.deployment_update),
    (f"/deployments/{_S}/{_S}", "DELETE", _Handler.deployment_delete),
    (f"/deployments/{_S}/{_S}/predictions", "POST", _Handler.deployment_predictions_create),
    ("/files", "GET", _Handler.files_list),
    ("/files", "POST", _Handler.files_create),
    (f"/files/{_S}", "GET", _Handler.file_get),
    (f"/files/{_S}", "DELETE", _Handler.file_delete),
    ("/hardware", "GET", _Handler.hardware_list),
    ("/models", "GET", _Handler.models_list),
    ("/models", "POST", _Handler.models_create),
    ("/models", "QUERY", _Handler.models_search),
    (f"/models/{_S}/{_S}", "GET", _Handler.model_get),
    (f"/models/{_S}/{_S}", "PATCH", _Handler.model_update),
    (f"/models/{_S}/{_S}", "DELETE", _Handler.model_delete),
    (f"/models/{_S}/{_S}/examples", "GET", _Handler.model_examples),
    (f"/models/{_S}/{_S}/predictions", "POST", _Handler.model_predictions_create),
    (f"/models/{_S}/{_S}/readme", "GET", _Handler.model_readme),
    (f"/models/{_S}/{_S}/versions", "GET", _Handler.versions_list),
    (f"/models/{_S}/{_S}/versions/{_S}", "GET", _Handler.version_get),
    (f"/models/{_S}/{_S}/versions/{_S}", "DELETE", _Handler.version_delete),
    (f"/models/{_S}/{_S}/versions/{_S}/trainings", "POST", _Handler.trainings_create),
    ("/predictions", "GET", _Handler.predictions_list),
    ("/predictions", "POST", _Handler.predictions_create),
    (f"/predictions/{_S}", "GET", _Handler.prediction_get),
    (f"/predictions/{_S}/cancel", "POST", _Handler.prediction_cancel),
    ("/search", "GET", _Handler.search),
    ("/trainings", "GET", _Handler.trainings_list),
    (f"/trainings/{_S}", "GET", _Handler.training_get),
    (f"/trainings/{_S}/cancel", "POST", _Handler.training_cancel),
    ("/webhooks/default/secret", "GET", _Handler.webhook_secret),
]
_Handler.routes = [(re.compile(f"^{pattern}$"), verb, handler) for pattern, verb, handler in _ROUTE_TABLE]
