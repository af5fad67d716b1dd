"""The vulnerability register (摸底排查) and the responsible persons of each household (包保责任人).

The registry has no household of its own: the elder is the household unit.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from eldercare.crypto import EncryptedTextField
from eldercare.models import Division, Elder, TimeStampedModel

from . import rules


class RiskLevel(models.TextChoices):
    HIGH = rules.HIGH, _("High risk")
    MEDIUM = rules.MEDIUM, _("Medium risk")
    LOW = rules.LOW, _("Low risk")


class CareNeed(models.TextChoices):
    SELF_CARE = rules.CARE_SELF, _("Self-care")
    SEMI_DISABLED = rules.CARE_SEMI, _("Semi-disabled")
    DISABLED = rules.CARE_DISABLED, _("Disabled")


class LivingArrangement(models.TextChoices):
    ALONE = "alone", _("Lives alone")
    SPOUSE = "spouse", _("With spouse only")
    CHILDREN = "children", _("With children")
    RELATIVES = "relatives", _("With other relatives")
    CARER = "carer", _("With a paid carer")
    OTHER = "other", _("Other")


class VulnerabilityProfile(TimeStampedModel):
    """What a screening found about one elder at home; the risk level is derived, never typed."""

    elder = models.OneToOneField(Elder, on_delete=models.PROTECT, related_name="vulnerability", verbose_name=_("elder"))
    solitary = models.BooleanField(_("living alone (独居)"), default=False)
    left_behind = models.BooleanField(_("left-behind (留守)"), default=False)
    empty_nest = models.BooleanField(_("empty-nest (空巢)"), default=False)
    care_need = models.CharField(_("care need"), max_length=20, choices=CareNeed.choices, default=CareNeed.SELF_CARE)
    dispersed_extreme_poverty = models.BooleanField(_("dispersed extreme poverty (分散特困)"), default=False)
    carers_absent = models.BooleanField(_("family carers isolated or absent"), default=False)
    chronic_medicine = models.BooleanField(_("chronic condition needing medicine"), default=False)
    medicines = models.CharField(_("medicines"), max_length=300, blank=True)
    living_arrangement = models.CharField(_("living arrangement"), max_length=20, choices=LivingArrangement.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    screened_on = models.DateField(_("screened on"))
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("screened by")
    )
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["elder__community_id", "elder__name", "id"]
        verbose_name = _("vulnerability profile")
        verbose_name_plural = _("vulnerability profiles")
        # `updated_at`: the coverage's communities changed since its stored reading.
        indexes = [
            models.Index(fields=["risk_level"]),
            models.Index(fields=["updated_at"], name="outreach_profile_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.elder.name} · {self.get_risk_level_display()}"

    def flags(self) -> rules.Flags:
        return rules.Flags(
            solitary=self.solitary,
            left_behind=self.left_behind,
            empty_nest=self.empty_nest,
            care_need=self.care_need,
            dispersed_extreme_poverty=self.dispersed_extreme_poverty,
            carers_absent=self.carers_absent,
            chronic_medicine=self.chronic_medicine,
        )


class EmergencyContact(TimeStampedModel):
    """Someone to call about the elder; the phone is encrypted and listed masked, as the registry's."""

    profile = models.ForeignKey(
        VulnerabilityProfile, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("vulnerability profile")
    )
    name = models.CharField(_("name"), max_length=60)
    relation = models.CharField(_("relation"), max_length=30)
    phone = EncryptedTextField(_("phone"))
    phone_masked = models.CharField(_("phone"), max_length=20, editable=False)
    history = HistoricalRecords(excluded_fields=["phone"])

    class Meta:
        ordering = ["profile_id", "id"]
        verbose_name = _("emergency contact")
        verbose_name_plural = _("emergency contacts")

    def __str__(self) -> str:
        return f"{self.name} ({self.relation}) {self.phone_masked}"


class ResponsibleKind(models.TextChoices):
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    GRID_WORKER = "grid_worker", _("Grid worker")
    VILLAGE_CADRE = "village_cadre", _("Village cadre")
    VOLUNTEER = "volunteer", _("Volunteer")
    FAMILY_DOCTOR = "family_doctor", _("Family doctor")


