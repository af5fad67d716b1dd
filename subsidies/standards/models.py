"""Standards: schemes and their dated policy versions, care-level assessments, entitlements, and
what the monthly run writes (grants and refusals).

A `PolicyVersion` holds a scheme's standards from a month on (optionally to a last month). Its rows
are (condition → monthly amount); the combination rule says how matching rows combine (the
highest single standard wins; standards never add up). A district may add a local version of its
own (`district` set) whose rows compete with the scheme's, so a higher local standard wins.

A version that grants were paid under is never edited: a change is a new version from a month on.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from djmoney.models.fields import MoneyField
from simple_history.models import HistoricalRecords

from eldercare.models import DifficultyCategory, Division, Elder, TimeStampedModel

from .rules import DEFAULT_DISTRICT_PERCENT, DEFAULT_TOWN_PERCENT, FUNDING_SHARES_TOTAL, MIN_AGE


class CareLevel(models.TextChoices):
    SELF_CARE = "self_care", _("Self-care (自理)")
    SEMI_DISABLED = "semi_disabled", _("Semi-disabled (半失能)")
    DISABLED = "disabled", _("Disabled (失能)")


class Scheme(TimeStampedModel):
    """A subsidy scheme of a jurisdiction (e.g. scheme A, Jiangdu; scheme B, Shenzhen).

    Its standards live in dated policy versions; the scheme itself never changes its figures.
    """

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100)
    jurisdiction = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="schemes", verbose_name=_("jurisdiction")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("subsidy scheme")
        verbose_name_plural = _("subsidy schemes")

    def __str__(self) -> str:
        return self.name


class Assessment(TimeStampedModel):
    """A living-ability assessment by the third party; it sets the care level from `effective_from`.

    A later assessment replaces the level from its own date on; earlier ones stay as history.
    """

    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("elder"))
    assessed_on = models.DateField(_("assessed on"))
    effective_from = models.DateField(_("effective from"))
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assessor")
    )
    instrument = models.CharField(_("instrument"), max_length=60)
    scores = models.JSONField(_("item scores"), default=dict)
    total_score = models.DecimalField(_("total score"), max_digits=7, decimal_places=2, null=True, blank=True)
    instrument_level = models.CharField(_("level on the instrument"), max_length=30)
    care_level = models.CharField(_("care level"), max_length=20, choices=CareLevel.choices)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["elder_id", "-effective_from", "-id"]
        verbose_name = _("living-ability assessment")
        verbose_name_plural = _("living-ability assessments")
        indexes = [
            models.Index(fields=["elder", "effective_from"]),
            # The visit frequency report's elders assessed since its stored reading.
            models.Index(fields=["updated_at"], name="assessment_updated_at"),
        ]

    def __str__(self) -> str:
        return f"{self.elder.name} {self.assessed_on} {self.get_care_level_display()}"


class Entitlement(TimeStampedModel):
    """An approved subsidy: the elder is entitled under `scheme` from `start_month` on.

    Created by the district's approval (`Application.entitlement` links it back); ended (end_month set) by death, moving away, cancellation
    or fraud. Months are stored as their first day. The monthly run reads these rows.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="entitlements", verbose_name=_("elder"))
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="entitlements", verbose_name=_("scheme"))
    start_month = models.DateField(_("first month"))
    end_month = models.DateField(_("last month"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    end_reason = models.CharField(_("reason it ended"), max_length=200, blank=True)
    approved_at = models.DateTimeField(_("approved at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_month", "id"]
        verbose_name = _("entitlement")
        verbose_name_plural = _("entitlements")
        constraints = [
            models.UniqueConstraint(
                fields=["elder"], condition=Q(status="active"), name="entitlement_one_active_per_elder"
            ),
            models.CheckConstraint(
                condition=Q(end_month__isnull=True) | Q(end_month__gte=models.F("start_month")),
                name="entitlement_end_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "start_month"]),
            # The entitlements ending in a given span (the continuity report): the few that have an
            # end among the many that run on.
            models.Index(fields=["end_month"], condition=Q(end_month__isnull=False), name="entitlement_end_month"),
            # The entitlements changed since a time (the continuity report's stored readings).
            models.Index(fields=["updated_at"], name="entitlement_updated_at"),
        ]

    def __str__(self) -> str:
        return f"{self.elder.name} {self.scheme} {self.start_month:%Y-%m}"


class PolicyVersion(TimeStampedModel):
    class Combination(models.TextChoices):
        HIGHEST = "highest", _("Highest single standard wins, never added up")

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="versions", verbose_name=_("scheme"))
    # Empty: the scheme's own standards. Set: a district's local standards on top (funded locally).
    district = models.ForeignKey(
        Division,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("local standards of district"),
        limit_choices_to={"level": Division.Level.DISTRICT},
    )
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=120)
    effective_from = models.DateField(_("first month"))
    effective_to = models.DateField(_("last month"), null=True, blank=True)
    combination = models.CharField(
        _("combination rule"), max_length=10, choices=Combination.choices, default=Combination.HIGHEST
    )
    # The funding split of each grant between the two levels of government booked in the ledger.
    district_percent = models.DecimalField(
        _("district share (%)"), max_digits=5, decimal_places=2, default=DEFAULT_DISTRICT_PERCENT
    )
    town_percent = models.DecimalField(
        _("town share (%)"), max_digits=5, decimal_places=2, default=DEFAULT_TOWN_PERCENT
    )
    upper_level_label = models.CharField(_("name of the upper funding level"), max_length=30, default="区")
    lower_level_label = models.CharField(_("name of the lower funding level"), max_length=30, default="镇（街道）")
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme_id", "district_id", "-effective_from"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        constraints = [
            models.CheckConstraint(
                condition=Q(district_percent__gte=0) & Q(town_percent__gte=0), name="policy_split_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(district_percent=models.Value(FUNDING_SHARES_TOTAL) - models.F("town_percent")),
                name="policy_split_whole",
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="policy_version_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["scheme", "district", "effective_from"], name="policy_version_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme.code} {self.name} {self.effective_from:%Y-%m}"


class PolicyRow(TimeStampedModel):
    """One standard: who (all the conditions hold) gets how much a month.

    - `categories_any`: at least one of these categories of difficulty (empty: no category needed)
    - `min_age`: age reached in the month
    - `low_income`: True needs 低保, False needs not 低保, None does not care
    - `care_levels`: the assessed care level is one of these (empty: no assessment needed);
      non-self-care (介护) is [semi_disabled, disabled]
    - `last_month`: empty, the row is paid as long as its version; set, a transition: the row is
      paid from its version's first month to this month (at most `MAX_TRANSITION_MONTHS`), then no
      longer (scheme B's 80+ voucher, replaced by a high-age allowance paid outside the platform)
    """

    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="rows", verbose_name=_("version"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("label"), max_length=80)
    categories_any = models.JSONField(_("any of the categories"), default=list, blank=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=MIN_AGE)
    low_income = models.BooleanField(_("low-income (低保)"), null=True, blank=True)
    care_levels = models.JSONField(_("care levels"), default=list, blank=True)
    amount = MoneyField(_("monthly amount"), max_digits=10, decimal_places=2, default_currency="CNY")
    # Stored as the month's first day, like the versions' months.
    last_month = models.DateField(
        _("paid until (end of the transition)"),
        null=True,
        blank=True,
        help_text=_("Empty: paid as long as the version. Set: a transition, paid until this month, then no longer."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["version_id", "position", "id"]
        verbose_name = _("policy standard")
        verbose_name_plural = _("policy standards")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="policy_row_amount_not_negative")]

    def __str__(self) -> str:
        return f"{self.label} {self.amount}"

    def categories_display(self) -> list[str]:
        """The categories of difficulty by their names, as people read them."""
        return [str(DifficultyCategory(c).label) if c in DifficultyCategory.values else c for c in self.categories_any]

    def care_levels_display(self) -> list[str]:
        return [str(CareLevel(c).label) if c in CareLevel.values else c for c in self.care_levels]


class SubsidyRun(TimeStampedModel):
    """One attempt at the monthly run; a rerun of the month is a new attempt that adds what is missing."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    month = models.DateField(_("month"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    entitled = models.PositiveIntegerField(_("entitled persons"), default=0)
    granted = models.PositiveIntegerField(_("grants written"), default=0)
    already = models.PositiveIntegerField(_("already granted before"), default=0)
    refused = models.PositiveIntegerField(_("refused"), default=0)
    total = MoneyField(_("total written"), max_digits=16, decimal_places=2, default_currency="CNY", default=0)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.TextField(_("message"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("started by"),
    )

    class Meta:
        ordering = ["-month", "-id"]
        verbose_name = _("monthly subsidy run")
        verbose_name_plural = _("monthly subsidy runs")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} #{self.pk}"

    @property
    def heartbeat_at(self):
        """The run's last sign of life: it writes the row (and so `updated_at`) at each step."""
        return self.updated_at


class Grant(models.Model):
    """The monthly subsidy of one elder for one month, credited through the ledger. Append-only."""

    # Few indexes on purpose: the monthly run inserts ~300,000 rows at once and every index costs.
    # elder is covered by (elder, month), community by (month, community); run is not looked up.
    elder = models.ForeignKey(Elder, models.PROTECT, related_name="grants", verbose_name=_("elder"), db_index=False)
    entitlement = models.ForeignKey(
        Entitlement, models.PROTECT, related_name="grants", verbose_name=_("entitlement"), db_index=False
    )
    month = models.DateField(_("month"))
    amount = MoneyField(_("amount"), max_digits=10, decimal_places=2, default_currency="CNY")
    district_share = MoneyField(_("district share"), max_digits=10, decimal_places=2, default_currency="CNY")
    town_share = MoneyField(_("town share"), max_digits=10, decimal_places=2, default_currency="CNY")
    policy_version = models.ForeignKey(
        PolicyVersion, models.PROTECT, related_name="+", verbose_name=_("policy version"), db_index=False
    )
    row = models.ForeignKey(
        PolicyRow, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("standard"), db_index=False
    )
    reason = models.CharField(_("reason"), max_length=300)
    care_level = models.CharField(_("care level"), max_length=20, blank=True)
    categories = models.CharField(_("categories"), max_length=100, blank=True)
    community = models.ForeignKey(
        Division, models.PROTECT, related_name="+", verbose_name=_("community"), db_index=False
    )
    transaction = models.OneToOneField(
        "vouchers.LedgerTransaction", models.PROTECT, related_name="grant", verbose_name=_("ledger transaction")
    )
    run = models.ForeignKey(
        SubsidyRun, models.PROTECT, null=True, blank=True, related_name="grants", verbose_name=_("run"), db_index=False
    )
    # Set when the grant was recovered (death or moving reported late): the compensating transaction.
    recovery = models.ForeignKey(
        "vouchers.LedgerTransaction",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="recovered_grants",
        verbose_name=_("recovery transaction"),
        db_index=False,
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-month", "elder_id"]
        verbose_name = _("monthly grant")
        verbose_name_plural = _("monthly grants")
        constraints = [
            models.UniqueConstraint(fields=["elder", "month"], name="grant_one_per_elder_month"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="grant_amount_positive"),
            # Only recovered grants are indexed (a handful), not the hundreds of thousands of others.
            models.UniqueConstraint(
                fields=["recovery"], condition=Q(recovery__isnull=False), name="grant_recovery_unique"
            ),
        ]
        indexes = [models.Index(fields=["month", "community"])]

    def __str__(self) -> str:
        return f"{self.elder_id} {self.month:%Y-%m} {self.amount}"


class RunRefusal(models.Model):
    """An entitled elder the run did not pay, and why (for the report)."""

    class Reason(models.TextChoices):
        DISQUALIFIED = "disqualified", _("Disqualified for life")
        DECEASED = "deceased", _("Deceased")
        MOVED = "moved", _("Moved away")
        ACCOUNT_FROZEN = "frozen", _("Subsidy account frozen")
        ACCOUNT_ARCHIVED = "archived", _("Subsidy account archived")
        NO_STANDARD = "no_standard", _("No standard applies")
        NO_POLICY = "no_policy", _("No policy version for the month")

    run = models.ForeignKey(SubsidyRun, on_delete=models.CASCADE, related_name="refusals", verbose_name=_("run"))
    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="+", verbose_name=_("elder"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        ordering = ["run_id", "elder_id"]
        verbose_name = _("refusal")
        verbose_name_plural = _("refusals")
        constraints = [models.UniqueConstraint(fields=["run", "elder"], name="run_refusal_unique")]

    def __str__(self) -> str:
        return f"{self.elder_id} {self.get_reason_display()}"


class GrantSummary(models.Model):
    """The month's grants added up per community, care level and categories, for the run report:
    a few hundred rows a month instead of one per elder.

    Written only in the transaction that writes or recovers the grants it adds up (the run's
    chunks, `grant_recover_in_ledger`), so it always equals the unrecovered grants: a run killed
    midway and rerun adds each grant exactly once. Amounts are CNY sums (plain decimals: a sum,
    not a payment)."""

    month = models.DateField(_("month"))
    community = models.ForeignKey(
        Division, models.PROTECT, related_name="+", verbose_name=_("community"), db_index=False
    )
    care_level = models.CharField(_("care level"), max_length=20, blank=True)
    categories = models.CharField(_("categories"), max_length=100, blank=True)
    people = models.IntegerField(_("people"), default=0)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=0)
    district_share = models.DecimalField(_("district share"), max_digits=14, decimal_places=2, default=0)
    town_share = models.DecimalField(_("town share"), max_digits=14, decimal_places=2, default=0)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["month", "community_id", "care_level", "categories"]
        verbose_name = _("grant summary")
        verbose_name_plural = _("grant summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "community", "care_level", "categories"], name="grant_summary_one_per_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.community_id} {self.care_level} {self.categories}: {self.people}"
