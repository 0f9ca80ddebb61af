"""A finding follows its record between checks: it moves with the record to another team, and it is retired
when the record is deleted. Who may see a finding is the team it keeps (``visibility.findings_seen``), so
without this a deleted record's findings would still count for its old team, and a moved record's findings
would stay with the team that gave it up, until the next check. Writes that bypass ``save`` and ``delete``
(``QuerySet.update``, raw SQL) are caught up by the next full check, which stores each finding's team anew."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from habeas.standards.gather import SUBJECTS
from habeas.standards.models import Finding


def _of(instance: Any) -> Any:
    content_type = ContentType.objects.get_for_model(type(instance))
    return Finding.objects.filter(content_type=content_type, object_id=instance.pk)


def record_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created or raw:  # a new record has no findings yet; fixtures are loaded as they were dumped
        return
    _of(instance).exclude(team_id=instance.team_id).update(team_id=instance.team_id)


def record_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    _of(instance).filter(active=True).update(active=False, changed_at=timezone.now())


def connect() -> None:
    for _, subject_models in SUBJECTS.values():
        for model in subject_models:
            uid = f"standards:{model._meta.label_lower}"
            post_save.connect(record_saved, sender=model, dispatch_uid=f"{uid}:saved")
            post_delete.connect(record_deleted, sender=model, dispatch_uid=f"{uid}:deleted")
