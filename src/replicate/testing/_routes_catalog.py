"""The catalog routes: models and versions, files, collections, search, account, hardware.

Search (`QUERY /models`) takes its text as the raw body, or as a JSON string: the v2 SDK sends
`"text"` as application/json and the JS client as text/plain. A file upload is multipart; its
metadata is a JSON part (`metadata`) or form fields (`metadata[key]=value`, as the v2 SDK sends);
a part the emulator does not know is refused with a 400 rather than dropped.
"""

from __future__ import annotations

import email.parser
import email.policy
import hmac
import json
import time
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple, cast

from ._emulator import ACCOUNT, HARDWARE
from ._http import BaseHandler, Problem, Reply
from ._records import FileRecord, ModelRecord, new_id

if TYPE_CHECKING:
    from ._emulator import Emulator

__all__ = ["CatalogRoutes"]


class CatalogRoutes(BaseHandler):
    # -- models ------------------------------------------------------------------------------------------

    def models_list(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        models = [
            m.to_json() for m in reversed(list(self.emulator.models.values())) if m.visibility == "public"
        ]
        return self._page(models, query, "/models")

    def models_search(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        text = body.decode(errors="replace").strip()
        try:
            quoted = json.loads(text)
        except ValueError:
            quoted = None
        text = (quoted if isinstance(quoted, str) else text).strip().lower()
        found = [
            m.to_json()
            for m in self.emulator.models.values()
            if text in f"{m.full_name} {m.description}".lower()
        ]
        return self._page(found, query, "/models")

    def models_create(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        data = self._json_body(body)
        missing = [k for k in ("owner", "name", "visibility", "hardware") if not data.get(k)]
        if missing:
            raise Problem(422, f"Missing required fields: {', '.join(missing)}")
        name = f"{data['owner']}/{data['name']}"
        if name in self.emulator.models:
            raise Problem(409, f"Model {name} already exists")
        fields = {
            k: data[k]
            for k in ("description", "github_url", "paper_url", "license_url", "cover_image_url")
            if k in data
        }
        model = ModelRecord(
            data["owner"], data["name"], visibility=data["visibility"], hardware=data["hardware"], **fields
        )
        self.emulator.models[name] = model
        return 201, model.to_json()

    def model_get(self, query: Dict[str, List[str]], body: bytes, owner: str, name: str) -> Reply:
        return 200, self._model(owner, name).to_json()

    def model_update(self, query: Dict[str, List[str]], body: bytes, owner: str, name: str) -> Reply:
        model = self._model(owner, name)
        for key, value in self._json_body(body).items():
            if key in ("description", "github_url", "paper_url", "license_url", "readme", "weights_url"):
                setattr(model, key, value)
        return 200, model.to_json()

    def model_delete(self, query: Dict[str, List[str]], body: bytes, owner: str, name: str) -> Reply:
        model = self._model(owner, name)
        if model.versions:
            raise Problem(400, "A model with versions cannot be deleted: delete its versions first")
        del self.emulator.models[model.full_name]
        return 204, None

    def model_examples(self, query: Dict[str, List[str]], body: bytes, owner: str, name: str) -> Reply:
        model = self._model(owner, name)
        examples = [
            p.to_json()
            for p in self.emulator.predictions.values()
            if p.model == model.full_name and p.status == "succeeded"
        ]
        return self._page(examples[:3], query, f"/models/{owner}/{name}/examples")

    def model_readme(self, query: Dict[str, List[str]], body: bytes, owner: str, name: str) -> Reply:
        model = self._model(owner, name)
        if model.readme is None:
            raise Problem(404, f"Model {owner}/{name} has no README")
        return 200, model.readme

    def versions_list(self, query: Dict[str, List[str]], body: bytes, owner: str, name: str) -> Reply:
        versions = [v.to_json() for v in reversed(self._model(owner, name).versions)]
        return self._page(versions, query, f"/models/{owner}/{name}/versions")

    def version_get(
        self, query: Dict[str, List[str]], body: bytes, owner: str, name: str, version_id: str
    ) -> Reply:
        return 200, self._version(owner, name, version_id).to_json()

    def version_delete(
        self, query: Dict[str, List[str]], body: bytes, owner: str, name: str, version_id: str
    ) -> Reply:
        model = self._model(owner, name)
        model.versions.remove(self._version(owner, name, version_id))
        return 202, None

    # -- files ----------------------------------------------------------------------------------------

    def files_create(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        kind = self.headers.get("Content-Type", "")
        if not kind.startswith("multipart/form-data"):
            raise Problem(400, "Upload files as multipart/form-data")
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {kind}\r\n\r\n".encode() + body
        )
        if not message.is_multipart():
            raise Problem(400, "The multipart body could not be read: check its boundary")
        fields: Dict[str, Tuple[Optional[str], bytes, str]] = {}
        metadata: Dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            value = payload if isinstance(payload, bytes) else b""
            if not isinstance(name, str):
                raise Problem(
                    400, "Every multipart part needs a name (Content-Disposition: form-data; name=...)"
                )
            if name.startswith("metadata["):
                _set_field(metadata, name, value.decode(errors="replace"))
            elif name in ("content", "filename", "type", "metadata"):
                fields[name] = (part.get_filename(), value, part.get_content_type())
            else:
                raise Problem(
                    400, f"Unknown part {name!r}: send content, filename, type, and metadata or metadata[key]"
                )
        if "content" not in fields:
            raise Problem(422, "The content field (the file) is required")
        filename, content, content_type = fields["content"]
        name = fields["filename"][1].decode() if "filename" in fields else (filename or "file")
        content_type = fields["type"][1].decode() if "type" in fields else content_type
        if "metadata" in fields:
            try:
                whole = json.loads(fields["metadata"][1] or b"{}")
            except ValueError:
                whole = None
            if not isinstance(whole, dict):
                raise Problem(400, "The metadata part must be a JSON object")
            metadata = {**whole, **metadata}
        if len(name.encode()) > 255:
            raise Problem(422, "filename must be at most 255 bytes")
        record = FileRecord(new_id(), name, content, content_type, metadata, self.emulator.base_url)
        self.emulator.files[record.id] = record
        return 201, record.to_json()

    def files_list(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        return self._page(
            [f.to_json() for f in reversed(list(self.emulator.files.values()))], query, "/files"
        )

    def _file(self, file_id: str) -> FileRecord:
        found = self.emulator.files.get(file_id)
        if found is None:
            raise Problem(404, "File not found")
        return found

    def file_get(self, query: Dict[str, List[str]], body: bytes, file_id: str) -> Reply:
        return 200, self._file(file_id).to_json()

    def file_delete(self, query: Dict[str, List[str]], body: bytes, file_id: str) -> Reply:
        del self.emulator.files[self._file(file_id).id]
        return 204, None

    def _download(self, file_id: str, query: Dict[str, List[str]]) -> Reply:
        em = self.emulator
        owner = (query.get("owner") or [""])[0]
        expiry = (query.get("expiry") or ["0"])[0]
        signature = (query.get("signature") or [""])[0]
        valid = expiry.isdigit() and hmac.compare_digest(
            em.sign_download(file_id, int(expiry), owner), signature
        )
        if not valid or int(expiry) < time.time():
            raise Problem(404, "File not found (the download link is invalid or has expired)")
        record = self._file(file_id)
        self._send(200, record.content, extra={"Content-Type": "application/octet-stream"})
        return -1, None

    # -- everything else --------------------------------------------------------------------------------

    def account_get(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        return 200, ACCOUNT

    def hardware_list(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        return 200, HARDWARE

    def collections_list(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        return self._page([_collection(self.emulator, False)], query, "/collections")

    def collection_get(self, query: Dict[str, List[str]], body: bytes, slug: str) -> Reply:
        if slug != "emulator-models":
            raise Problem(404, f"Collection {slug} not found")
        return 200, _collection(self.emulator, True)

    def search(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        text = (query.get("query") or [""])[0].lower()
        if not text:
            raise Problem(400, "query is required")
        limit = (query.get("limit") or ["20"])[0]
        if not limit.isdigit() or not 1 <= int(limit) <= 50:
            raise Problem(400, f"limit must be a whole number from 1 to 50, got {limit!r}")
        found = [
            m for m in self.emulator.models.values() if text in f"{m.full_name} {m.description}".lower()
        ][: int(limit)]
        result: Dict[str, Any] = {
            "query": text,
            "models": [
                {
                    "model": m.to_json(),
                    "metadata": {"score": 1.0, "tags": [], "generated_description": m.description},
                }
                for m in found
            ],
            "collections": [],
            "pages": [],
        }
        return 200, result

    def webhook_secret(self, query: Dict[str, List[str]], body: bytes) -> Reply:
        return 200, {"key": self.emulator.webhook_secret}


def _collection(emulator: Emulator, with_models: bool) -> Dict[str, Any]:
    body: Dict[str, Any] = {
        "name": "Emulator models",
        "slug": "emulator-models",
        "description": "Every model registered with this emulator.",
    }
    if with_models:
        body["full_description"] = None
        body["models"] = [m.to_json() for m in emulator.models.values()]
    return body


def _set_field(target: Dict[str, Any], name: str, value: str) -> None:
    """Put a form field named like `metadata[a][b]` (or `metadata[tags][]`) into `target`."""
    keys = name[len("metadata[") : -1].split("][") if name.endswith("]") else []
    if not keys or any(not key for key in keys[:-1]):
        raise Problem(400, f"Cannot read the metadata field {name!r}: use metadata[key]=value")
    for key in keys[:-2] if keys[-1] == "" else keys[:-1]:
        nested = target.setdefault(key, {})
        if not isinstance(nested, dict):
            raise Problem(400, f"The metadata field {name!r} conflicts with another")
        target = cast("Dict[str, Any]", nested)
    if keys[-1] == "":
        listed = target.setdefault(keys[-2], [])
        if not isinstance(listed, list):
            raise Problem(400, f"The metadata field {name!r} conflicts with another")
        cast("List[Any]", listed).append(value)
    else:
        target[keys[-1]] = value
