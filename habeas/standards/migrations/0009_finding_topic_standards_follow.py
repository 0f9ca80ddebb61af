"""One finding per record and failure (``topic``), citing every standard it breaches (``standards``); the statuses
``alleged`` and ``gap``; follow-ups of records. Findings stored before keep their rule as their topic: the next
check retires those now folded into one and stores the folded finding (reviews stay on the retired ones)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def topic_from_rule(apps, schema_editor):
    apps.get_model("standards", "Finding").objects.update(topic=F("rule"))


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0007_model_names'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('registry', '0008_model_names'),
        ('standards', '0008_ratification'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Follow',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('object_id', models.PositiveBigIntegerField()),
                ('active', models.BooleanField(default=False, help_text='open situations are measured to today', verbose_name='under active monitoring')),
                ('reviewed_on', models.DateField(blank=True, help_text='the date to which the facts were last checked', null=True, verbose_name='facts reviewed up to')),
            ],
            options={
                'verbose_name': 'follow-up of a record',
                'verbose_name_plural': 'follow-ups of records',
            },
        ),
        migrations.RemoveConstraint(
            model_name='finding',
            name='standards_finding_unique',
        ),
        migrations.AddField(
            model_name='finding',
            name='standards',
            field=models.JSONField(blank=True, default=list, help_text='every rule and standard the failure breaches, the strictest first', verbose_name='standards cited'),
        ),
        migrations.AddField(
            model_name='finding',
            name='topic',
            field=models.CharField(default='', help_text='what failed; one finding per record and failure, citing every standard it breaches', max_length=80, verbose_name='failure judged'),
        ),
        migrations.AlterField(
            model_name='finding',
            name='prevails',
            field=models.BooleanField(default=True, help_text='kept from before one finding cited every standard it breaches: now always true', verbose_name='prevailing standard'),
        ),
        migrations.AlterField(
            model_name='finding',
            name='rule',
            field=models.CharField(db_index=True, help_text='the first standard it cites', max_length=80, verbose_name='rule'),
        ),
        migrations.AlterField(
            model_name='finding',
            name='status',
            field=models.CharField(choices=[('breach', 'breach'), ('possible', 'possible breach'), ('alleged', 'alleged violation'), ('gap', 'gap: no source says')], max_length=10, verbose_name='status'),
        ),
        migrations.RunPython(topic_from_rule, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='finding',
            constraint=models.UniqueConstraint(fields=('profile', 'topic', 'content_type', 'object_id'), name='standards_finding_topic_unique'),
        ),
        migrations.AddField(
            model_name='follow',
            name='content_type',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='contenttypes.contenttype'),
        ),
        migrations.AddConstraint(
            model_name='follow',
            constraint=models.UniqueConstraint(fields=('content_type', 'object_id'), name='standards_follow_unique'),
        ),
    ]
