"""A provider's catalogue: service items and packages."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
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


class ServiceItem(TimeStampedModel):
    """One item of a provider's catalogue. A price change is a new item; old orders keep theirs."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="items", verbose_name=_("provider"))
    kind = models.CharField(_("kind of service"), max_length=20, choices=ServiceKind.choices)
    name = models.CharField(_("name"), max_length=100)
    price = MoneyField(_("price"), max_digits=10, decimal_places=2, default_currency="CNY")
    minutes = models.PositiveIntegerField(_("standard duration (minutes)"), default=MIN_VISIT_MINUTES)
    certificate_kind = models.CharField(
        _("certificate needed"), max_length=20, choices=CertificateKind.choices, blank=True
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["provider_id", "kind", "name"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="service_item_price_not_negative")]

    def __str__(self) -> str:
        return f"{self.name} ({self.price})"


class ServicePackage(TimeStampedModel):
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="packages", verbose_name=_("provider")
    )
    name = models.CharField(_("name"), max_length=100)
    items = models.ManyToManyField(ServiceItem, related_name="packages", verbose_name=_("items"))
    price = MoneyField(_("package price"), max_digits=10, decimal_places=2, default_currency="CNY")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["provider_id", "name"]
        verbose_name = _("service package")
        verbose_name_plural = _("service packages")

    def __str__(self) -> str:
        return self.name
