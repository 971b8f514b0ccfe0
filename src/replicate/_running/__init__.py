"""Running models: `run()`, `use()`, `stream()`, and the files and references they handle.

Written over `resources/` and the step drivers of `replicate._http`; the clients and the package
hand the client in (see CONTRIBUTING.md).
"""
