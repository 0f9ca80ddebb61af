"""Calling the API in the tests as a persona would: with a token of their own, created through the service."""

from __future__ import annotations

from typing import Any

from django.test import Client

from habeas.api.services import token_create


def bearer(user: Any) -> dict[str, str]:
    """The header of a new token of the user's."""
    _, secret = token_create(user=user, name="tests")
    return {"Authorization": f"Bearer {secret}"}


class ApiClient:
    """Django's test client with a persona's token on every call (none for the anonymous)."""

    def __init__(self, user: Any | None) -> None:
        self.client = Client()
        self.headers = bearer(user) if user is not None else {}

    def call(self, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
        send = getattr(self.client, method.lower())
        if method in ("POST", "PATCH"):
            return send(url, body or {}, content_type="application/json", headers=self.headers)
        return send(url, headers=self.headers)
