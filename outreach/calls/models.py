"""Active care calls (12349 主动关爱): the district's call plans, the lists they generate each day,
the outcome of each call (append-only) and the home visits that unanswered calls ask for."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from eldercare.models import Division, Elder, TimeStampedModel
from outreach.models import ResponsiblePerson

from . import rules


class CallTarget(models.TextChoices):
    """Which households of the register a plan calls (the names are the register's filters)."""

    LEFT_BEHIND = "left_behind", _("left-behind (留守)")
    SOLITARY = "solitary", _("living alone (独居)")
    EMPTY_NEST = "empty_nest", _("empty-nest (空巢)")
    DISABLED = "disabled", _("Disabled")
    DISPERSED_EXTREME_POVERTY = "dispersed_extreme_poverty", _("dispersed extreme poverty (分散特困)")
    CARERS_ABSENT = "carers_absent", _("family carers isolated or absent")
    HIGH_RISK = "high_risk", _("High risk")


class CallPlan(TimeStampedModel):
    """A district's plan of active care calls: which households, every how many days, who calls."""

    district = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("district"))
    name = models.CharField(_("name of the plan"), max_length=100)
    target = models.CharField(_("households called"), max_length=30, choices=CallTarget.choices)
    interval_days = models.PositiveSmallIntegerField(_("days between calls"), default=rules.DEFAULT_INTERVAL_DAYS)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    callers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="call_plans", verbose_name=_("hotline operators")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("call plan")
        verbose_name_plural = _("call plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_days__gte=1) & Q(interval_days__lte=rules.MAX_INTERVAL_DAYS),
                name="outreach_calls_interval_range",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="outreach_calls_plan_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_active(self, on) -> bool:
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)


class CallListEntry(TimeStampedModel):
    """One household on a plan's call list of one day (generated once per plan and day)."""

    plan = models.ForeignKey(CallPlan, on_delete=models.PROTECT, related_name="entries", verbose_name=_("call plan"))
    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="+", verbose_name=_("elder"))
    day = models.DateField(_("day"))

    class Meta:
        ordering = ["day", "elder__name", "id"]
        verbose_name = _("call list entry")
        verbose_name_plural = _("call list entries")
        constraints = [
            models.UniqueConstraint(fields=["plan", "elder", "day"], name="outreach_calls_one_entry_per_day"),
        ]
        indexes = [models.Index(fields=["day", "plan"])]

    def __str__(self) -> str:
        return f"{self.elder.name} · {self.day}"


class CallResult(models.TextChoices):
    REACHED_FINE = rules.REACHED_FINE, _("Reached, all fine")
    REACHED_NEEDS_HELP = rules.REACHED_NEEDS_HELP, _("Reached, needs help")
    UNREACHABLE = rules.UNREACHABLE, _("Could not reach")
    WRONG_NUMBER = rules.WRONG_NUMBER, _("Wrong number")


class CallOutcome(TimeStampedModel):
    """The outcome of one call (append-only: one per entry of the list, never changed)."""

    entry = models.OneToOneField(
        CallListEntry, on_delete=models.PROTECT, related_name="outcome", verbose_name=_("call list entry")
    )
    plan = models.ForeignKey(CallPlan, on_delete=models.PROTECT, related_name="outcomes", verbose_name=_("call plan"))
    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="+", verbose_name=_("elder"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("called by")
    )
    at = models.DateTimeField(_("called at"))
    day = models.DateField(_("day"), editable=False)
    result = models.CharField(_("result"), max_length=20, choices=CallResult.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("call outcome")
        verbose_name_plural = _("call outcomes")
        indexes = [models.Index(fields=["plan", "elder", "at"])]

    def __str__(self) -> str:
        return f"{self.elder.name} · {self.get_result_display()}"


class VisitFinding(models.TextChoices):
    FINE = "fine", _("At home and fine")
    NEEDS_HELP = "needs_help", _("Needs help")
    AWAY = "away", _("Not at home (away, in hospital)")
    PHONE_FIXED = "phone_fixed", _("Phone number corrected")


class HomeVisitRequest(TimeStampedModel):
    """A home visit asked of the household's primary responsible person after calls reached nobody
    twice in a row; open until the visit is recorded."""

    plan = models.ForeignKey(CallPlan, on_delete=models.PROTECT, related_name="visits", verbose_name=_("call plan"))
    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="+", verbose_name=_("elder"))
    community = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    outcome = models.ForeignKey(CallOutcome, on_delete=models.PROTECT, related_name="+", verbose_name=_("call outcome"))
    responsible = models.ForeignKey(
        ResponsiblePerson,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible person"),
    )
    visited_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("visited by"),
    )
    finding = models.CharField(_("what the visit found"), max_length=20, choices=VisitFinding.choices, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("home visit request")
        verbose_name_plural = _("home visit requests")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "elder"], condition=Q(visited_at__isnull=True), name="outreach_calls_one_open_visit"
            ),
        ]
        indexes = [models.Index(fields=["community", "visited_at"])]

    def __str__(self) -> str:
        return f"{self.elder.name} · {self.plan.name}"
