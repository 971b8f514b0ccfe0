"""How a file at a URL shows in a notebook: an HTML tag, chosen by its media type.

Shared by `Prediction._repr_html_` (types) and the file outputs of `run()` and `use()`
(`_running`), so it sits below both.
"""

from __future__ import annotations

import html
import mimetypes
from typing import Optional
from urllib.parse import urlsplit


def media_html(url: str, content_type: Optional[str] = None, *, max_width: str = "100%") -> Optional[str]:
    """An `<img>`, `<audio>` or `<video>` tag for the file at `url`, or None for other kinds.

    `content_type` defaults to what the URL says (a data: URI's type, or its extension).
    """
    if content_type is None:
        if url.startswith("data:"):
            content_type = url[5:].split(",", 1)[0].split(";", 1)[0] or None
        else:
            content_type = mimetypes.guess_type(urlsplit(url).path)[0]
    kind = (content_type or "").split("/", 1)[0]
    source = html.escape(url, quote=True)
    if kind == "image":
        return f'<img src="{source}" style="max-width:{max_width}" loading="lazy"/>'
    if kind == "audio":
        return f'<audio controls src="{source}"></audio>'
    if kind == "video":
        return f'<video controls src="{source}" style="max-width:{max_width}"></video>'
    return None
