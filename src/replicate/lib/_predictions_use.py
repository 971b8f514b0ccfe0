"""v2's import path of `get_path_url` (see `replicate.lib`)."""

from .._running.file_output import get_path_url as get_path_url
