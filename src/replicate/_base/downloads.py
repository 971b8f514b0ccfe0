"""Where path outputs (`use()`) are downloaded: one temporary directory per client.

    replicate-XXXX/          the client's, made at its first download
        YYYY/image.png       one directory per file, so that equal names do not collide

The directory is removed when its client is closed, or when the process that made it ends; not
when the client is garbage-collected (the caller may still hold a path), nor by a forked child
(the directory is its parent's; the child makes its own).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
import weakref
from pathlib import Path
from typing import Dict

_roots: weakref.WeakKeyDictionary[object, Path] = weakref.WeakKeyDictionary()
_made: Dict[Path, int] = {}
"""Every directory made, and the process that made it (and is to remove it)."""
_lock = threading.Lock()


def download_dir(owner: object) -> Path:
    """A new, empty directory for one file, inside `owner`'s temporary directory."""
    with _lock:
        root = _roots.get(owner)
        if root is None or _made.get(root) != os.getpid():
            root = _roots[owner] = Path(tempfile.mkdtemp(prefix="replicate-"))
            _made[root] = os.getpid()
    return Path(tempfile.mkdtemp(dir=root))


def remove_downloads(owner: object) -> None:
    """Remove every file downloaded for `owner` by this process (a no-op when there is none)."""
    with _lock:
        root = _roots.pop(owner, None)
        if root is None or _made.get(root) != os.getpid():
            return
        del _made[root]
    shutil.rmtree(root, ignore_errors=True)


@atexit.register
def _remove_all() -> None:
    for root, pid in list(_made.items()):
        if pid == os.getpid():
            shutil.rmtree(root, ignore_errors=True)
