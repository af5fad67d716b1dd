"""Monthly service settlement and quarterly fund settlement.

- `ServiceMonth`: one calendar month of services. Towns confirm their part (`TownConfirmation`);
  when every town with activity has confirmed, the month is LOCKED and its figures are frozen
  as `MonthLine` rows (per provider and community). Later corrections of a locked month (a late
  void) are never edited in: they become ADJUSTMENT lines of the next month to lock, each naming
  the ledger transaction it corrects.
- `QuarterSettlement`: the fund settlement of a quarter, from the locked months: `QuarterLine` per
  provider and town with the district / town shares, `QuarterNeed` per community for the next
  allocation. Prepared by one finance user, approved or sent back (with a reason) by another;
  a quarter sent back is prepared again; approved means immutable. `QuarterEvent` records every
  move (append-only).
- `SettlementReport`: a file produced by a background task (PDF, XLSX), stored privately.

Locked months and approved quarters are guarded twice: the services refuse, and database
triggers (migration 0002) refuse UPDATE/DELETE of their rows; quarter events are append-only
(migration 0003).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from djmoney.models.fields import MoneyField
from simple_history.models import HistoricalRecords

from eldercare.models import Division, TimeStampedModel
from eldercare.money import round_cny


def _money(label):
    return MoneyField(label, max_digits=14, decimal_places=2, default_currency="CNY", default=0)


class ServiceMonth(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("settlement month", "Open")
        LOCKED = "locked", _("Locked")

    month = models.DateField(_("month"), unique=True, help_text=_("First day of the month"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month"]
        verbose_name = _("monthly service settlement")
        verbose_name_plural = _("monthly service settlements")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", locked_at__isnull=True) | Q(status="locked", locked_at__isnull=False),
                name="service_month_locked_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class TownConfirmation(models.Model):
    """A town (street office) verified its part of a month and confirmed it: the event row."""

    service_month = models.ForeignKey(
        ServiceMonth, on_delete=models.PROTECT, related_name="confirmations", verbose_name=_("month")
    )
    street = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("street / town"))
    total = _money(_("amount confirmed"))
    visits = models.PositiveIntegerField(_("visits"), default=0)
    note = models.TextField(_("opinion"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("confirmed at"), auto_now_add=True)

    class Meta:
        ordering = ["service_month_id", "street_id"]
        verbose_name = _("town confirmation")
        verbose_name_plural = _("town confirmations")
        constraints = [models.UniqueConstraint(fields=["service_month", "street"], name="town_confirms_month_once")]

    def __str__(self) -> str:
        return f"{self.service_month} {self.street}"


class MonthLine(models.Model):
    """The frozen figures of a locked month for one provider and community (or one adjustment).

    Amounts are net: redeemed minus what was reversed before the month locked. An ADJUSTMENT line
    holds one late reversal (negative amounts, naming the redemption it corrects and the reversal)
    or one visit of a locked month paid late (positive amounts, naming its redemption).
    """

    class Kind(models.TextChoices):
        SERVICE = "service", _("Services of the month")
        ADJUSTMENT = "adjustment", _("Adjustment of a locked month")

    service_month = models.ForeignKey(
        ServiceMonth, on_delete=models.PROTECT, related_name="lines", verbose_name=_("month")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.SERVICE)
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="+", verbose_name=_("provider")
    )
    community = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"), db_index=False
    )
    street = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("street / town"), db_index=False
    )
    visits = models.IntegerField(_("redeemed visits"), default=0)
    minutes = models.BigIntegerField(_("minutes served"), default=0)
    voided_visits = models.IntegerField(_("voided visits"), default=0)
    reserved_visits = models.IntegerField(_("visits served again"), default=0)
    short_visits = models.IntegerField(_("visits held as too short"), default=0)
    total = _money(_("amount"))
    subsidy = _money(_("paid from subsidy accounts"))
    personal = _money(_("paid from personal accounts"))
    cash = _money(_("co-pay in cash"))
    voided_amount = _money(_("amount voided"))
    district_share = _money(_("district share"))
    town_share = _money(_("town share"))
    corrects_month = models.DateField(_("corrects month"), null=True, blank=True)
    corrects = models.ForeignKey(
        "vouchers.LedgerTransaction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("corrects redemption"),
        db_index=False,
    )
    reversal = models.ForeignKey(
        "vouchers.LedgerTransaction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("late reversal"),
        db_index=False,
    )
    work_order = models.ForeignKey(
        "providers.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("work order"),
        db_index=False,
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["service_month_id", "provider_id", "community_id", "kind", "id"]
        verbose_name = _("monthly settlement line")
        verbose_name_plural = _("monthly settlement lines")
        constraints = [
            # A late reversal is settled once, in one month, whatever the code does.
            models.UniqueConstraint(
                fields=["reversal"], condition=Q(reversal__isnull=False), name="month_line_reversal_once"
            ),
            # A visit paid late is settled once, in one month.
            models.UniqueConstraint(
                fields=["corrects"],
                condition=Q(kind="adjustment", reversal__isnull=True),
                name="month_line_late_visit_once",
            ),
            models.CheckConstraint(
                condition=Q(kind="service")
                | Q(reversal__isnull=False, corrects_month__isnull=False)
                | Q(corrects__isnull=False, corrects_month__isnull=False),
                name="month_line_adjustment_has_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_month} {self.provider_id} {self.community_id} {self.kind}"


class FiguresGeneration(models.Model):
    """The stored figures of one settlement month, counted from the ledger entries up to
    `through_entry`, with the elders' funding ratios of the grants up to `through_grant` and their
    communities as of `through_elder_change` (the elders' history): one `FiguresRow` per line.

    The figures of the month are the latest generation plus what the entries after the watermark
    add, corrected for the few elders whose grants or community changed since (see
    `settlement.figures`). Written by `figures_refresh` (periodically, and when a month is
    confirmed); append-only like the money it counts: a newer generation supersedes, nothing is
    edited."""

    month = models.DateField(_("month"), help_text=_("First day of the month"))
    through_entry = models.BigIntegerField(_("through ledger entry"))
    through_grant = models.BigIntegerField(_("through grant"))
    through_elder_change = models.BigIntegerField(_("through change of an elder"))
    rebuilt = models.BooleanField(_("counted from the whole ledger"), default=False)
    lines = models.PositiveIntegerField(_("lines"), default=0)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["month", "-id"]
        verbose_name = _("stored month figures")
        verbose_name_plural = _("stored month figures")
        indexes = [models.Index(fields=["month", "id"], name="figures_generation_latest")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} @{self.through_entry}"


class FiguresRow(models.Model):
    """One line of a generation: the additive figures of a provider and community in the month
    (kind `service`), or of one order settled as an adjustment (a visit paid late, a late void)."""

    generation = models.ForeignKey(
        FiguresGeneration, on_delete=models.PROTECT, related_name="rows", verbose_name=_("stored month figures")
    )
    kind = models.CharField(_("kind"), max_length=12)
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="+", verbose_name=_("provider"), db_index=False
    )
    community = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"), db_index=False
    )
    work_order = models.ForeignKey(
        "providers.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("work order"),
        db_index=False,
    )
    corrects_month = models.DateField(_("corrects month"), null=True, blank=True)
    entries = models.IntegerField(_("ledger entries"))
    visits = models.IntegerField(_("redeemed visits"), default=0)
    seconds = models.DecimalField(_("seconds served"), max_digits=20, decimal_places=6, default=0)
    voided_visits = models.IntegerField(_("voided visits"), default=0)
    reserved_visits = models.IntegerField(_("visits served again"), default=0)
    subsidy = models.DecimalField(_("paid from subsidy accounts"), max_digits=16, decimal_places=2, default=0)
    personal = models.DecimalField(_("paid from personal accounts"), max_digits=16, decimal_places=2, default=0)
    cash = models.DecimalField(_("co-pay in cash"), max_digits=16, decimal_places=2, default=0)
    voided_amount = models.DecimalField(_("amount voided"), max_digits=16, decimal_places=2, default=0)
    # Unrounded: the district share is rounded once per line, after the parts are added up.
    district_raw = models.DecimalField(_("district share"), max_digits=28, decimal_places=12, default=0)

    class Meta:
        ordering = ["generation_id", "id"]
        verbose_name = _("stored month figures line")
        verbose_name_plural = _("stored month figures lines")

    def __str__(self) -> str:
        return f"{self.generation} {self.kind} {self.provider_id} {self.community_id}"


class QuarterSettlement(TimeStampedModel):
    class Status(models.TextChoices):
        PREPARED = "prepared", _("Prepared, to approve")
        RETURNED = "returned", _("Sent back, to prepare again")
        APPROVED = "approved", _("Approved")

    quarter = models.DateField(_("quarter"), unique=True, help_text=_("First day of the quarter"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PREPARED)
    total = _money(_("amount"))
    subsidy = _money(_("paid from subsidy accounts"))
    copay = _money(_("co-pay"))
    district_share = _money(_("district share"))
    town_share = _money(_("town share"))
    adjustments = _money(_("adjustments"))
    need_people = models.PositiveIntegerField(_("people entitled next quarter"), default=0)
    need_amount = _money(_("need for the next quarter"))
    # Differences between the settlement and the ledger, by provider and town (empty: reconciled).
    differences = models.JSONField(_("differences with the ledger"), default=list, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("prepared by")
    )
    prepared_at = models.DateTimeField(_("prepared at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-quarter"]
        verbose_name = _("quarterly fund settlement")
        verbose_name_plural = _("quarterly fund settlements")
        constraints = [
            # Four eyes: the approver is never the preparer, whatever the code does.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("prepared_by")),
                name="quarter_four_eyes",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["prepared", "returned"], approved_by__isnull=True, approved_at__isnull=True)
                | Q(status="approved", approved_by__isnull=False, approved_at__isnull=False),
                name="quarter_approved_has_approver",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quarter.year}Q{(self.quarter.month - 1) // 3 + 1}"

    @property
    def label(self) -> str:
        return str(self)


class QuarterLine(models.Model):
    """What is owed to one provider for one town in the quarter, with the funding split."""

    settlement = models.ForeignKey(
        QuarterSettlement, on_delete=models.CASCADE, related_name="lines", verbose_name=_("quarter")
    )
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="+", verbose_name=_("provider")
    )
    street = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("street / town"))
    visits = models.IntegerField(_("redeemed visits"), default=0)
    total = _money(_("amount"))
    subsidy = _money(_("paid from subsidy accounts"))
    copay = _money(_("co-pay"))
    adjustments = _money(_("adjustments"))
    district_share = _money(_("district share"))
    town_share = _money(_("town share"))
    month1 = _money(_("first month"))
    month2 = _money(_("second month"))
    month3 = _money(_("third month"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["settlement_id", "provider_id", "street_id"]
        verbose_name = _("quarterly settlement line")
        verbose_name_plural = _("quarterly settlement lines")
        constraints = [models.UniqueConstraint(fields=["settlement", "provider", "street"], name="quarter_line_unique")]

    def __str__(self) -> str:
        return f"{self.settlement} {self.provider_id} {self.street_id}"


class QuarterNeed(models.Model):
    """The next quarter's need of one community and standard: people × monthly amount × 3."""

    settlement = models.ForeignKey(
        QuarterSettlement, on_delete=models.CASCADE, related_name="needs", verbose_name=_("quarter")
    )
    community = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    standard = models.CharField(_("standard"), max_length=120)
    monthly_amount = _money(_("monthly amount"))
    people = models.PositiveIntegerField(_("people"))
    amount = _money(_("amount for the quarter"))

    class Meta:
        ordering = ["settlement_id", "community_id", "standard"]
        verbose_name = _("allocation need")
        verbose_name_plural = _("allocation needs")

    def __str__(self) -> str:
        return f"{self.settlement} {self.community_id} {self.standard}"


class QuarterEvent(models.Model):
    """One move of a quarterly settlement (prepared, sent back with its reason, approved), who and
    when. Append-only: database triggers (migration 0003) refuse UPDATE and DELETE."""

    settlement = models.ForeignKey(
        QuarterSettlement, on_delete=models.CASCADE, related_name="events", verbose_name=_("quarter")
    )
    from_status = models.CharField(_("from"), max_length=10, blank=True, choices=QuarterSettlement.Status.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=QuarterSettlement.Status.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("quarterly settlement event")
        verbose_name_plural = _("quarterly settlement events")

    def __str__(self) -> str:
        return f"{self.settlement} {self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


class SettlementReport(TimeStampedModel):
    """A report file produced in the background; stored under PRIVATE_MEDIA_ROOT."""

    class Kind(models.TextChoices):
        SETTLEMENT_PDF = "settlement_pdf", _("Quarterly settlement report (PDF)")
        SETTLEMENT_XLSX = "settlement_xlsx", _("Quarterly settlement report (XLSX)")
        USAGE_XLSX = "usage_xlsx", _("Community usage statistics (XLSX)")
        CALLBACKS_XLSX = "callbacks_xlsx", _("Callback sampling record (XLSX)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    quarter = models.DateField(_("quarter"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    path = models.CharField(_("file"), max_length=300, blank=True)
    checksum = models.CharField(_("figures checksum"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("settlement report")
        verbose_name_plural = _("settlement reports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quarter:%Y-%m}"


class RepaymentClaim(TimeStampedModel):
    """What a provider owes back (追缴退赔): settlement obtained by fraud or another violation.

    Settled by deductions from the provider's quarterly settlements (`RepaymentDeduction`) and by
    money paid back directly (`RepaymentReceipt`); what remains and the status are derived, never
    stored. Append-only: a mistake is corrected by a new claim or receipt, not an edit.
    """

    class Ground(models.TextChoices):
        # The values of the provider library's termination grounds of the same name.
        FRAUD = "fraud", _("Fraud")
        VIOLATION = "violation", _("Other violation")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("repayment claim", "Open")
        PARTLY_SETTLED = "partly_settled", _("Partly settled")
        SETTLED = "settled", _("Settled")

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="repayment_claims", verbose_name=_("provider")
    )
    district = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("district"))
    amount = _money(_("amount"))
    ground = models.CharField(_("ground"), max_length=20, choices=Ground.choices)
    reason = models.TextField(_("reason"))
    evidence = models.CharField(_("evidence reference"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("repayment claim")
        verbose_name_plural = _("repayment claims")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="repayment_claim_amount_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="repayment_claim_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.amount}"

    def _sum(self, name: str) -> Decimal:
        # Annotated by the selectors (`claims_with_figures`); summed here for a bare instance.
        value = getattr(self, name, None)
        if value is None:
            rows = self.deductions if name == "deducted" else self.receipts
            value = rows.aggregate(s=Sum("amount"))["s"]
        return round_cny(value or 0)

    @property
    def deducted_amount(self) -> Decimal:
        return self._sum("deducted")

    @property
    def received_amount(self) -> Decimal:
        return self._sum("received")

    @property
    def remaining(self) -> Decimal:
        """The amount still owed: the claim minus what was deducted and received."""
        return round_cny(self.amount.amount) - self.deducted_amount - self.received_amount

    @property
    def status(self) -> str:
        if self.remaining <= 0:
            return self.Status.SETTLED
        if self.deducted_amount or self.received_amount:
            return self.Status.PARTLY_SETTLED
        return self.Status.OPEN

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)


class RepaymentDeduction(models.Model):
    """Part of a claim deducted from the provider's payable total in a quarterly settlement.

    Provisional while the quarter is not approved (preparing it again recomputes them, as its
    lines); final once the quarter is approved, when the repayment is booked in the ledger."""

    claim = models.ForeignKey(
        RepaymentClaim, on_delete=models.PROTECT, related_name="deductions", verbose_name=_("repayment claim")
    )
    settlement = models.ForeignKey(
        QuarterSettlement, on_delete=models.PROTECT, related_name="repayment_deductions", verbose_name=_("quarter")
    )
    amount = _money(_("amount deducted"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["settlement_id", "claim_id"]
        verbose_name = _("repayment deduction")
        verbose_name_plural = _("repayment deductions")
        constraints = [
            # A claim is deducted at most once in a quarter, whatever the code does.
            models.UniqueConstraint(fields=["claim", "settlement"], name="repayment_deducted_once_a_quarter"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="repayment_deduction_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.settlement} {self.claim_id} {self.amount}"


class RepaymentReceipt(models.Model):
    """Money of a claim paid back directly by the provider, recorded by finance."""

    class Method(models.TextChoices):
        TRANSFER = "transfer", _("Bank transfer")
        CASH = "cash", _("Cash")
        OTHER = "other", _("Other")

    claim = models.ForeignKey(
        RepaymentClaim, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("repayment claim")
    )
    amount = _money(_("amount received"))
    received_on = models.DateField(_("received on"))
    method = models.CharField(_("payment method"), max_length=10, choices=Method.choices, default=Method.TRANSFER)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["claim_id", "received_on", "id"]
        verbose_name = _("repayment receipt")
        verbose_name_plural = _("repayment receipts")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="repayment_receipt_amount_positive")]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.amount} {self.received_on}"
