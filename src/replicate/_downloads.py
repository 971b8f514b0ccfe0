"""Where path outputs (`use()`) are downloaded: one temporary directory per client.

    replicate-XXXX/          the client's, made at its first download
        YYYY/image.png       one directory per file, so that equal names do not collide

The directory is removed when the client is closed or garbage-collected, or the process ends
(but not by a forked child ending: the directory is its parent's).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import weakref
from pathlib import Path
from typing import Callable, Tuple

__all__ = ["download_dir", "remove_downloads"]

# owner -> (its directory, the finalizer that removes it: call it to remove it now)
_roots: weakref.WeakKeyDictionary[object, Tuple[Path, Callable[[], object]]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def download_dir(owner: object) -> Path:
    """A new, empty directory for one file, inside `owner`'s temporary directory."""
    with _lock:
        entry = _roots.get(owner)
        if entry is None:
            root = Path(tempfile.mkdtemp(prefix="replicate-"))
            entry = _roots[owner] = (root, weakref.finalize(owner, _remove, root, os.getpid()))
    return Path(tempfile.mkdtemp(dir=entry[0]))


def remove_downloads(owner: object) -> None:
    """Remove every file downloaded for `owner` (a no-op when there is none)."""
    with _lock:
        entry = _roots.pop(owner, None)
    if entry is not None:
        entry[1]()


def _remove(root: Path, pid: int) -> None:
    if os.getpid() == pid:
        shutil.rmtree(root, ignore_errors=True)
