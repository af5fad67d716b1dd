"""The daily "I am fine" check-in (每日平安报) of elders living alone: who is enrolled and by which
phone, each day's check-ins (append-only), and the alerts raised when a day's check-in is missed."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from eldercare.crypto import EncryptedTextField
from eldercare.models import Division, Elder, TimeStampedModel
from outreach.models import ResponsiblePerson

from . import rules


class Checker(models.TextChoices):
    ELDER = "elder", _("The elder")
    FAMILY = "family", _("A family member")


class CheckinEnrolment(TimeStampedModel):
    """An elder enrolled in the daily check-in by the community; current while not ended. The
    personal page's link carries a signed token of the enrolment and its nonce: a new nonce (or
    the end of the enrolment) revokes every link given before."""

    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="+", verbose_name=_("elder"))
    checker = models.CharField(_("who checks in"), max_length=10, choices=Checker.choices, default=Checker.ELDER)
    checker_name = models.CharField(_("family member's name"), max_length=60, blank=True)
    phone = EncryptedTextField(_("phone"))
    phone_masked = models.CharField(_("phone"), max_length=20, editable=False)
    phone_index = models.CharField(max_length=64, editable=False, db_index=True)
    deadline = models.TimeField(_("check in by"), default=rules.DEFAULT_DEADLINE)
    starts_on = models.DateField(_("starts on"))
    token_nonce = models.CharField(max_length=32, editable=False)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("enrolled by")
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ended by"),
    )
    history = HistoricalRecords(excluded_fields=["phone", "phone_index", "token_nonce"])

    class Meta:
        ordering = ["elder__community_id", "elder__name", "id"]
        verbose_name = _("check-in enrolment")
        verbose_name_plural = _("check-in enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["elder"], condition=Q(ended_at__isnull=True), name="outreach_checkins_one_current_enrolment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.elder.name} · {self.deadline:%H:%M}"


class Channel(models.TextChoices):
    PAGE = "page", _("The phone page")
    SMS = "sms", _("A text message reply")


class CheckIn(TimeStampedModel):
    """The day's "I am fine" (the first of the day; pressing again changes nothing)."""

    enrolment = models.ForeignKey(
        CheckinEnrolment, on_delete=models.PROTECT, related_name="checkins", verbose_name=_("check-in enrolment")
    )
    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="+", verbose_name=_("elder"))
    day = models.DateField(_("day"))
    at = models.DateTimeField(_("reported fine at"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    text = models.CharField(_("text of the reply"), max_length=160, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("daily check-in")
        verbose_name_plural = _("daily check-ins")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "day"], name="outreach_checkins_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.elder.name} · {self.at:%Y-%m-%d %H:%M}"


class Resolution(models.TextChoices):
    PHONED = "phoned", _("Phoned the elder: fine")
    VISITED = "visited", _("Visited the elder: fine")
    FAMILY = "family", _("The family confirmed the elder is fine")
    HELP = "help", _("Needed help: arranged")
    LATE_CHECKIN = "late_checkin", _("The elder checked in late")


class MissedCheckin(TimeStampedModel):
    """A day without a check-in by the deadline: the household's responsible person is alerted
    and it stays on their work list until they confirm the elder is fine (and how)."""

    enrolment = models.ForeignKey(
        CheckinEnrolment, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("check-in enrolment")
    )
    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="+", verbose_name=_("elder"))
    community = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    day = models.DateField(_("day"))
    responsible = models.ForeignKey(
        ResponsiblePerson,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible person"),
    )
    resolved_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    how = models.CharField(_("how it was confirmed"), max_length=20, choices=Resolution.choices, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-day", "elder__name", "id"]
        verbose_name = _("missed check-in")
        verbose_name_plural = _("missed check-ins")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "day"], name="outreach_checkins_one_alert_per_day"),
        ]
        indexes = [models.Index(fields=["community", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.elder.name} · {self.day}"
