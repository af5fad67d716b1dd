"""Supervision: callbacks, the district's daily sample, community contacts, town satisfaction
surveys and rectifications."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from eldercare.models import Division, Elder, TimeStampedModel
from eldercare.numbers import percent_one_decimal

from .library import Provider
from .visits import WorkOrder


class CallbackResult(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    NOT_SATISFIED = "not_satisfied", _("Not satisfied")
    UNREACHABLE = "unreachable", _("Unreachable")
    COMPLAINT = "complaint", _("Complaint")


class Callback(TimeStampedModel):
    """A satisfaction callback on one order: by the provider (all orders) or the district (its sample)."""

    class Source(models.TextChoices):
        PROVIDER = "provider", _("Provider")
        DISTRICT = "district", _("District")

    order = models.ForeignKey(
        WorkOrder, on_delete=models.PROTECT, related_name="callbacks", verbose_name=_("work order")
    )
    source = models.CharField(_("by whom"), max_length=10, choices=Source.choices)
    result = models.CharField(_("result"), max_length=15, choices=CallbackResult.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        constraints = [models.UniqueConstraint(fields=["order", "source"], name="callback_one_per_source")]


class DistrictSample(models.Model):
    """The district's random sample of one day's orders, drawn once per day."""

    day = models.DateField(_("day"), unique=True)
    orders = models.ManyToManyField(WorkOrder, related_name="district_samples", verbose_name=_("work orders"))
    total = models.PositiveIntegerField(_("orders that day"), default=0)
    created_at = models.DateTimeField(_("drawn at"), auto_now_add=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("district callback sample")
        verbose_name_plural = _("district callback samples")

    def __str__(self) -> str:
        return str(self.day)


class CommunityContact(TimeStampedModel):
    """A community worker's quarterly visit or call to a subsidised person (written record)."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Home visit")
        CALL = "call", _("Phone call")

    elder = models.ForeignKey(
        Elder, on_delete=models.PROTECT, related_name="community_contacts", verbose_name=_("elder")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    contacted_on = models.DateField(_("date"))
    agreement_checked = models.BooleanField(_("service agreement checked"), default=False)
    records_checked = models.BooleanField(_("service records checked"), default=False)
    result = models.CharField(_("result"), max_length=15, choices=CallbackResult.choices)
    note = models.TextField(_("written record"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-contacted_on", "-id"]
        verbose_name = _("community callback")
        verbose_name_plural = _("community callbacks")


class SatisfactionSurvey(TimeStampedModel):
    """A town's quarterly satisfaction survey of one provider (through grid workers): one answer
    per elder asked, rolled up to the rate when the town submits it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Being entered")
        SUBMITTED = "submitted", _("Submitted")

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("provider"))
    street = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("street / town"))
    quarter = models.DateField(_("quarter"), help_text=_("First day of the quarter"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    surveyed = models.PositiveIntegerField(_("persons surveyed"), default=0)
    satisfied = models.PositiveIntegerField(_("persons satisfied"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))

    class Meta:
        ordering = ["-quarter", "provider_id"]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        constraints = [
            models.UniqueConstraint(fields=["provider", "street", "quarter"], name="survey_one_per_quarter"),
            models.CheckConstraint(
                condition=Q(satisfied__lte=F("surveyed")) & (Q(status="open") | Q(surveyed__gt=0)),
                name="survey_counts_valid",
            ),
        ]

    @property
    def quarter_label(self) -> str:
        """The quarter as people write it: 2026Q3."""
        return f"{self.quarter.year}Q{(self.quarter.month - 1) // 3 + 1}"

    @property
    def rate(self):
        return percent_one_decimal(self.satisfied, self.surveyed)


class SurveyAnswer(TimeStampedModel):
    """One elder's answer to a town's survey, as the grid worker entered it (or as imported)."""

    survey = models.ForeignKey(
        SatisfactionSurvey, on_delete=models.PROTECT, related_name="answers", verbose_name=_("survey")
    )
    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="+", verbose_name=_("elder"))
    satisfied = models.BooleanField(_("satisfied"))
    asked_on = models.DateField(_("asked on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))

    class Meta:
        ordering = ["survey_id", "id"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [models.UniqueConstraint(fields=["survey", "elder"], name="survey_answer_one_per_elder")]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.elder_id}"


class Rectification(TimeStampedModel):
    """Correction ordered when satisfaction falls below 80%; unresolved past the deadline, the
    district may terminate the provider's contract."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("rectification", "Open")
        ANSWERED = "answered", _("Answered, awaiting the town")
        RESOLVED = "resolved", _("Resolved")

    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="rectifications", verbose_name=_("provider")
    )
    survey = models.OneToOneField(
        SatisfactionSurvey, on_delete=models.PROTECT, related_name="rectification", verbose_name=_("survey")
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(_("how it was corrected"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["deadline"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")


class RectificationStep(models.Model):
    """One step of a rectification (append-only): the provider's answer with its evidence, the
    town's acceptance or rejection."""

    class Kind(models.TextChoices):
        ANSWER = "answer", _("Provider's answer")
        ACCEPT = "accept", _("Accepted by the town")
        REJECT = "reject", _("Rejected by the town")

    rectification = models.ForeignKey(
        Rectification, on_delete=models.PROTECT, related_name="steps", verbose_name=_("rectification")
    )
    kind = models.CharField(_("step"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("text"))
    evidence = models.FileField(_("evidence"), upload_to="rectifications/", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("rectification step")
        verbose_name_plural = _("rectification steps")

    def __str__(self) -> str:
        return f"{self.rectification_id} {self.kind}"


class FrequencyReading(models.Model):
    """A stored reading of one month of the visit frequency report: every elder judged, as the
    report's aggregate judged them when it was taken (`as_of`), and the tallies by community and by
    provider. Replaced by the next reading of the month (scheduled every half hour), which keeps this
    one until the one after, so that a report reading it meanwhile finds it whole. The report reads
    it together with the elders changed since, judged live, so a reading only makes the report fast,
    never different (see `quality.frequency`). `first_open` and `year_ended` are what the day of the
    reading made of the month; a reading taken on a day that made them otherwise is not read."""

    month = models.DateField(_("month"))
    as_of = models.DateTimeField(_("taken at"))
    first_open = models.PositiveSmallIntegerField(_("first month still open"))
    year_ended = models.BooleanField(_("year ended"))

    class Meta:
        ordering = ["month", "as_of"]
        indexes = [models.Index(fields=["month", "as_of"], name="frequency_reading_month")]
        verbose_name = _("visit frequency reading")
        verbose_name_plural = _("visit frequency readings")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} @ {self.as_of:%Y-%m-%d %H:%M}"


class FrequencyJudgement(models.Model):
    """One elder's month as the reading judged it (the report's row: the minimums and visits of the
    month before and of the month, the year's different items, the two months' statuses)."""

    reading = models.ForeignKey(
        FrequencyReading, on_delete=models.CASCADE, related_name="judgements", verbose_name=_("reading")
    )
    elder = models.ForeignKey(Elder, on_delete=models.CASCADE, related_name="+", verbose_name=_("elder"))
    community = models.ForeignKey(Division, on_delete=models.CASCADE, related_name="+", verbose_name=_("community"))
    name = models.CharField(_("name"), max_length=60)
    req0 = models.PositiveSmallIntegerField()
    req1 = models.PositiveSmallIntegerField()
    d0 = models.PositiveIntegerField()
    d1 = models.PositiveIntegerField()
    items = models.PositiveIntegerField()
    status0 = models.CharField(max_length=10)
    status1 = models.CharField(max_length=10)
    below = models.PositiveSmallIntegerField()
    missed = models.PositiveSmallIntegerField()
    listed = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("visit frequency judgement")
        verbose_name_plural = _("visit frequency judgements")
        constraints = [models.UniqueConstraint(fields=["reading", "elder"], name="frequency_judgement_once")]
        indexes = [
            # The report's page of listed elders, in its order.
            models.Index(
                fields=["reading", "community", "name", "elder"],
                condition=Q(listed=1),
                name="frequency_judgement_listed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reading} {self.elder_id} {self.status1}"


class FrequencyProvider(models.Model):
    """A provider an elder judged by the reading had an agreement in force with (by its name, as the
    report tallies them)."""

    reading = models.ForeignKey(
        FrequencyReading, on_delete=models.CASCADE, related_name="providers", verbose_name=_("reading")
    )
    elder = models.ForeignKey(Elder, on_delete=models.CASCADE, related_name="+", verbose_name=_("elder"))
    name = models.CharField(_("provider"), max_length=120)

    class Meta:
        verbose_name = _("visit frequency provider")
        verbose_name_plural = _("visit frequency providers")
        indexes = [models.Index(fields=["reading", "elder"], name="frequency_provider_elder")]

    def __str__(self) -> str:
        return f"{self.reading} {self.elder_id} {self.name}"


class FrequencyTally(models.Model):
    """The reading's judgements added up by community (`provider` empty), and by community and
    provider: judged, below the minimum, missed, ok, made up, pending, listed."""

    reading = models.ForeignKey(
        FrequencyReading, on_delete=models.CASCADE, related_name="tallies", verbose_name=_("reading")
    )
    community = models.ForeignKey(Division, on_delete=models.CASCADE, related_name="+", verbose_name=_("community"))
    provider = models.CharField(_("provider"), max_length=120, blank=True)
    judged = models.PositiveIntegerField()
    below = models.PositiveIntegerField()
    missed = models.PositiveIntegerField()
    ok = models.PositiveIntegerField()
    made_up = models.PositiveIntegerField()
    pending = models.PositiveIntegerField()
    listed = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("visit frequency tally")
        verbose_name_plural = _("visit frequency tallies")
        constraints = [
            models.UniqueConstraint(fields=["reading", "community", "provider"], name="frequency_tally_once")
        ]

    def __str__(self) -> str:
        return f"{self.reading} {self.community_id} {self.provider}"
