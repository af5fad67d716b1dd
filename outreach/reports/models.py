"""The daily report of each unit under an emergency response (疫情期间关爱服务工作日报).

A unit is a community (社区/村) or a provider (a care institution or home-care provider serving
elders). Its figures are computed from the day's contacts; the unit confirms them (correcting at
most the staff on duty) before the cut-off.

Append-only: a submitted report is never edited. A correction is a new version of the same
(response, day, unit): it is written as a new row with `version` + 1 and `supersedes` pointing to
the row it replaces, and the replaced row loses `is_current` (the one field ever changed on a
submitted row). The database keeps one current report per (response, day, unit), and versions
unique, so the history of every figure stays readable.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from eldercare.models import Division, TimeStampedModel
from outreach.models import EmergencyResponse
from providers.models import Provider

from . import rules


class UnitKind(models.TextChoices):
    COMMUNITY = rules.UNIT_COMMUNITY, _("Community")
    PROVIDER = rules.UNIT_PROVIDER, _("Provider")


class DailyReport(TimeStampedModel):
    """One version of a unit's report of a day under an emergency response."""

    response = models.ForeignKey(
        EmergencyResponse, on_delete=models.PROTECT, related_name="daily_reports", verbose_name=_("emergency response")
    )
    day = models.DateField(_("report day"))
    unit_kind = models.CharField(_("kind of unit"), max_length=10, choices=UnitKind.choices)
    community = models.ForeignKey(
        Division, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("provider")
    )
    # The community's street, kept for the street's roll-up (empty for a provider).
    street = models.ForeignKey(
        Division, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("street / town")
    )
    households = models.PositiveIntegerField(_("households in the register"))
    covered = models.PositiveIntegerField(_("elders covered"))
    contacted = models.PositiveIntegerField(_("elders contacted"))
    problems = models.PositiveIntegerField(_("problems found"))
    needs_open = models.PositiveIntegerField(_("needs open"))
    needs_closed = models.PositiveIntegerField(_("needs closed"))
    staff_on_duty = models.PositiveIntegerField(_("staff on duty"))
    staff_computed = models.PositiveIntegerField(_("staff who recorded contacts"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name=_("corrects"),
    )
    is_current = models.BooleanField(_("current"), default=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    # When the unit first reported the day (a correction keeps it): the on-time mark follows it.
    reported_at = models.DateTimeField(_("reported at"))
    on_time = models.BooleanField(_("on time"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-day", "unit_kind", "community__code", "provider__name", "-version"]
        verbose_name = _("daily outreach report")
        verbose_name_plural = _("daily outreach reports")
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit_kind=rules.UNIT_COMMUNITY, community__isnull=False, provider__isnull=True))
                | (Q(unit_kind=rules.UNIT_PROVIDER, provider__isnull=False, community__isnull=True)),
                name="outreach_report_one_unit",
            ),
            models.UniqueConstraint(
                fields=["response", "day", "community"],
                condition=Q(is_current=True, community__isnull=False),
                name="outreach_report_one_current_community",
            ),
            models.UniqueConstraint(
                fields=["response", "day", "provider"],
                condition=Q(is_current=True, provider__isnull=False),
                name="outreach_report_one_current_provider",
            ),
            models.UniqueConstraint(
                fields=["response", "day", "community", "version"],
                condition=Q(community__isnull=False),
                name="outreach_report_community_version",
            ),
            models.UniqueConstraint(
                fields=["response", "day", "provider", "version"],
                condition=Q(provider__isnull=False),
                name="outreach_report_provider_version",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="outreach_report_version_positive"),
            models.CheckConstraint(
                condition=Q(reported_at__lte=models.F("submitted_at")), name="outreach_report_reported_first"
            ),
        ]
        indexes = [models.Index(fields=["response", "day", "is_current"])]

    def __str__(self) -> str:
        return f"{self.unit_name} · {self.day:%Y-%m-%d} · v{self.version}"

    @property
    def unit_name(self) -> str:
        return self.community.name if self.community_id else self.provider.name
