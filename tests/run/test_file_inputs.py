"""Files in a model's input: uploaded (or inlined) once each, checked before any request."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest

from replicate._running.file_input import INLINE_LIMIT, find_files
from replicate.testing import Emulator


def run_inputs(em: Emulator, **options: object) -> dict:
    return em.client().run("acme/inputs", use_file_output=False, **options)  # type: ignore[arg-type]


def test_paths_files_bytes_and_io_objects_are_uploaded_and_replaced_by_urls(
    em: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / "photo.png"
    path.write_bytes(b"P" * 100)
    with open(path, "rb") as opened:
        out = run_inputs(
            em,
            input={"path": path, "file": opened, "raw": b"R" * 10, "io": io.BytesIO(b"I" * 10), "n": 3},
            file_encoding_strategy="url",
        )
    assert out["n"] == 3
    for key in ("path", "file", "raw", "io"):
        assert out[key].startswith(em.base_url + "/files/"), key
    assert len(em.seen("POST", "/v1/files")) == 4
    bodies = b"|".join(r.body for r in em.seen("POST", "/v1/files"))
    assert b"P" * 100 in bodies and b"R" * 10 in bodies and b"I" * 10 in bodies


def test_the_same_file_is_uploaded_once_per_call(em: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"x" * 10)
    data = b"y" * 10
    out = run_inputs(
        em,
        input={"a": path, "b": [Path(str(path)), {"c": path}], "d": data, "e": data},
        file_encoding_strategy="url",
    )
    assert len(em.seen("POST", "/v1/files")) == 2
    assert out["a"] == out["b"][0] == out["b"][1]["c"]
    assert out["d"] == out["e"]


def test_small_files_are_inlined_as_data_uris_by_default(em: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes(b"hello")
    big = tmp_path / "big.bin"
    big.write_bytes(b"z" * (INLINE_LIMIT + 1))
    out = run_inputs(em, input={"small": path, "big": big})
    assert out["small"] == "data:text/plain;base64," + base64.b64encode(b"hello").decode()
    assert out["big"].startswith("http://")
    assert len(em.seen("POST", "/v1/files")) == 1


def test_base64_strategy_inlines_every_file(em: Emulator, tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"z" * (INLINE_LIMIT + 1))
    out = run_inputs(em, input={"big": big}, file_encoding_strategy="base64")
    assert out["big"].startswith("data:application/octet-stream;base64,")
    assert em.seen("POST", "/v1/files") == []


def test_a_file_output_passed_as_input_is_sent_as_its_url(em: Emulator) -> None:
    client = em.client()
    image = client.run("acme/image", input={})
    out = client.run("acme/inputs", input={"image": image}, use_file_output=False)
    assert out["image"] == image.url


def test_a_missing_path_is_a_clear_error_before_any_request(em: Emulator, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"input\['images'\]\[1\].*nope.png.*does not exist"):
        em.client().run("acme/inputs", input={"images": [b"ok", tmp_path / "nope.png"]})
    assert em.requests == []


def test_text_mode_files_and_unknown_strategies_are_refused_up_front(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("text")
    with open(path) as text, pytest.raises(TypeError, match="binary mode"):
        find_files({"f": text}, None)
    with pytest.raises(ValueError, match="file_encoding_strategy"):
        find_files({}, "zip")
