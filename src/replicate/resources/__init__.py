"""One module per API namespace; each endpoint is declared once (see `replicate._http.endpoint`).

    predictions.py   create, get, list, cancel, wait
    models.py        create, get, list, update, delete, search; examples, predictions, readme, versions
    deployments.py   create, get, list, update, delete; predictions
    trainings.py     create, get, list, cancel
    files.py         create, get, list, delete, download
    collections.py   list, get
    hardware.py      list
    account.py       get
    webhooks.py      default.secret.get

The modules load on first use (`client.predictions`), not on `import replicate`.
"""
