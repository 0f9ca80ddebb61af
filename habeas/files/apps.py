from __future__ import annotations

from django.apps import AppConfig


class FilesConfig(AppConfig):
    """The pages that compose the floors below: a person's, group's or place's file, timelines and maps."""

    name = "habeas.files"
    label = "files"
    verbose_name = "Files"
