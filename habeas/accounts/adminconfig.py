"""The admin application, with Habeas's site (two-factor login) as the default site."""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class HabeasAdminConfig(AdminConfig):
    default_site = "habeas.accounts.sites.HabeasAdminSite"
