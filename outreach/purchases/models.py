"""Buy-on-behalf of daily necessities (爱心帮买): a household's order, the community's purchase
run at its partner supermarket, the packing, the contactless delivery and the payment.

The elder is the household. An order's state changes only through `services` (one event row per
change); deliveries and payments are append-only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from djmoney.models.fields import MoneyField
from simple_history.models import HistoricalRecords

from eldercare.models import Division, Elder, TimeStampedModel

from . import rules


def _money(label):
    return MoneyField(label, max_digits=10, decimal_places=2, default_currency="CNY")


class Necessity(TimeStampedModel):
    """An item of the catalogue of daily necessities; its price is typical, the supermarket's
    actual price is entered when it packs."""

    name = models.CharField(pgettext_lazy("thing", "name"), max_length=60, unique=True)
    unit = models.CharField(_("unit"), max_length=20)
    typical_price = _money(_("typical price"))
    position = models.PositiveSmallIntegerField(_("position in the list"), default=0)
    active = models.BooleanField(_("offered"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("necessity")
        verbose_name_plural = _("necessities")
        constraints = [
            models.CheckConstraint(condition=Q(typical_price__gte=0), name="purchases_necessity_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class PartnerSupermarket(TimeStampedModel):
    """A charity supermarket that packs the orders of a district or of some of its streets."""

    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100)
    district = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("district"))
    streets = models.ManyToManyField(
        Division,
        blank=True,
        related_name="+",
        verbose_name=_("streets served"),
        help_text=_("None chosen: the whole district."),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    payment_qr = models.CharField(
        _("payment QR code"), max_length=500, help_text=_("The text or link of the supermarket's payment code.")
    )
    active = models.BooleanField(_("in partnership"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("partner supermarket")
        verbose_name_plural = _("partner supermarkets")

    def __str__(self) -> str:
        return self.name


class SupermarketStaff(TimeStampedModel):
    """A login of a supermarket's staff (who holds the supermarket staff role)."""

    supermarket = models.ForeignKey(
        PartnerSupermarket, on_delete=models.CASCADE, related_name="staff", verbose_name=_("partner supermarket")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supermarket_links", verbose_name=_("login")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["supermarket_id", "user_id"]
        verbose_name = _("supermarket staff")
        verbose_name_plural = _("supermarket staff")
        constraints = [models.UniqueConstraint(fields=["supermarket", "user"], name="purchases_staff_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.supermarket}"


class RunKind(models.TextChoices):
    REGULAR = rules.REGULAR, _("Regular (every 3 days)")
    URGENT = rules.URGENT, _("Urgent (same day)")


class PurchaseRun(TimeStampedModel):
    """The orders of one community sent to its partner supermarket on one day."""

    community = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    supermarket = models.ForeignKey(
        PartnerSupermarket, on_delete=models.PROTECT, related_name="runs", verbose_name=_("partner supermarket")
    )
    run_date = models.DateField(_("run date"))
    cycle = models.PositiveIntegerField(_("run number"), help_text=_("The community's runs counted from 1."))
    kind = models.CharField(_("kind"), max_length=10, choices=RunKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("made by")
    )
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("handed over by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-run_date", "-id"]
        verbose_name = _("purchase run")
        verbose_name_plural = _("purchase runs")
        constraints = [
            models.UniqueConstraint(fields=["community", "cycle"], name="purchases_run_number_unique"),
            models.UniqueConstraint(
                fields=["community", "run_date"],
                condition=Q(kind=rules.REGULAR),
                name="purchases_one_regular_run_a_day",
            ),
            models.CheckConstraint(
                condition=Q(handed_over_at__isnull=True, handed_over_by__isnull=True)
                | Q(handed_over_at__isnull=False, handed_over_by__isnull=False),
                name="purchases_run_handed_over_by_someone",
            ),
        ]
        indexes = [models.Index(fields=["supermarket", "handed_over_at"])]

    def __str__(self) -> str:
        return f"{self.community.name} #{self.cycle} · {self.run_date:%Y-%m-%d}"


class OrderStatus(models.TextChoices):
    REQUESTED = rules.REQUESTED, _("Requested")
    IN_RUN = rules.IN_RUN, _("In a purchase run")
    PACKED = rules.PACKED, _("Packed")
    HANDED_OVER = rules.HANDED_OVER, _("Handed over to the community")
    DELIVERED = rules.DELIVERED, _("Delivered")
    PAID = rules.PAID, _("Paid")
    CANCELLED = rules.CANCELLED, _("Cancelled")


class PurchaseRequest(TimeStampedModel):
    """A household's order of necessities; `amount_due` is the sum of the packed items' prices."""

    elder = models.ForeignKey(
        Elder, on_delete=models.PROTECT, related_name="purchase_requests", verbose_name=_("elder")
    )
    community = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    urgent = models.BooleanField(_("urgent"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"))
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.REQUESTED)
    run = models.ForeignKey(
        PurchaseRun,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=_("purchase run"),
    )
    amount_due = MoneyField(
        _("amount to pay"), max_digits=10, decimal_places=2, default_currency="CNY", null=True, blank=True
    )
    packed_at = models.DateTimeField(_("packed at"), null=True, blank=True)
    packed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("packed by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("necessities order")
        verbose_name_plural = _("necessities orders")
        constraints = [
            models.CheckConstraint(
                condition=Q(status=rules.REQUESTED, run__isnull=True)
                | Q(status=rules.CANCELLED)
                | Q(status__in=rules.IN_A_RUN, run__isnull=False),
                name="purchases_request_run_matches_status",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=rules.PRICED) | Q(amount_due__isnull=False, packed_at__isnull=False),
                name="purchases_request_priced_when_packed",
            ),
            models.CheckConstraint(
                condition=Q(amount_due__isnull=True) | Q(amount_due__gte=0), name="purchases_amount_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["community", "status"]), models.Index(fields=["elder", "status"])]

    def __str__(self) -> str:
        return f"{self.elder.name} · {self.requested_at:%Y-%m-%d} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in rules.OPEN_STATES


class PurchaseItem(TimeStampedModel):
    """One line of an order: a catalogue item or something described in words, and the quantity;
    the supermarket enters the line's actual price, or marks it unavailable."""

    request = models.ForeignKey(
        PurchaseRequest, on_delete=models.CASCADE, related_name="items", verbose_name=_("necessities order")
    )
    necessity = models.ForeignKey(
        Necessity, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("necessity")
    )
    free_text = models.CharField(_("other item"), max_length=100, blank=True)
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    price = MoneyField(
        _("actual price of the line"), max_digits=10, decimal_places=2, default_currency="CNY", null=True, blank=True
    )
    unavailable = models.BooleanField(_("not available"), default=False)

    class Meta:
        ordering = ["request_id", "id"]
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        constraints = [
            models.CheckConstraint(
                condition=(Q(necessity__isnull=False) & Q(free_text=""))
                | (Q(necessity__isnull=True) & ~Q(free_text="")),
                name="purchases_item_catalogue_or_words",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=rules.MAX_QUANTITY), name="purchases_item_quantity_range"
            ),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | (Q(price__gte=0) & Q(unavailable=False)),
                name="purchases_item_priced_unless_unavailable",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} × {self.quantity}"

    @property
    def label(self) -> str:
        return str(self.necessity) if self.necessity_id else self.free_text


class OrderEvent(models.Model):
    """One change of an order's state (append-only)."""

    request = models.ForeignKey(
        PurchaseRequest, on_delete=models.CASCADE, related_name="events", verbose_name=_("necessities order")
    )
    from_status = models.CharField(_("from"), max_length=20, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=OrderStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("order event")
        verbose_name_plural = _("order events")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status or '—'} → {self.to_status}"


class Delivery(TimeStampedModel):
    """The contactless hand-over of an order at the household's door (append-only)."""

    request = models.OneToOneField(
        PurchaseRequest, on_delete=models.PROTECT, related_name="delivery", verbose_name=_("necessities order")
    )
    contactless = models.BooleanField(_("without contact"), default=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("delivered by")
    )
    at = models.DateTimeField(_("delivered at"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.request_id} · {self.at:%Y-%m-%d %H:%M}"


class PaymentMethod(models.TextChoices):
    QR = "qr", _("Scanned the payment code")
    CASH = "cash", _("Cash")
    FUND = "fund", _("Paid by the assistance fund")


class Payment(TimeStampedModel):
    """The household's payment of an order (append-only); a code payment carries its reference."""

    request = models.OneToOneField(
        PurchaseRequest, on_delete=models.PROTECT, related_name="payment", verbose_name=_("necessities order")
    )
    method = models.CharField(
        pgettext_lazy("necessities order", "payment method"), max_length=10, choices=PaymentMethod.choices
    )
    reference = models.CharField(_("payment reference"), max_length=64, blank=True)
    amount = _money(_("amount"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    at = models.DateTimeField(_("paid at"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(
                fields=["method", "reference"], condition=~Q(reference=""), name="purchases_payment_reference_unique"
            ),
            models.CheckConstraint(
                condition=~Q(method=PaymentMethod.QR) | ~Q(reference=""), name="purchases_qr_payment_has_reference"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="purchases_payment_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} · {self.get_method_display()} · {self.amount}"
