"""A file output's URL is chosen by model code: saving it never writes outside the directory
asked for, and use()'s downloads do not outlive their client or the process."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

import replicate
from replicate._running.file_output import PathOutput
from replicate.testing import Emulator

from .conftest import FileServer

# Names a hostile model can put at the end of an output URL (decoded, they are paths).
HOSTILE = ["..%2F..%2Fescaped.txt", "..%5C..%5Cescaped.txt", "%2E%2E", "..", "%00", "%C3%A9" * 300 + ".png"]


@pytest.fixture
def em() -> Emulator:
    return Emulator()


@pytest.mark.parametrize("name", HOSTILE)
def test_save_into_a_directory_stays_in_it(
    em: Emulator, file_server: FileServer, tmp_path: Path, name: str
) -> None:
    target = tmp_path / "a" / "b" / "out"
    target.mkdir(parents=True)

    @em.model("acme/hostile")
    def hostile() -> str:
        return f"{file_server.url}/files/{name}"

    with em.serve():
        output = em.client().run("acme/hostile", input={})
        assert isinstance(output, replicate.FileOutput)
        written = output.save(target)
    assert written.parent == target
    assert written.read_bytes() == b"payload"
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [written.name]


def test_a_name_too_long_for_the_file_system_is_cut_keeping_its_extension() -> None:
    name = replicate.FileOutput(
        f"http://files.example/{'%C3%A9' * 300}.png", replicate.Replicate(bearer_token="r8_x")
    ).filename
    assert name.endswith("\u00e9.png") and len(name.encode()) <= 200


def test_an_absolute_path_in_the_url_is_only_a_name(
    em: Emulator, file_server: FileServer, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    target = tmp_path / "out"
    target.mkdir()
    with em.serve():
        output = replicate.FileOutput(
            f"{file_server.url}/files/{quote(str(elsewhere), safe='')}", em.client()
        )
        assert output.filename == "elsewhere.txt"
        assert output.save(target) == target / "elsewhere.txt"
    assert not elsewhere.exists()


def test_a_path_output_downloads_inside_its_directory(
    em: Emulator, file_server: FileServer, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "abs.txt"
    with em.serve():
        client = em.client()
        for name in [*HOSTILE, quote(str(elsewhere), safe="")]:
            path = Path(os.fspath(PathOutput(f"{file_server.url}/{name}", client)))
            assert path.read_bytes() == b"payload"
            assert path.parent.parent.name.startswith("replicate-"), path
    assert not elsewhere.exists()
    assert not (tmp_path.parent / "escaped.txt").exists()


def test_closing_the_client_removes_its_downloads(em: Emulator, file_server: FileServer) -> None:
    with em.serve():
        client = em.client()
        paths = [Path(os.fspath(PathOutput(f"{file_server.url}/f{n}.txt", client))) for n in range(3)]
        assert all(path.exists() for path in paths)
        assert len({path.parent.parent for path in paths}) == 1, "one directory per client, not per file"
        client.close()
    assert not any(path.exists() for path in paths)
    assert not paths[0].parent.parent.exists()


def test_a_download_outlives_a_client_that_was_not_closed(em: Emulator, file_server: FileServer) -> None:
    def fetch() -> Path:
        return Path(os.fspath(PathOutput(f"{file_server.url}/kept.txt", em.client())))

    with em.serve():
        path = fetch()
    gc.collect()
    assert path.read_bytes() == b"payload", "the caller still holds the path: only close() or exit removes it"


def test_downloads_are_removed_when_the_process_ends(file_server: FileServer) -> None:
    script = (
        "import os, replicate\n"
        "from replicate._running.file_output import PathOutput\n"
        "client = replicate.Replicate(bearer_token='r8_x', base_url='http://127.0.0.1:9/v1')\n"
        f"print(os.fspath(PathOutput({file_server.url + '/kept.txt'!r}, client)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    path = Path(done.stdout.strip())
    assert path.name == "kept.txt"
    assert not path.exists() and not path.parent.parent.exists()
