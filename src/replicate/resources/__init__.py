"""One module per API namespace (`client.models.versions` is in models.py), each endpoint declared
once (see `replicate._http.endpoint`); api.md lists them all. The modules load on first use
(`client.predictions`), not on `import replicate`.
"""
