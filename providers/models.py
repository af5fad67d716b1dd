"""Providers in the district library and the elders who signed a service agreement with them."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from eldercare.models import Division, Elder, TimeStampedModel


class Provider(TimeStampedModel):
    class Kind(models.TextChoices):
        WELFARE_INSTITUTION = "welfare", _("Welfare institution")
        MEDICAL = "medical", _("Licensed medical institution / community health centre")
        SOCIAL_ORGANISATION = "social", _("Registered community organisation")
        BUSINESS = "business", _("Registered business")

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        CONTRACTED = "contracted", _("Contracted")
        SUSPENDED = "suspended", _("Suspended")
        TERMINATED = "terminated", _("Terminated")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind of organisation"), max_length=20, choices=Kind.choices)
    licence_number = models.CharField(_("licence number"), max_length=60, unique=True)
    district = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="providers", verbose_name=_("district"),
        limit_choices_to={"level": Division.Level.DISTRICT},
    )
    streets = models.ManyToManyField(
        Division, related_name="served_by", blank=True, verbose_name=_("streets served"),
        limit_choices_to={"level": Division.Level.STREET},
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.CANDIDATE)
    status_reason = models.TextField(_("status reason"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")

    def __str__(self) -> str:
        return self.name


class ServiceAgreement(TimeStampedModel):
    """The agreement an elder signs with the provider they chose; it lets the provider see the elder."""

    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="service_agreements", verbose_name=_("elder"))
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("provider"))
    signed_on = models.DateField(_("signed on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-signed_on", "id"]
        verbose_name = _("service agreement")
        verbose_name_plural = _("service agreements")
        constraints = [
            models.UniqueConstraint(
                fields=["elder", "provider"], condition=models.Q(ends_on__isnull=True), name="agreement_one_open_per_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.elder} — {self.provider}"
