"""Lists of named people from sources, their rows, linkage runs with their clusters and review pairs, and
estimate runs.

A list keeps every row's original text (encrypted) beside the fields it was mapped to, so that a mapping can
be checked against the file long after the import. Runs keep what is needed to repeat them exactly: the lists,
the settings, the seed, the package versions and the outcome.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from habeas.core.fields import EncryptedJSONField, EncryptedTextField
from habeas.core.models import Record, fuzzy_date, not_negative


class Sex(models.TextChoices):
    MALE = "m", _("male")
    FEMALE = "f", _("female")


class SourceList(Record):
    """A list of named people from one source (an official register, released detainees, families, lawyers),
    imported from a file."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    source = models.ForeignKey(
        "evidence.Source", verbose_name=_("source"), on_delete=models.PROTECT, related_name="lists"
    )
    title = EncryptedTextField(_("title"), max_length=300)
    event = EncryptedTextField(
        _("event or period"), blank=True, help_text=_("what the list is about, e.g. the events of December 2011")
    )
    stratum = models.CharField(
        _("stratum"), max_length=200, blank=True, help_text=_("a stratum shared by every row, e.g. a region")
    )
    imported_at = models.DateTimeField(_("imported"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    original_name = EncryptedTextField(_("original file name"), max_length=255, blank=True)
    file_format = models.CharField(_("file format"), max_length=4, choices=Format.choices)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    encoding = models.CharField(_("text encoding"), max_length=20, blank=True)
    encoding_declared = models.BooleanField(_("encoding declared (not detected)"), default=False)
    mapping = models.JSONField(_("column mapping"), help_text=_("field → the file's column"))
    row_count = models.PositiveIntegerField(_("rows"))
    illustrative = models.BooleanField(
        _("illustrative (synthetic names)"),
        default=False,
        help_text=_("made up to show how counting works: none of its names is a real person's"),
    )

    class Meta:
        verbose_name = _("source list")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "sha256"],
                name="counting_sourcelist_one_import_per_file",
                violation_error_message="this file was already imported as a list of this source",
            ),
        ]

    def __str__(self) -> str:
        return f"list {self.pk}"

    @property
    def label(self) -> str:
        """The list's name in capture histories and linkage frames."""
        return f"list_{self.pk}"


