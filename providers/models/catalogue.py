"""A provider's catalogue: service items and packages."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from djmoney.models.fields import MoneyField
from simple_history.models import HistoricalRecords

from eldercare.models import TimeStampedModel

from ..rules import MIN_VISIT_MINUTES
from .library import CertificateKind, Provider


class ServiceKind(models.TextChoices):
    MEAL = "meal", _("Meal help (助餐)")
    CLEANING = "cleaning", _("Cleaning (助洁)")
    EMERGENCY = "emergency", _("Emergency help (助急)")
    PERSONAL_CARE = "personal_care", _("Personal care (生活照料)")
    COMPANIONSHIP = "companionship", _("Companionship (精神慰藉)")
    ERRANDS = "errands", _("Errands (代办服务)")


class Approval(models.TextChoices):
    """The district approves what a provider offers before it can be booked."""

    PENDING = "pending", _("Awaiting the district's approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Versioned(TimeStampedModel):
    """A catalogue entry in force from a date; a change is a new version that ends the previous
    one the day before it starts. The district approves each version."""

    valid_from = models.DateField(_("in force from"), default=timezone.localdate)
    valid_until = models.DateField(_("in force until"), null=True, blank=True)
    approval = models.CharField(_("approval"), max_length=10, choices=Approval.choices, default=Approval.PENDING)
    approval_note = models.TextField(_("approval note"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    approved_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        abstract = True


class ServiceItem(Versioned):
    """One item of a provider's catalogue. A price change is a new version; old orders keep theirs.

    Subsidised items last at least the one-hour visit; self-paid items are bought at market price
    from the elder's own money and never touch the subsidy.
    """

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="items", verbose_name=_("provider"))
    kind = models.CharField(_("kind of service"), max_length=20, choices=ServiceKind.choices)
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100)
    price = MoneyField(_("price"), max_digits=10, decimal_places=2, default_currency="CNY")
    minutes = models.PositiveIntegerField(_("standard duration (minutes)"), default=MIN_VISIT_MINUTES)
    certificate_kind = models.CharField(
        _("certificate needed"), max_length=20, choices=CertificateKind.choices, blank=True
    )
    subsidised = models.BooleanField(_("paid by the subsidy"), default=True)
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="versions", verbose_name=_("replaces")
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["provider_id", "kind", "name"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="service_item_price_positive"),
            models.CheckConstraint(
                condition=Q(subsidised=False) | Q(minutes__gte=MIN_VISIT_MINUTES), name="service_item_one_hour"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="service_item_valid_dates",
            ),
            models.UniqueConstraint(fields=["replaces"], name="service_item_one_successor"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.price})"


class ServicePackage(Versioned):
    """A menu of the provider's items at one package price; booking it books each item's visit."""

    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="packages", verbose_name=_("provider")
    )
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100)
    items = models.ManyToManyField(ServiceItem, related_name="packages", verbose_name=_("items"))
    price = MoneyField(_("package price"), max_digits=10, decimal_places=2, default_currency="CNY")
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="versions", verbose_name=_("replaces")
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["provider_id", "name"]
        verbose_name = _("service package")
        verbose_name_plural = _("service packages")
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="service_package_price_positive"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="service_package_valid_dates",
            ),
            models.UniqueConstraint(fields=["replaces"], name="service_package_one_successor"),
        ]

    def __str__(self) -> str:
        return self.name
