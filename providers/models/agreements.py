"""Service agreements (the elder chose a provider) and the elders' service cards."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from eldercare.models import Elder, TimeStampedModel

from .library import Provider


class ServiceAgreement(TimeStampedModel):
    """The agreement an elder signs with the provider they chose; it lets the provider see the elder."""

    elder = models.ForeignKey(
        Elder, on_delete=models.PROTECT, related_name="service_agreements", verbose_name=_("elder")
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("provider")
    )
    signed_on = models.DateField(_("signed on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-signed_on", "id"]
        verbose_name = _("service agreement")
        verbose_name_plural = _("service agreements")
        constraints = [
            models.UniqueConstraint(
                fields=["elder", "provider"],
                condition=models.Q(ends_on__isnull=True),
                name="agreement_one_open_per_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.elder} — {self.provider}"


class ElderCard(TimeStampedModel):
    """The elder's personal QR card kept at home: a signed token and a short code to type.

    Reissuing a card (lost card) replaces the row's code and version; older tokens stop working.
    """

    elder = models.OneToOneField(Elder, on_delete=models.CASCADE, related_name="card", verbose_name=_("elder"))
    short_code = models.CharField(_("short code"), max_length=12, unique=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    issued_at = models.DateTimeField(_("issued at"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["elder_id"]
        verbose_name = _("elder QR card")
        verbose_name_plural = _("elder QR cards")

    def __str__(self) -> str:
        return self.short_code
