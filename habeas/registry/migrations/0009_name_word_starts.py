"""Names are found by the start of a word ("Туле" finds "Tuletaeva"): the keyed hashes of every name now hold the
starts of its words too. Computed again for the names already stored (the search box's index is rebuilt with
``habeas search reindex``)."""

from django.db import migrations

from habeas.core.fields import NameDigestsField


def add_word_starts(apps, schema_editor):
    for name in ("Person", "PersonName", "Group"):
        model = apps.get_model("registry", name)
        fields = [f for f in model._meta.concrete_fields if isinstance(f, NameDigestsField)]
        rows = []
        for obj in model._default_manager.iterator(chunk_size=1000):
            for field in fields:
                setattr(obj, field.attname, field.compute(obj))
            rows.append(obj)
            if len(rows) == 1000:
                model._default_manager.bulk_update(rows, [f.name for f in fields])
                rows = []
        model._default_manager.bulk_update(rows, [f.name for f in fields])


class Migration(migrations.Migration):
    dependencies = [("registry", "0008_model_names")]
    operations = [migrations.RunPython(add_word_starts, migrations.RunPython.noop)]
