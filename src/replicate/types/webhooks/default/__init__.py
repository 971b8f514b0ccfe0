"""Types of `client.webhooks.default`: the signing secret."""

from ...webhook_secret import WebhookSecret as SecretGetResponse

__all__ = ["SecretGetResponse"]
