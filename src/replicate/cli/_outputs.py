"""A model's output, on stdout and on disk: text printed, files saved under sensible names.

    "hello world"                      printed
    FileOutput(.../out-0.webp)         saved as DIR/out-0.webp, that path printed
    FileOutput(data:image/png;...)     saved as DIR/output.png (the name from the media type)
    [file, file]                       each saved (output.png, output-1.png if names collide)
    a language model's tokens          joined, printed (join_text=True: an iterator model)
    {"image": file, "caption": "..."}  files saved; printed as JSON with their paths

A file never overwrites an existing one: the name takes a `-1`, `-2`, ... suffix instead.
A file that cannot be saved (a full disk, say) is printed as its URL instead, and the reason
goes to stderr: the output of a finished prediction is never lost.
"""

from __future__ import annotations

import json
import mimetypes
import os
import posixpath
import sys
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, TextIO, cast
from urllib.parse import unquote, urlsplit

from .._running.file_output import FileOutput

__all__ = ["check_directory", "choose_filename", "print_output", "save_file"]

_EXTENSIONS = {"image/jpeg": ".jpg", "audio/mpeg": ".mp3", "text/plain": ".txt", "image/webp": ".webp"}


def _extension(content_type: Optional[str]) -> str:
    if not content_type:
        return ""
    media_type = content_type.split(";")[0].strip().lower()
    return _EXTENSIONS.get(media_type) or mimetypes.guess_extension(media_type) or ""


def choose_filename(url: str, content_type: Optional[str], exists: Callable[[str], bool]) -> str:
    """A safe, unused file name for the file at `url`: its last path segment (data: URIs and
    bare paths give `output`), an extension from `content_type` if it has none, and a `-N`
    suffix while `exists(name)`."""
    # decoded after taking the last segment, so an encoded "/" (%2F) is replaced, never followed
    name = "" if url.startswith("data:") else unquote(posixpath.basename(urlsplit(url).path))
    for separator in ("/", "\\", "\x00"):
        name = name.replace(separator, "_")
    name = name.lstrip(".").strip()
    if not name:
        name = "output"
    stem, suffix = os.path.splitext(name)
    if not suffix:
        suffix = _extension(content_type)
    stem = stem[:120]
    candidate, n = stem + suffix, 0
    while exists(candidate):
        n += 1
        candidate = f"{stem}-{n}{suffix}"
    return candidate


def save_file(file: FileOutput, directory: Path, taken: Optional[List[str]] = None) -> Path:
    """Download `file` into `directory` under `choose_filename`; returns the path written.

    The name is chosen after the first chunk arrives, when the response's content type is known.
    """
    directory.mkdir(parents=True, exist_ok=True)
    chunks = file.iter_bytes()
    try:
        first = next(chunks, b"")
        names = taken if taken is not None else []
        name = choose_filename(file.url, file.content_type, lambda n: n in names or (directory / n).exists())
        names.append(name)
        target = directory / name
        with open(target, "xb") as out:
            out.write(first)
            for chunk in chunks:
                out.write(chunk)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return target


def check_directory(directory: Path) -> None:
    """Raise OSError unless files can be saved in `directory` (created if missing)."""
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(f"--output-dir {directory} is not a directory")
    existing = directory
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(f"--output-dir {directory}: cannot write in {existing}")


def print_output(output: Any, directory: Path, out: TextIO, *, join_text: bool = False) -> bool:
    """Print `output` as `run()` returned it; files are saved first and their paths printed.
    False if a file could not be saved (its URL is printed instead, the reason on stderr).

    `join_text`: the output is an iterator model's (a list or iterator of pieces); if they are
    all strings, they are printed as one text.
    """
    taken: List[str] = []
    failures: List[str] = []

    def saved(value: Any) -> Any:
        if isinstance(value, FileOutput):
            try:
                return str(save_file(value, directory, taken))
            except OSError as error:
                failures.append(value.url)
                print(f"replicate: could not save {value.url}: {error}", file=sys.stderr)
                return value.url
        if isinstance(value, list):
            return [saved(item) for item in cast("List[Any]", value)]
        if isinstance(value, dict):
            return {key: saved(item) for key, item in cast("Dict[str, Any]", value).items()}
        return value

    if output is None:
        return True
    if isinstance(output, Iterator):
        output = list(cast("Iterator[Any]", output))
        join_text = True
    if join_text and isinstance(output, list):
        items = cast("List[Any]", output)
        if all(isinstance(item, str) for item in items):
            out.write("".join(cast("List[str]", items)) + "\n")  # a language model's tokens
            return True
    value = saved(output)
    if isinstance(value, list):
        for item in cast("List[Any]", value):
            out.write((item if isinstance(item, str) else json.dumps(item)) + "\n")
    elif isinstance(value, str):
        out.write(value + "\n")
    else:
        out.write(json.dumps(value, indent=2) + "\n")
    return not failures
