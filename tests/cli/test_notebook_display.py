"""How outputs and predictions look in a notebook (`_repr_html_`, `_repr_png_`) and in a plain repr."""

from __future__ import annotations

import base64
import pickle
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from replicate import FileOutput, Replicate
from replicate._running.file_output import OutputList, PathOutput
from replicate.testing import Emulator
from replicate.types import Prediction

PNG = base64.b64encode(b"\x89PNG fake").decode()


@pytest.fixture
def client() -> Iterator[Replicate]:
    with Replicate(bearer_token="r8_test", base_url="http://127.0.0.1:9/v1") as replicate:
        yield replicate


def prediction(**fields: Any) -> Prediction:
    data: Dict[str, Any] = {
        "id": "abc123",
        "status": "processing",
        "version": "hidden",
        "model": "acme/painter",
        "input": {"prompt": "<b>cat</b>"},
        "created_at": "2026-01-01T00:00:00Z",
        "urls": {"get": "https://api/p/abc123", "cancel": "https://api/p/abc123/cancel"},
        "logs": "loading\n 45%|████▌     | 9/20 [00:01<00:02]\n",
    }
    return Prediction.model_validate({**data, **fields})


def test_image_audio_and_video_outputs_render_inline(client: Replicate) -> None:
    image = FileOutput("https://replicate.delivery/x/out-0.webp", client)
    assert image._repr_html_() == (
        '<img src="https://replicate.delivery/x/out-0.webp" style="max-width:100%" loading="lazy"/>'
    )
    assert (
        FileOutput("https://d/x/a.mp3", client)._repr_html_()
        == '<audio controls src="https://d/x/a.mp3"></audio>'
    )
    assert "<video controls" in (FileOutput("https://d/x/v.mp4", client)._repr_html_() or "")
    assert FileOutput("https://d/x/weights.tar", client)._repr_html_() is None  # falls back to the repr
    assert image._repr_png_() is None  # showing it never downloads it


def test_data_uri_images_give_their_bytes_and_urls_are_escaped(client: Replicate) -> None:
    inline = FileOutput(f"data:image/png;base64,{PNG}", client)
    assert inline._repr_png_() == b"\x89PNG fake" and inline._repr_jpeg_() is None
    assert (inline._repr_html_() or "").startswith('<img src="data:image/png;base64,')
    tricky = FileOutput('https://d/x/a.png?"><script>', client)
    assert "<script>" not in (tricky._repr_html_() or "")


def test_plain_reprs_stay_short(client: Replicate) -> None:
    long_url = "https://replicate.delivery/" + "x" * 200 + ".png"
    assert len(repr(FileOutput(long_url, client))) < 100
    shown = repr(prediction(output=["y" * 10_000], input={"prompt": "z" * 10_000}))
    assert shown.startswith("Prediction(id='abc123', model='acme/painter', status='processing', output=['yyy")
    assert shown.endswith("…)") and len(shown) < 200 and "zzz" not in shown
    assert "error='boom'" in repr(prediction(status="failed", error="boom"))


def test_a_prediction_shows_a_status_card_with_progress(client: Replicate) -> None:
    card = prediction()._repr_html_()
    assert "acme/painter" in card and "abc123" in card and "processing" in card
    assert '<progress value="45" max="100">' in card and "(9/20)" in card
    failed = prediction(status="failed", error="<oops>")._repr_html_()
    assert "&lt;oops&gt;" in failed and "<oops>" not in failed


def test_a_finished_prediction_previews_its_output(client: Replicate) -> None:
    images = prediction(status="succeeded", output=["https://d/a.png", "https://d/b.png"])._repr_html_()
    assert images.count("<img ") == 2
    text = prediction(status="succeeded", output=["Once", " upon"])._repr_html_()
    assert "<pre" in text and "Once upon" in text
    structured = prediction(status="succeeded", output={"n": 1})._repr_html_()
    assert "{&#x27;n&#x27;: 1}" in structured


def test_output_lists_are_plain_lists_that_render_as_a_gallery(client: Replicate) -> None:
    files = [FileOutput("https://d/a.png", client), FileOutput("https://d/b.mp3", client), "caption"]
    gallery = OutputList(files)
    assert gallery == files and isinstance(gallery, list) and repr(gallery) == repr(files)
    html = gallery._repr_html_() or ""
    assert html.count("<img ") == 1 and html.count("<audio ") == 1 and "&#x27;caption&#x27;" in html
    assert OutputList(["just", "text"])._repr_html_() is None
    assert pickle.loads(pickle.dumps(OutputList([1, 2]))) == [1, 2]
    assert type(gallery[:1]) is list  # slicing gives an ordinary list


def test_run_returns_an_output_list_only_when_the_list_holds_files() -> None:
    emulator = Emulator(wait_window=1)

    @emulator.model("acme/pair")
    def pair() -> list:  # pyright: ignore[reportUnusedFunction, reportMissingTypeArgument, reportUnknownParameterType]
        return [f"data:image/png;base64,{PNG}", f"data:image/png;base64,{PNG}"]

    @emulator.model("acme/words")
    def words() -> list:  # pyright: ignore[reportUnusedFunction, reportMissingTypeArgument, reportUnknownParameterType]
        return ["a", "b"]

    with emulator.serve() as base_url, Replicate(bearer_token=emulator.token, base_url=base_url) as replicate:
        images = replicate.run("acme/pair")
        assert isinstance(images, OutputList) and len(images) == 2
        assert (images._repr_html_() or "").count("<img ") == 2
        plain = replicate.run("acme/words")
        assert type(plain) is list and plain == ["a", "b"]


def test_use_outputs_display_as_run_outputs_do() -> None:
    emulator = Emulator(wait_window=1)

    @emulator.model("acme/pair")
    def pair() -> List[Path]:  # pyright: ignore[reportUnusedFunction]
        return [Path(emulator_files, "a.png"), Path(emulator_files, "b.png")]

    emulator_files = tempfile.mkdtemp()
    for name in ("a.png", "b.png"):
        Path(emulator_files, name).write_bytes(base64.b64decode(PNG))

    with emulator.serve() as base_url, Replicate(bearer_token=emulator.token, base_url=base_url) as replicate:
        image = replicate.use("replicate/image")(prompt="x")
        shown_by_run = replicate.run("replicate/image", input={"prompt": "x"})
        url = str(image)
        assert image._repr_html_() == FileOutput(url, replicate)._repr_html_()
        assert (shown_by_run._repr_html_() or "").startswith("<img ")
        assert (image._repr_html_() or "").startswith("<img ")
        gallery = replicate.use("acme/pair")()
        assert isinstance(gallery, list) and isinstance(gallery, OutputList)
        assert (gallery._repr_html_() or "").count("<img ") == 2
        assert not any(item.downloaded for item in gallery)  # displaying downloads nothing
    inline = PathOutput(f"data:image/png;base64,{PNG}", replicate)
    assert inline._repr_png_() == b"\x89PNG fake" and inline._repr_jpeg_() is None
