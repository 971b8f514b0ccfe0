"""The HTTP core: a request described as data (`Call`), declared once per endpoint,
sent, retried and read without I/O of its own; small drivers perform the steps.

Imports only `replicate._base` and `replicate.pagination` (see CONTRIBUTING.md).
"""
