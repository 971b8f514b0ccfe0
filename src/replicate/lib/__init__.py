"""Where Replicate's v2 SDK keeps `get_path_url`, for code that imports it from there.

v2's own README writes `from replicate.lib._predictions_use import get_path_url`; the function
lives in `replicate._running.file_output` here and is `replicate.get_path_url`.
"""
