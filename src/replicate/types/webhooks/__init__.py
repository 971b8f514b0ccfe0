"""Types of `client.webhooks`."""

from .default import SecretGetResponse as SecretGetResponse
