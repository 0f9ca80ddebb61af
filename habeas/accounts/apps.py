from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "habeas.accounts"
    label = "accounts"
    verbose_name = "Accounts and audit"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from habeas.accounts import pagecache, receivers  # noqa: F401 - logins are known only through auth's signals
        from habeas.accounts.access import forget_memberships
        from habeas.accounts.models import Membership

        pagecache.connect()

        post_save.connect(forget_memberships, sender=Membership, dispatch_uid="forget_memberships_saved")
        post_delete.connect(forget_memberships, sender=Membership, dispatch_uid="forget_memberships_deleted")
