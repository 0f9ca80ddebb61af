"""The live clock's index of complaints: only those with no decision whose outcome is still pending or unknown
(``habeas.reports.clock._complaints``). The index of 0004 held every complaint with no decision date, and a
complaint answered without a known date (dismissed, forwarded) has none: on the national database every one of
the 34,826 complaints is such, the index was of no use, and the clock read them all on each page (25–50 ms)."""

from django.db import migrations

BEFORE = "CREATE INDEX clock_complaint_unanswered ON cases_complaint (lodged_on) WHERE decided_on IS NULL"
AFTER = (
    "CREATE INDEX clock_complaint_unanswered ON cases_complaint (lodged_on) "
    "WHERE decided_on IS NULL AND outcome IN ('pending', 'unknown')"
)


class Migration(migrations.Migration):
    dependencies = [("reports", "0006_exchange_record")]

    operations = [
        migrations.RunSQL(
            ["DROP INDEX clock_complaint_unanswered", AFTER], ["DROP INDEX clock_complaint_unanswered", BEFORE]
        )
    ]
