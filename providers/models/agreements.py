"""Service agreements (the elder chose a provider) and the elders' service cards."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
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

    class EndReason(models.TextChoices):
        ELDER_CHOICE = "elder_choice", _("The elder ended it")
        CHANGED_PROVIDER = "changed_provider", _("The elder changed provider")
        PROVIDER_TERMINATED = "provider_terminated", _("The provider's qualification ended")
        LIFE_EVENT = "life_event", _("The elder died or moved away")
        OTHER = "other", _("Other")

    signed_on = models.DateField(_("signed on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    # Who entered it: the community worker, or the provider admin with the elder's stated consent.
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )
    consent = models.CharField(_("how the elder consented"), max_length=200, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=20, choices=EndReason.choices, blank=True)
    end_note = models.CharField(_("note on the end"), max_length=200, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ended by"),
    )
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
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("signed_on")), name="agreement_ends_after_signing"
            ),
        ]
        indexes = [
            # a provider admin's agreements list, latest signed first. (An index on the order alone
            # would serve a district's list but slow a community's: its elders are few among the
            # latest signed, read one by one through the join.)
            models.Index(fields=["provider", "signed_on", "id"], name="agreement_provider_signed_idx"),
            # The visit frequency report's elders with an agreement changed since its stored reading.
            models.Index(fields=["updated_at"], name="agreement_updated_at"),
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


class CardIssue(models.Model):
    """One issue or re-issue of an elder's card: who, when, why (append-only)."""

    card = models.ForeignKey(ElderCard, on_delete=models.PROTECT, related_name="issues", verbose_name=_("card"))
    version = models.PositiveIntegerField(_("version"))
    reason = models.CharField(_("reason"), max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("card issue")
        verbose_name_plural = _("card issues")
        constraints = [models.UniqueConstraint(fields=["card", "version"], name="card_issue_one_per_version")]

    def __str__(self) -> str:
        return f"{self.card} v{self.version}"