class ResponsiblePerson(TimeStampedModel):
    """A household's primary or deputy responsible person: a login, or a named outside person.

    Current while `ends_on` is empty; one current primary and one current deputy per household.
    """

    class Duty(models.TextChoices):
        PRIMARY = "primary", _("Primary responsible person")
        DEPUTY = "deputy", _("Deputy")

    elder = models.ForeignKey(
        Elder, on_delete=models.PROTECT, related_name="responsible_persons", verbose_name=_("elder")
    )
    duty = models.CharField(_("duty"), max_length=10, choices=Duty.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=ResponsibleKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("login"),
    )
    name = models.CharField(_("name"), max_length=60, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    starts_on = models.DateField(_("responsible from"))
    ends_on = models.DateField(_("responsible until"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assigned by")
    )
    history = HistoricalRecords(excluded_fields=["phone"])

    class Meta:
        ordering = ["elder_id", "duty", "-starts_on", "id"]
        verbose_name = _("responsible person")
        verbose_name_plural = _("responsible persons")
        constraints = [
            models.UniqueConstraint(
                fields=["elder", "duty"], condition=Q(ends_on__isnull=True), name="outreach_one_current_per_duty"
            ),
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(name=""), name="outreach_responsible_is_named"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="outreach_responsible_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "ends_on"]),
            models.Index(fields=["updated_at"], name="outreach_responsible_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} · {self.get_duty_display()}"

    @property
    def display_name(self) -> str:
        if self.user_id:
            return str(self.user)
        return self.name


class TemporaryCaregiver(TimeStampedModel):
    """A temporary caregiver (临时照料人) named by the community for a household whose family carers
    are isolated or away: who, from when to when, and what they do. A household flagged with its
    carers absent needs one every day (`rules.carer_gap`)."""

    elder = models.ForeignKey(
        Elder, on_delete=models.PROTECT, related_name="temporary_caregivers", verbose_name=_("elder")
    )
    name = models.CharField(_("name"), max_length=60)
    phone = EncryptedTextField(_("phone"))
    phone_masked = models.CharField(_("phone"), max_length=20, editable=False)
    starts_on = models.DateField(_("cares from"))
    ends_on = models.DateField(_("cares until"))
    meals = models.BooleanField(_("meals"), default=False)
    daily_care = models.BooleanField(_("daily care"), default=False)
    medicine = models.BooleanField(_("medicine"), default=False)
    note = models.CharField(_("what else they do"), max_length=200, blank=True)
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("named by")
    )
    history = HistoricalRecords(excluded_fields=["phone"])

    class Meta:
        ordering = ["elder_id", "-starts_on", "id"]
        verbose_name = _("temporary caregiver")
        verbose_name_plural = _("temporary caregivers")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="outreach_caregiver_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(meals=True) | Q(daily_care=True) | Q(medicine=True) | ~Q(note=""),
                name="outreach_caregiver_does_something",
            ),
        ]
        indexes = [
            models.Index(fields=["elder", "ends_on"]),
            models.Index(fields=["updated_at"], name="outreach_caregiver_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.starts_on:%m-%d}–{self.ends_on:%m-%d}"

    @property
    def duties(self) -> list[str]:
        """What the caregiver does, in words: the duties ticked, then the free text."""
        ticked = [name for name in ("meals", "daily_care", "medicine") if getattr(self, name)]
        return [str(self._meta.get_field(name).verbose_name) for name in ticked] + ([self.note] if self.note else [])


class ResponseKind(models.TextChoices):
    EPIDEMIC = "epidemic", _("Epidemic")
    HEAT_WAVE = "heat_wave", _("Heat wave")
    COLD_SNAP = "cold_snap", _("Cold snap")
    FLOOD = "flood", _("Flood")
    ACTIVE_CARE = "active_care", _("Routine active care")


class EmergencyResponse(TimeStampedModel):
    """An emergency response declared by the district: the households of its area are contacted
    under its contact rule (days between contacts per risk level, temperature or not) until it ends.

    The area is the whole district, or the streets chosen (none chosen: the whole district).
    """

    kind = models.CharField(_("kind"), max_length=20, choices=ResponseKind.choices)
    name = models.CharField(_("title of the response"), max_length=100)
    district = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("district"))
    streets = models.ManyToManyField(
        Division,
        blank=True,
        related_name="+",
        verbose_name=_("streets"),
        help_text=_("None chosen: the whole district."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    interval_high = models.PositiveSmallIntegerField(_("days between contacts, high risk"), default=1)
    interval_medium = models.PositiveSmallIntegerField(_("days between contacts, medium risk"), default=3)
    interval_low = models.PositiveSmallIntegerField(_("days between contacts, low risk"), default=7)
    temperature_required = models.BooleanField(_("temperature required"), default=False)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("declared by")
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
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("emergency response")
        verbose_name_plural = _("emergency responses")
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_high__gte=1) & Q(interval_medium__gte=1) & Q(interval_low__gte=1),
                name="outreach_response_intervals_positive",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="outreach_response_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def rule(self) -> rules.ContactRule:
        return rules.ContactRule(
            interval_high=self.interval_high,
            interval_medium=self.interval_medium,
            interval_low=self.interval_low,
            temperature_required=self.temperature_required,
        )

    def is_active(self, on) -> bool:
        return self.ended_at is None and self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)


class ContactMethod(models.TextChoices):
    VISIT = "visit", _("Home visit")
    PHONE = "phone", _("By phone")
    VIDEO = "video", _("By video call")


class ContactResult(models.TextChoices):
    FINE = rules.RESULT_FINE, _("Fine")
    NEEDS = rules.RESULT_NEEDS, _("Needs something")
    HEALTH = rules.RESULT_HEALTH, _("Health problem")
    UNREACHABLE = rules.RESULT_UNREACHABLE, _("Could not reach")


class Contact(TimeStampedModel):
    """One contact with a household under a response (append-only: a mistake is a new contact)."""

    response = models.ForeignKey(
        EmergencyResponse, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("emergency response")
    )
    elder = models.ForeignKey(
        Elder, on_delete=models.PROTECT, related_name="outreach_contacts", verbose_name=_("elder")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("contacted by")
    )
    at = models.DateTimeField(_("contacted at"))
    day = models.DateField(_("contact day"), editable=False)
    method = models.CharField(_("method"), max_length=10, choices=ContactMethod.choices)
    result = models.CharField(_("result"), max_length=20, choices=ContactResult.choices)
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True)
    needs = models.CharField(_("needs"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("contact record")
        verbose_name_plural = _("contact records")
        constraints = [
            models.CheckConstraint(
                condition=Q(temperature__isnull=True)
                | Q(temperature__gte=rules.TEMPERATURE_MIN, temperature__lte=rules.TEMPERATURE_MAX),
                name="outreach_contact_temperature_range",
            ),
        ]
        indexes = [
            models.Index(fields=["response", "elder", "at"]),
            # the contacts list's order, newest first (a backward scan stops at the page's end)
            models.Index(fields=["at", "id"], name="contact_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.elder.name} · {self.get_result_display()}"


class EscalationReason(models.TextChoices):
    HEALTH = rules.ESCALATE_HEALTH, _("Health problem")
    UNREACHABLE = rules.ESCALATE_UNREACHABLE, _("Unreachable twice in a row")


class Escalation(TimeStampedModel):
    """A household the community must act on: open until a community worker closes it with a note."""

    response = models.ForeignKey(
        EmergencyResponse, on_delete=models.PROTECT, related_name="escalations", verbose_name=_("emergency response")
    )
    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="+", verbose_name=_("elder"))
    community = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+", verbose_name=_("contact record"))
    reason = models.CharField(_("reason"), max_length=20, choices=EscalationReason.choices)
    deadline = models.DateTimeField(_("act by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("closed by"),
    )
    close_note = models.CharField(_("what was done"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "elder", "reason"],
                condition=Q(closed_at__isnull=True),
                name="outreach_one_open_escalation",
            ),
        ]
        indexes = [models.Index(fields=["community", "closed_at"])]

    def __str__(self) -> str:
        return f"{self.elder.name} · {self.get_reason_display()}"


class CoverageReading(models.Model):
    """A stored reading of the coverage figures of every community on one day, as the figures'
    aggregates counted them when it was taken (`as_of`). The coverage reads a community's figures
    from it unless something that enters them changed there since (an elder, a screening, a
    responsible person, a temporary caregiver), and counts those communities live: a reading only
    makes the coverage fast, never different (`selectors.coverage`). A day's reading is read on that
    day only (who is 60, whose caregiver's period covers the day, change with the day). The last
    reading is kept until the one after, so that a coverage reading it meanwhile finds it whole."""

    day = models.DateField(_("day"))
    as_of = models.DateTimeField(_("taken at"))

    class Meta:
        ordering = ["day", "as_of"]
        indexes = [models.Index(fields=["day", "as_of"], name="coverage_reading_day")]
        verbose_name = _("coverage reading")
        verbose_name_plural = _("coverage readings")

    def __str__(self) -> str:
        return f"{self.day} @ {self.as_of:%Y-%m-%d %H:%M}"


class CoverageFigure(models.Model):
    """One community's coverage figures as the reading counted them (the coverage page's row)."""

    reading = models.ForeignKey(
        CoverageReading, on_delete=models.CASCADE, related_name="figures", verbose_name=_("reading")
    )
    community = models.ForeignKey(Division, on_delete=models.CASCADE, related_name="+", verbose_name=_("community"))
    elders = models.PositiveIntegerField(_("elders aged 60 or more"))
    screened = models.PositiveIntegerField(_("screened"))
    unassigned = models.PositiveIntegerField(_("without a responsible person"))
    uncared = models.PositiveIntegerField(_("carers away, no temporary caregiver"))
    high = models.PositiveIntegerField(_("high risk"))
    medium = models.PositiveIntegerField(_("medium risk"))
    low = models.PositiveIntegerField(_("low risk"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reading", "community"], name="coverage_figure_one_per_community"),
        ]
        verbose_name = _("coverage figure")
        verbose_name_plural = _("coverage figures")

    def __str__(self) -> str:
        return f"{self.reading} · {self.community_id}"
