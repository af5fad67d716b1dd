"""The seams other parts of the product read: schemes, care-level assessments and entitlements."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from eldercare.models import Division, Elder, TimeStampedModel


class CareLevel(models.TextChoices):
    SELF_CARE = "self_care", _("Self-care (自理)")
    SEMI_DISABLED = "semi_disabled", _("Semi-disabled (半失能)")
    DISABLED = "disabled", _("Disabled (失能)")


class Scheme(TimeStampedModel):
    """A subsidy scheme of a jurisdiction (e.g. scheme A, Jiangdu; scheme B, Shenzhen).

    Its standards live in dated policy versions; the scheme itself never changes its figures.
    """

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
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
        indexes = [models.Index(fields=["elder", "effective_from"])]

    def __str__(self) -> str:
        return f"{self.elder.name} {self.assessed_on} {self.get_care_level_display()}"


class Entitlement(TimeStampedModel):
    """An approved subsidy: the elder is entitled under `scheme` from `start_month` on.

    Created by the district's approval; ended (end_month set) by death, moving away, cancellation
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
    # The application whose district approval created this entitlement (None for imported ones).
    application = models.OneToOneField(
        "subsidies.Application",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entitlement",
        verbose_name=_("application"),
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
        indexes = [models.Index(fields=["status", "start_month"])]

    def __str__(self) -> str:
        return f"{self.elder.name} {self.scheme} {self.start_month:%Y-%m}"
