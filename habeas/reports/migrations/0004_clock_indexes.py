"""Partial indexes for the live clock (``habeas.reports.clock``): only the custody episodes with no judge and no
release, the complaints with no decision and the measures with no end are indexed, so that the dashboard finds
the few that are running without reading every record of a national database. The same SQL on SQLite and
PostgreSQL; kept here, beside what reads them, rather than in the models of custody and cases."""

from django.db import migrations

INDEXES = [
    (
        "clock_custody_awaiting_judge",
        "custody_custodyepisode (apprehended_at) WHERE first_judge_at IS NULL AND released_at IS NULL",
    ),
    ("clock_complaint_unanswered", "cases_complaint (lodged_on) WHERE decided_on IS NULL"),
    ("clock_measure_running", "custody_restrictivemeasure (started_on) WHERE ended_on IS NULL"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_clock_notice"),
        ("custody", "0007_model_names"),
        ("cases", "0009_model_names"),
    ]

    operations = [
        migrations.RunSQL(f"CREATE INDEX {name} ON {target}", f"DROP INDEX {name}") for name, target in INDEXES
    ]
