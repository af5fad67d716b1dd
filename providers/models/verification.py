"""Presence at the door: the district's verification policy, the elder's home location, the
exceptions that hold a visit's payment, the reason codes (a data table) and the corrections that
resolve them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from eldercare.models import Division, Elder, TimeStampedModel

from .visits import WorkOrder


class VisitPolicy(TimeStampedModel):
    """How a district verifies presence at the door. A district without a row uses the defaults."""

    district = models.OneToOneField(
        Division,
        on_delete=models.PROTECT,
        related_name="visit_policy",
        limit_choices_to={"level": Division.Level.DISTRICT},
        verbose_name=_("district"),
    )
    early_minutes = models.PositiveSmallIntegerField(
        _("check-in allowed early (minutes)"), default=30, help_text=_("before the booked start")
    )
    late_minutes = models.PositiveSmallIntegerField(
        _("check-in allowed late (minutes)"), default=120, help_text=_("after the booked start")
    )
    use_location = models.BooleanField(
        _("compare the phone's location with the home"),
        default=True,
        help_text=_("only when the caregiver's phone gives it; never required"),
    )
    geofence_metres = models.PositiveIntegerField(_("geofence radius (metres)"), default=300)
    confirmation_required = models.BooleanField(
        _("the elder confirms each visit"),
        default=True,
        help_text=_("a one-time code from the back of the card or a signature on the caregiver's phone"),
    )
    long_visit_factor = models.DecimalField(
        _("a visit is too long beyond (× the item's minutes)"), max_digits=3, decimal_places=1, default=2
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visit verification policy")
        verbose_name_plural = _("visit verification policies")
        constraints = [
            models.CheckConstraint(condition=Q(long_visit_factor__gte=1), name="visitpolicy_factor_at_least_one"),
            models.CheckConstraint(condition=Q(geofence_metres__gte=50), name="visitpolicy_geofence_at_least_50"),
        ]

    def __str__(self) -> str:
        return str(self.district)


class HomeLocation(TimeStampedModel):
    """Where the elder's registered address is, for the geofence: located by the community worker
    at the home, or taken from the first verified visit (QR card, elder's confirmation, no
    exception)."""

    class Source(models.TextChoices):
        COMMUNITY = "community", _("Located by the community")
        FIRST_VISIT = "first_visit", _("From the first verified visit")

    elder = models.OneToOneField(Elder, on_delete=models.CASCADE, related_name="home_location", verbose_name=_("elder"))
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    order = models.ForeignKey(
        WorkOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("visit")
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("home location")
        verbose_name_plural = _("home locations")
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180), name="homelocation_in_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.elder} {self.lat},{self.lng}"


class ReasonCode(models.Model):
    """Why a visit record is corrected (a data table the district keeps, like EVV reason codes)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80)
    note_required = models.BooleanField(_("a note is required"), default=False)
    active = models.BooleanField(_("in use"), default=True)
    sort = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("reason code")
        verbose_name_plural = _("reason codes")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if translation.get_language() == "en" else self.name_zh


class ExceptionKind(models.TextChoices):
    MISSED_CHECKOUT = "missed_checkout", _("Missed check-out")
    NO_SHOW = "no_show", _("No-show: not checked in")
    EARLY = "early", _("Checked in early")
    LATE = "late", _("Checked in late")
    LONG_VISIT = "long_visit", _("Far longer than the item's standard")
    OVERLAP = "overlap", _("Overlaps another visit of the caregiver")
    OUTSIDE_GEOFENCE = "geofence", _("Location outside the home's geofence")
    NO_CONFIRMATION = "unconfirmed", _("No confirmation by the elder")


class VisitCorrection(models.Model):
    """The provider's proposal to correct a held visit (times, reason code, note, evidence) and the
    town's or district's decision. The original values are kept on the row."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Awaiting a decision")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="corrections", verbose_name=_("visit"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    reason = models.ForeignKey(ReasonCode, on_delete=models.PROTECT, related_name="+", verbose_name=_("reason code"))
    note = models.TextField(_("note"), blank=True)
    evidence = models.ImageField(_("evidence photo"), upload_to="visit-evidence/%Y/%m/", blank=True)
    checked_in_at = models.DateTimeField(_("checked in at (corrected)"))
    checked_out_at = models.DateTimeField(_("checked out at (corrected)"))
    original_checked_in_at = models.DateTimeField(_("checked in at (as recorded)"), null=True, blank=True)
    original_checked_out_at = models.DateTimeField(_("checked out at (as recorded)"), null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("visit correction")
        verbose_name_plural = _("visit corrections")
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=Q(status="proposed"), name="visitcorrection_one_open_per_visit"
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__gt=models.F("checked_in_at")), name="visitcorrection_out_after_in"
            ),
            models.CheckConstraint(
                condition=Q(status="proposed", decided_at__isnull=True)
                | (~Q(status="proposed") & Q(decided_at__isnull=False)),
                name="visitcorrection_decided_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.order_id} {self.get_status_display()}"


class VisitException(models.Model):
    """A reason a visit is not paid as recorded. An open exception holds the visit's payment until a
    correction is approved (paid with the corrected times) or rejected (voided)."""

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="exceptions", verbose_name=_("visit"))
    kind = models.CharField(_("exception"), max_length=16, choices=ExceptionKind.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    opened_at = models.DateTimeField(_("opened at"))
    resolved_by = models.ForeignKey(
        VisitCorrection,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resolves",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["opened_at", "id"]
        verbose_name = _("visit exception")
        verbose_name_plural = _("visit exceptions")
        constraints = [models.UniqueConstraint(fields=["order", "kind"], name="visitexception_one_per_kind")]
        indexes = [models.Index(fields=["resolved_at", "opened_at"])]

    def __str__(self) -> str:
        return f"#{self.order_id} {self.get_kind_display()}"
