"""Inspections (明察暗访, unannounced: 四不两直) and the problems they find, tracked to correction.

An inspector of the district (reviewer or supervisor) or of a street office inspects a community,
a provider or a household. Each problem found is assigned to the unit responsible (a community or
a provider) with a deadline; the unit reports its correction; the inspector's level closes it or
reopens it. Every move is one `ProblemEvent` (append-only).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from eldercare.models import Division, Elder, TimeStampedModel
from outreach.models import EmergencyResponse
from providers.models import Provider

from . import rules


class Level(models.TextChoices):
    DISTRICT = "district", _("District")
    STREET = "street", _("Street office")


class PlaceKind(models.TextChoices):
    COMMUNITY = "community", _("Community")
    PROVIDER = "provider", _("Provider")
    HOUSEHOLD = "household", _("Household")


class Inspection(TimeStampedModel):
    """One visit of an inspector to a place, with what was found there."""

    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    district = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("district"))
    # The street office that inspected (empty for the district's own inspections).
    street = models.ForeignKey(
        Division, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("street office")
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("inspector")
    )
    inspected_on = models.DateField(_("inspected on"))
    place_kind = models.CharField(_("place inspected"), max_length=10, choices=PlaceKind.choices)
    # The community of the place (the household's for a household); empty for a provider's premises.
    community = models.ForeignKey(
        Division, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("provider")
    )
    elder = models.ForeignKey(
        Elder, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("household (elder)")
    )
    response = models.ForeignKey(
        EmergencyResponse,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("emergency response"),
    )
    findings = models.TextField(_("findings"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-inspected_on", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        place_kind=PlaceKind.COMMUNITY,
                        community__isnull=False,
                        provider__isnull=True,
                        elder__isnull=True,
                    )
                    | Q(place_kind=PlaceKind.PROVIDER, provider__isnull=False, elder__isnull=True)
                    | Q(place_kind=PlaceKind.HOUSEHOLD, elder__isnull=False, community__isnull=False)
                ),
                name="inspection_place_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(level=Level.DISTRICT, street__isnull=True) | Q(level=Level.STREET, street__isnull=False),
                name="inspection_street_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspected_on} · {self.place_label}"

    @property
    def place_label(self) -> str:
        if self.place_kind == PlaceKind.HOUSEHOLD and self.elder_id:
            return f"{self.elder.name}（{self.community.name}）"
        if self.place_kind == PlaceKind.PROVIDER and self.provider_id:
            return self.provider.name
        return self.community.name if self.community_id else ""


class Category(models.TextChoices):
    SERVICE = "service", _("Service quality")
    SAFETY = "safety", _("Safety")
    HYGIENE = "hygiene", _("Hygiene and epidemic prevention")
    CONTACT = "contact", _("Contacts and responsible persons")
    SUPPLIES = "supplies", _("Daily necessities")
    RECORDS = "records", _("Records and files")
    FUNDS = "funds", _("Subsidies and funds")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    MINOR = rules.MINOR, _("Minor")
    MAJOR = rules.MAJOR, _("Major")
    SERIOUS = rules.SERIOUS, _("Serious")


class ProblemStatus(models.TextChoices):
    OPEN = rules.OPEN, _("To correct")
    CORRECTED = rules.CORRECTED, _("Corrected, to verify")
    CLOSED = rules.CLOSED, _("Closed")


class UnitKind(models.TextChoices):
    COMMUNITY = "community", _("Community")
    PROVIDER = "provider", _("Provider")


class Problem(TimeStampedModel):
    """A problem found by an inspection, assigned to the unit that must correct it by a deadline.

    Its status changes only through `services.problem_transition`, which writes a `ProblemEvent`."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, related_name="problems", verbose_name=_("inspection")
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("description"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    unit_kind = models.CharField(_("unit responsible"), max_length=10, choices=UnitKind.choices)
    unit_community = models.ForeignKey(
        Division,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community responsible"),
    )
    unit_provider = models.ForeignKey(
        Provider,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("provider responsible"),
    )
    deadline = models.DateField(_("correct by"))
    status = models.CharField(
        _("status"), max_length=10, choices=ProblemStatus.choices, default=ProblemStatus.OPEN, editable=False
    )
    corrected_at = models.DateTimeField(_("correction reported at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("problem found")
        verbose_name_plural = _("problems found")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_kind=UnitKind.COMMUNITY, unit_community__isnull=False, unit_provider__isnull=True)
                | Q(unit_kind=UnitKind.PROVIDER, unit_provider__isnull=False, unit_community__isnull=True),
                name="inspection_problem_one_unit",
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.unit_label}"

    @property
    def unit_label(self) -> str:
        if self.unit_kind == UnitKind.PROVIDER and self.unit_provider_id:
            return self.unit_provider.name
        return self.unit_community.name if self.unit_community_id else ""

    def is_overdue(self, today) -> bool:
        return rules.is_overdue(self.status, self.deadline, today)


class Correction(models.Model):
    """What the unit did about a problem, as it reported it (append-only: each report a row)."""

    problem = models.ForeignKey(
        Problem, on_delete=models.PROTECT, related_name="corrections", verbose_name=_("problem")
    )
    action_taken = models.TextField(_("what was done"))
    evidence = models.TextField(_("evidence"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("reported at"))

    class Meta:
        ordering = ["problem_id", "created_at", "id"]
        verbose_name = _("correction report")
        verbose_name_plural = _("correction reports")

    def __str__(self) -> str:
        return f"{self.problem_id} · {self.created_at:%Y-%m-%d}"


class ProblemEvent(models.Model):
    """One move of a problem: who, when, from, to, with the opinion or the report. Append-only."""

    class Action(models.TextChoices):
        CREATE = rules.CREATE, _("Found and assigned")
        CORRECT = rules.CORRECT, _("Correction reported")
        VERIFY = rules.VERIFY, _("Verified and closed")
        REOPEN = rules.REOPEN, _("Reopened")

    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="events", verbose_name=_("problem"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=10, choices=ProblemStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=ProblemStatus.choices)
    note = models.TextField(_("opinion"), blank=True)
    deadline = models.DateField(_("correct by"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["problem_id", "created_at", "id"]
        verbose_name = _("problem event")
        verbose_name_plural = _("problem events")

    def __str__(self) -> str:
        return f"{self.problem_id} {self.from_status}→{self.to_status}"


class UnpaidReading(models.Model):
    """A stored reading of one month's unpaid elders for the continuity report: those with an
    entitlement covering the month and no grant of it when it was taken (`as_of`). Replaced by the
    next reading of the month (scheduled every half hour); the report adds to it, live, the elders
    whose entitlement changed since and checks each one read against today's entitlements and
    grants, so a reading only makes the report fast, never different (see `continuity`)."""

    month = models.DateField(_("month"), unique=True)
    as_of = models.DateTimeField(_("taken at"))

    class Meta:
        ordering = ["month"]
        verbose_name = _("unpaid-month reading")
        verbose_name_plural = _("unpaid-month readings")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} @ {self.as_of:%Y-%m-%d %H:%M}"


class UnpaidElder(models.Model):
    """An elder the reading found unpaid for its month."""

    reading = models.ForeignKey(
        UnpaidReading, on_delete=models.CASCADE, related_name="elders", verbose_name=_("reading")
    )
    elder = models.ForeignKey(Elder, on_delete=models.CASCADE, related_name="+", verbose_name=_("elder"))

    class Meta:
        verbose_name = _("unpaid elder")
        verbose_name_plural = _("unpaid elders")
        constraints = [models.UniqueConstraint(fields=["reading", "elder"], name="unpaid_elder_once")]

    def __str__(self) -> str:
        return f"{self.reading} {self.elder_id}"


class VisitGapReading(models.Model):
    """A stored reading of the living elders with a gap in their visits on a day (a visit of the
    last 14 days cancelled or voided, booked and never served, or served too short), with their
    community and name: the continuity report's order. Replaced by the next reading (scheduled
    every half hour while a response is in progress); the report reads every elder whose record or
    visits were saved since it was taken live, so a reading only makes the report fast, never
    different (see `continuity`)."""

    day = models.DateField(_("day"), unique=True)
    as_of = models.DateTimeField(_("taken at"))

    class Meta:
        ordering = ["day"]
        verbose_name = _("visit-gap reading")
        verbose_name_plural = _("visit-gap readings")

    def __str__(self) -> str:
        return f"{self.day} @ {self.as_of:%Y-%m-%d %H:%M}"


class VisitGapElder(models.Model):
    """An elder the reading found with a gap in their visits, with their community and name then."""

    reading = models.ForeignKey(
        VisitGapReading, on_delete=models.CASCADE, related_name="elders", verbose_name=_("reading")
    )
    elder = models.ForeignKey(Elder, on_delete=models.CASCADE, related_name="+", verbose_name=_("elder"))
    community = models.ForeignKey(Division, on_delete=models.CASCADE, related_name="+", verbose_name=_("community"))
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("elder with a visit gap")
        verbose_name_plural = _("elders with a visit gap")
        constraints = [models.UniqueConstraint(fields=["reading", "elder"], name="visit_gap_elder_once")]
        indexes = [models.Index(fields=["reading", "community"], name="visit_gap_community")]

    def __str__(self) -> str:
        return f"{self.reading} {self.elder_id}"
