# The search index (habeas.reports.models.SearchEntry) and the database's own full-text index over it.
#
# SQLite: an FTS5 table with the entries as its external content, kept in step by triggers. Beware: a later
# migration that makes Django rebuild the reports_searchentry table on SQLite (most field changes) drops these
# triggers; such a migration must create them again (then run `habeas search reindex`).
# PostgreSQL: a GIN index on the tokens as a tsvector. The tokens are hex digests, which the text parser of
# to_tsvector (even with the 'simple' configuration) splits ("3e10…" reads as a number), so the tsvector is
# made from the space-separated tokens exactly (array_to_tsvector): each token one lexeme, no stemming, no
# stop words, no positions — what the 'simple' configuration is for, without the parser.

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models


class VendorSQL(migrations.RunSQL):
    """RunSQL on one database vendor only."""

    def __init__(self, vendor: str, sql: list[str], reverse_sql: list[str]) -> None:
        super().__init__(sql, reverse_sql)
        self.vendor = vendor

    def deconstruct(self):  # type: ignore[no-untyped-def]
        name, args, kwargs = super().deconstruct()
        return name, [self.vendor, *args], kwargs

    def database_forwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


SQLITE = [
    "CREATE VIRTUAL TABLE reports_searchentry_fts USING fts5("
    "tokens, content='reports_searchentry', content_rowid='id', detail=none, columnsize=0)",
    "CREATE TRIGGER reports_searchentry_fts_insert AFTER INSERT ON reports_searchentry BEGIN "
    "INSERT INTO reports_searchentry_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
    "CREATE TRIGGER reports_searchentry_fts_delete AFTER DELETE ON reports_searchentry BEGIN "
    "INSERT INTO reports_searchentry_fts(reports_searchentry_fts, rowid, tokens) "
    "VALUES ('delete', old.id, old.tokens); END",
    "CREATE TRIGGER reports_searchentry_fts_update AFTER UPDATE ON reports_searchentry BEGIN "
    "INSERT INTO reports_searchentry_fts(reports_searchentry_fts, rowid, tokens) "
    "VALUES ('delete', old.id, old.tokens); "
    "INSERT INTO reports_searchentry_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS reports_searchentry_fts_update",
    "DROP TRIGGER IF EXISTS reports_searchentry_fts_delete",
    "DROP TRIGGER IF EXISTS reports_searchentry_fts_insert",
    "DROP TABLE IF EXISTS reports_searchentry_fts",
]
POSTGRESQL = [
    "CREATE INDEX reports_searchentry_tokens_gin ON reports_searchentry "
    "USING GIN (array_to_tsvector(string_to_array(tokens, ' ')))"
]
POSTGRESQL_REVERSE = ["DROP INDEX IF EXISTS reports_searchentry_tokens_gin"]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0005_audit_head_signature"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("person", "person"),
                            ("place", "place"),
                            ("allegation", "allegation"),
                            ("document", "document"),
                        ],
                        max_length=12,
                    ),
                ),
                ("object_id", models.PositiveBigIntegerField()),
                ("protected", models.BooleanField()),
                ("part", models.PositiveSmallIntegerField(default=0)),
                ("tokens", models.TextField(blank=True)),
                (
                    "team",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.team",
                    ),
                ),
            ],
            options={
                "verbose_name": "search index entry",
                "verbose_name_plural": "search index entries",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kind", "object_id", "protected", "part"), name="reports_searchentry_unique_part"
                    )
                ],
            },
        ),
        VendorSQL("sqlite", SQLITE, SQLITE_REVERSE),
        VendorSQL("postgresql", POSTGRESQL, POSTGRESQL_REVERSE),
    ]
