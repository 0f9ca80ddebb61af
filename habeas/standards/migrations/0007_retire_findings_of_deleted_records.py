from django.db import migrations
from django.db.models import Exists, OuterRef
from django.utils import timezone


def retire(apps, schema_editor):
    """A record deleted before its findings were retired with it (see ``standards.receivers``) left them current,
    counted for its old team until the next check: retire them now."""
    Finding = apps.get_model("standards", "Finding")
    ContentType = apps.get_model("contenttypes", "ContentType")
    now = timezone.now()
    kinds = Finding.objects.filter(active=True).values_list("content_type", flat=True).distinct()
    for content_type in ContentType.objects.filter(pk__in=list(kinds)):
        current = Finding.objects.filter(content_type=content_type, active=True)
        try:
            model = apps.get_model(content_type.app_label, content_type.model)
        except LookupError:  # a kind of record that no longer exists at all
            current.update(active=False, changed_at=now)
            continue
        # NOT EXISTS, not NOT IN: PostgreSQL plans NOT IN over a subquery as a nested scan.
        current.filter(~Exists(model._default_manager.filter(pk=OuterRef("object_id")))).update(
            active=False, changed_at=now
        )


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("standards", "0006_findings_facts_without_disability_descriptions"),
    ]

    operations = [
        migrations.RunPython(retire, migrations.RunPython.noop),
    ]
