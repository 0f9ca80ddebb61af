from django.db import migrations


def drop_descriptions(apps, schema_editor):
    """The facts of a finding are stored in clear, and those of the rule on solitary confinement of people with
    disabilities held what was said of each disability (protected where it is recorded). Drop them; the next
    check stores the kinds of disability instead."""
    Finding = apps.get_model("standards", "Finding")
    changed = []
    for finding in Finding.objects.filter(rule="MANDELA-45-SOLITARY-DISABILITY").only("pk", "facts"):
        if "disabilities" in finding.facts:
            finding.facts = {k: v for k, v in finding.facts.items() if k != "disabilities"}
            changed.append(finding)
    Finding.objects.bulk_update(changed, ["facts"], batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ("standards", "0005_finding_team"),
    ]

    operations = [
        migrations.RunPython(drop_descriptions, migrations.RunPython.noop),
    ]
