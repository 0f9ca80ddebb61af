from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "habeas.accounts"
    label = "accounts"
    verbose_name = "Accounts and audit"

    def ready(self) -> None:
        from habeas.accounts import receivers  # noqa: F401 - logins are known only through auth's signals