class ListRow(models.Model):
    """One row of a list: its original text, and the fields it was mapped to."""

    source_list = models.ForeignKey(SourceList, verbose_name=_("list"), on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(_("row in the file"), help_text=_("the header is row 1"))
    record_id = models.CharField(_("the list's own id"), max_length=200, blank=True)
    original = EncryptedJSONField(_("original row"), help_text=_("the file's column → the cell's text"))
    given_name = EncryptedTextField(_("given name"), max_length=200, blank=True)
    patronymic = EncryptedTextField(_("patronymic"), max_length=200, blank=True)
    surname = EncryptedTextField(_("surname"), max_length=200, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    born_on, born_on_precision = fuzzy_date(_("born"))
    region = models.CharField(_("place or region"), max_length=200, blank=True)
    national_id = EncryptedTextField(_("national ID"), max_length=100, blank=True)
    event_on, event_on_precision = fuzzy_date(_("date of the event"), help_text=_("detention or death"))
    event_place = models.CharField(_("place of the event"), max_length=200, blank=True)
    stratum = models.CharField(_("stratum"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("list row")
        ordering = ["source_list", "row_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_list", "row_number"],
                name="counting_listrow_one_row_number",
                violation_error_message="a row number occurs once in a list",
            ),
            models.UniqueConstraint(
                fields=["source_list", "record_id"],
                condition=~Q(record_id=""),
                name="counting_listrow_unique_record_id",
                violation_error_message="the list's own id must be unique within the list",
            ),
        ]

    def __str__(self) -> str:
        return f"row {self.row_number} of list {self.source_list_id}"


class LinkageRun(Record):
    """One run of record linkage over some lists: what went in, the settings and seed, and the outcome."""

    class Status(models.TextChoices):
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    lists = models.ManyToManyField(SourceList, verbose_name=_("lists"), related_name="linkage_runs")
    config = models.JSONField(_("settings"))
    seed = models.BigIntegerField(_("seed"))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    error = models.TextField(_("error"), blank=True)
    records = models.PositiveIntegerField(_("records"), default=0)
    people = models.PositiveIntegerField(_("people"), default=0)
    links = models.PositiveIntegerField(_("links"), default=0)
    pairs_to_review = models.PositiveIntegerField(_("pairs to review"), default=0)
    reviewed_applied = models.PositiveIntegerField(_("review decisions applied"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    illustrative = models.BooleanField(
        _("illustrative (synthetic names)"), default=False, help_text=_("a list linked is illustrative")
    )
    model = models.JSONField(_("trained model"), default=dict, blank=True)
    versions = models.JSONField(_("package versions"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("run by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    follows = models.ForeignKey(
        "self",
        verbose_name=_("re-links run"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followed_by",
        help_text=_("the run this one re-linked at once after a review decision"),
    )

    class Meta:
        verbose_name = _("linkage run")
        constraints = [not_negative("seed")]

    def __str__(self) -> str:
        return f"linkage run {self.pk}"


class ClusterMember(models.Model):
    """A row's person in a linkage run: rows with the same cluster are one person."""

    run = models.ForeignKey(LinkageRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="members")
    row = models.ForeignKey(ListRow, verbose_name=_("row"), on_delete=models.PROTECT, related_name="+")
    cluster = models.PositiveIntegerField(_("person (cluster)"))

    class Meta:
        verbose_name = _("cluster member")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "row"],
                name="counting_clustermember_once",
                violation_error_message="a row is in one cluster",
            ),
        ]
        indexes = [models.Index(fields=["run", "cluster"], name="counting_member_run_cluster")]

    def __str__(self) -> str:
        return f"row {self.row_id} in cluster {self.cluster} of run {self.run_id}"


class ReviewPair(models.Model):
    """A pair of rows the linkage was unsure about, for a person to decide: the same person or not, or a pair a
    reviewer linked or split by hand. A decision is kept and applied by every later run over both rows."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SAME = "same", _("the same person")
        DIFFERENT = "different", _("different people")

    run = models.ForeignKey(LinkageRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="review_pairs")
    row_a = models.ForeignKey(ListRow, verbose_name=_("row A"), on_delete=models.PROTECT, related_name="+")
    row_b = models.ForeignKey(ListRow, verbose_name=_("row B"), on_delete=models.PROTECT, related_name="+")
    match_probability = models.FloatField(
        _("match probability"), null=True, blank=True, help_text=_("none for a pair chosen by hand")
    )
    match_weight = models.FloatField(_("match weight"), null=True, blank=True)
    by_hand = models.BooleanField(
        _("linked or split by hand"), default=False, help_text=_("chosen by a reviewer, not queued by the linkage")
    )
    priority = models.FloatField(
        _("priority"),
        default=0.0,
        help_text=_("how many people the count could change by if the linkage is wrong about this pair"),
    )
    state = models.CharField(_("decision"), max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = EncryptedTextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("review pair")
        ordering = ["run", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(row_a__lt=F("row_b")),
                name="counting_reviewpair_ordered",
                violation_error_message="row A must be the row with the smaller id",
            ),
            models.UniqueConstraint(
                fields=["run", "row_a", "row_b"],
                name="counting_reviewpair_once",
                violation_error_message="a pair is reviewed once in a run",
            ),
            models.CheckConstraint(
                condition=Q(match_probability__isnull=True)
                | (Q(match_probability__gte=0) & Q(match_probability__lte=1)),
                name="counting_reviewpair_probability",
                violation_error_message="a match probability lies between 0 and 1",
            ),
            models.CheckConstraint(
                condition=Q(state="pending", decided_at__isnull=True)
                | (~Q(state="pending") & Q(decided_at__isnull=False)),
                name="counting_reviewpair_decided_when",
                violation_error_message="a decision has a time, and a pending pair has none",
            ),
        ]

    def __str__(self) -> str:
        return f"pair {self.pk} of run {self.run_id}"


class EstimateRun(Record):
    """One estimate of the total from the capture histories of a linkage run (whole, or stratified), with
    everything needed to repeat it."""

    linkage = models.ForeignKey(
        LinkageRun,
        verbose_name=_("linkage run"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="estimates",
    )
    lists = models.JSONField(_("lists"), default=list)
    table_sha256 = models.CharField(_("SHA-256 of the capture table"), max_length=64)
    method = models.CharField(_("method"), max_length=20)
    model_name = models.CharField(_("model"), max_length=300, blank=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    seed = models.BigIntegerField(_("seed"), null=True, blank=True)
    strata = models.CharField(_("stratified by"), max_length=50, blank=True)
    observed = models.PositiveIntegerField(_("people observed"))
    estimate = models.FloatField(_("estimate"), null=True, blank=True)
    ci_low = models.FloatField(_("95% interval, lower end"), null=True, blank=True)
    ci_high = models.FloatField(_("95% interval, upper end"), null=True, blank=True)
    result = models.JSONField(_("result"))
    provenance = models.JSONField(_("provenance"))
    illustrative = models.BooleanField(
        _("illustrative (synthetic names)"), default=False, help_text=_("a list estimated from is illustrative")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("run by"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("estimate run")
        constraints = [
            not_negative("seed"),
            models.CheckConstraint(
                condition=Q(ci_low__isnull=True) | Q(ci_high__isnull=True) | Q(ci_high__gte=F("ci_low")),
                name="counting_estimaterun_interval_ordered",
                violation_error_message="the interval's upper end must not be below its lower end",
            ),
        ]

    def __str__(self) -> str:
        return f"estimate run {self.pk}"
