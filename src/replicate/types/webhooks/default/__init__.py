"""Types of `client.webhooks.default`: the signing secret."""

from ...webhook_secret import WebhookSecret

SecretGetResponse = WebhookSecret

__all__ = ["SecretGetResponse"]
