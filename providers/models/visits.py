"""Work orders (booked home visits), their events and check requests."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField
from simple_history.models import HistoricalRecords

from eldercare.models import Elder, TimeStampedModel

from .catalogue import ServiceItem, ServicePackage
from .library import Caregiver, Provider


class WorkOrder(TimeStampedModel):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        ASSIGNED = "assigned", _("Assigned")
        IN_PROGRESS = "in_progress", _("Checked in")
        COMPLETED = "completed", _("Completed and redeemed")
        SHORT = "short", _("Too short, to be served again")
        HELD = "held", _("Held: an exception to resolve")
        VOIDED = "voided", _("Voided (作废单)")
        CANCELLED = "cancelled", _("Cancelled")

    class BookedVia(models.TextChoices):
        FAMILY = "family", _("Family, through the community worker")
        COMMUNITY = "community", _("Community")
        PROVIDER = "provider", _("Provider")

    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="work_orders", verbose_name=_("elder"))
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="work_orders", verbose_name=_("provider")
    )
    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="work_orders", verbose_name=_("service item")
    )
    price = MoneyField(_("price"), max_digits=10, decimal_places=2, default_currency="CNY")
    # Booked as part of a package: each item is its own visit, priced at its share of the package.
    package = models.ForeignKey(
        ServicePackage,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
        verbose_name=_("package"),
    )
    # "Pay it myself": paid from the personal account and cash at market price, never the subsidy.
    self_paid = models.BooleanField(_("paid by the elder"), default=False, db_default=False)
    scheduled_at = models.DateTimeField(_("scheduled for"), db_index=True)
    booked_via = models.CharField(_("booked by"), max_length=10, choices=BookedVia.choices)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    caregiver = models.ForeignKey(
        Caregiver,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
        verbose_name=_("caregiver"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.BOOKED, db_index=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    check_in_lat = models.DecimalField(_("check-in latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    check_in_lng = models.DecimalField(_("check-in longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    check_out_lat = models.DecimalField(_("check-out latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    check_out_lng = models.DecimalField(_("check-out longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    class CheckMethod(models.TextChoices):
        SCANNED = "scanned", _("QR card scanned")
        TYPED = "typed", _("Short code typed")

    class Confirmation(models.TextChoices):
        CODE = "code", _("One-time code from the card")
        SIGNATURE = "signature", _("Signature on the phone")

    check_in_method = models.CharField(
        _("card at check-in"), max_length=8, choices=CheckMethod.choices, blank=True, db_default=""
    )
    check_in_distance_m = models.PositiveIntegerField(_("check-in distance from home (m)"), null=True, blank=True)
    check_out_distance_m = models.PositiveIntegerField(_("check-out distance from home (m)"), null=True, blank=True)
    confirmed_by = models.CharField(
        _("elder's confirmation"), max_length=10, choices=Confirmation.choices, blank=True, db_default=""
    )
    confirmation_card_version = models.PositiveIntegerField(_("card version of the code"), null=True, blank=True)
    confirmation_code_no = models.PositiveSmallIntegerField(_("one-time code number"), null=True, blank=True)
    signature = models.ImageField(
        _("elder's signature"), upload_to="visit-signatures/%Y/%m/", blank=True, db_default=""
    )
    notes = models.TextField(_("caregiver's notes"), blank=True)
    overlap_flagged = models.BooleanField(_("overlaps another visit"), default=False)
    redemption = models.ForeignKey(
        "vouchers.LedgerTransaction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("redemption"),
    )
    reversal = models.ForeignKey(
        "vouchers.LedgerTransaction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reversal"),
    )
    void_reason = models.TextField(_("reason voided"), blank=True)
    reservice_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reservices",
        verbose_name=_("serves again"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        constraints = [
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_in_at__isnull=False, checked_out_at__gte=F("checked_in_at")),
                name="workorder_checkout_after_checkin",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["assigned", "in_progress", "completed", "short", "held"])
                | Q(caregiver__isnull=False),
                name="workorder_assigned_has_caregiver",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["in_progress", "completed", "short"]) | Q(checked_in_at__isnull=False),
                name="workorder_started_has_checkin",
            ),
            # Each one-time code of a card confirms one visit.
            models.UniqueConstraint(
                fields=["elder", "confirmation_card_version", "confirmation_code_no"],
                condition=Q(confirmation_code_no__isnull=False),
                name="workorder_code_used_once",
            ),
            # One re-service order per order served again.
            models.UniqueConstraint(fields=["reservice_of"], name="workorder_one_reservice"),
        ]
        indexes = [
            models.Index(fields=["provider", "scheduled_at"]),
            models.Index(fields=["caregiver", "scheduled_at"]),
            models.Index(fields=["elder", "scheduled_at"]),
            # The settlement counts a month's short visits live (an order becomes short at any
            # time, by a decision): only the few short orders, by their check-out.
            models.Index(fields=["checked_out_at"], condition=Q(status="short"), name="work_order_short_checked_out"),
            # The continuity report's visits cancelled or never served in the last days: a few
            # statuses over a few days, their elders read from the index alone (the visits lie
            # scattered over the table: a page read for each).
            models.Index(fields=["status", "scheduled_at"], include=["elder"], name="work_order_status_scheduled"),
            # The visit frequency report's elders with a visit changed since its stored reading.
            models.Index(fields=["updated_at"], name="work_order_updated_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.elder.name} {self.item.name}"

    @property
    def duration_minutes(self) -> int | None:
        if self.checked_in_at and self.checked_out_at:
            return int((self.checked_out_at - self.checked_in_at).total_seconds() // 60)
        return None


class WorkOrderEvent(models.Model):
    """One move of a work order's status, who made it and why."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events", verbose_name=_("work order"))
    from_status = models.CharField(_("from"), max_length=12, choices=WorkOrder.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=WorkOrder.Status.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("work order event")
        verbose_name_plural = _("work order events")

    def __str__(self) -> str:
        return f"#{self.order_id} {self.from_status} → {self.to_status}"


class CheckRequest(models.Model):
    """A check-in or check-out request already handled, by its client request id: a retry is a no-op."""

    key = models.CharField(_("request id"), max_length=80, unique=True)
    order = models.ForeignKey(
        WorkOrder, on_delete=models.CASCADE, related_name="check_requests", verbose_name=_("work order")
    )
    action = models.CharField(_("action"), max_length=10)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("check-in/out request")
        verbose_name_plural = _("check-in/out requests")

    def __str__(self) -> str:
        return self.key
