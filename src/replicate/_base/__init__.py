"""The bottom layer: constants, sentinels, options, errors, pydantic base, logs.

Nothing here imports anything above it (see CONTRIBUTING.md, and tests/core/test_layers.py).
"""
