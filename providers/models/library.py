"""The provider library: providers won by tender, their status events, contracts, quarterly
results, caregivers and their certificates."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from eldercare.crypto import EncryptedTextField
from eldercare.masking import mask_phone
from eldercare.models import Division, RevealReason, TimeStampedModel


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

    name = models.CharField(_("organisation name"), max_length=120)
    kind = models.CharField(_("kind of organisation"), max_length=20, choices=Kind.choices)
    licence_number = models.CharField(_("licence number"), max_length=60, unique=True)
    # Further licences (medical practice, food business...) as free text, one per line.
    other_licences = models.TextField(_("other licences"), blank=True)
    district = models.ForeignKey(
        Division,
        on_delete=models.PROTECT,
        related_name="providers",
        verbose_name=_("district"),
        limit_choices_to={"level": Division.Level.DISTRICT},
    )
    streets = models.ManyToManyField(
        Division,
        related_name="served_by",
        blank=True,
        verbose_name=_("streets served"),
        limit_choices_to={"level": Division.Level.STREET},
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.CANDIDATE)
    status_reason = models.TextField(_("status reason"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")

    @property
    def may_be_paid(self) -> bool:
        """Whether vouchers may pay it (the ledger asks): not while suspended or after termination."""
        return self.status not in (self.Status.SUSPENDED, self.Status.TERMINATED)

    def __str__(self) -> str:
        return self.name


class ProviderStatusEvent(models.Model):
    """One move of a provider's status (contracting, suspension, termination), with its reason."""

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="status_events", verbose_name=_("provider")
    )
    from_status = models.CharField(_("from"), max_length=12, choices=Provider.Status.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=Provider.Status.choices)
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("provider status change")
        verbose_name_plural = _("provider status changes")

    def __str__(self) -> str:
        return f"{self.provider} {self.from_status} → {self.to_status}"


class Contract(TimeStampedModel):
    """A one-year contract of the district with a provider; renewal is a new contract."""

    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("provider")
    )
    number = models.CharField(_("contract number"), max_length=60, unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    renews = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewals", verbose_name=_("renews")
    )
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["provider_id", "-starts_on"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="contract_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.starts_on} – {self.ends_on})"


class QuarterlyAssessment(TimeStampedModel):
    """The district's quarterly assessment of a provider (district callbacks count in it)."""

    class Result(models.TextChoices):
        EXCELLENT = "excellent", _("Excellent")
        GOOD = "good", _("Good")
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")

    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("provider")
    )
    quarter = models.DateField(_("quarter"), help_text=_("First day of the quarter"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    notes = models.TextField(_("notes"), blank=True)
    # The scorecard's inputs as the platform counted them (callbacks, surveys, frequency, voids,
    # complaints) and the formula's parts, kept as confirmed.
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))

    class Meta:
        ordering = ["provider_id", "-quarter"]
        verbose_name = _("quarterly assessment")
        verbose_name_plural = _("quarterly assessments")
        constraints = [models.UniqueConstraint(fields=["provider", "quarter"], name="assessment_one_per_quarter")]

    @property
    def quarter_label(self) -> str:
        """The quarter as people write it: 2026Q3."""
        return f"{self.quarter.year}Q{(self.quarter.month - 1) // 3 + 1}"


class CertificateKind(models.TextChoices):
    """Services for which staff must hold a certificate (持证上岗)."""

    MEDICAL = "medical", _("Medical")
    REHABILITATION = "rehabilitation", _("Rehabilitation")
    PSYCHOLOGICAL = "psychological", _("Psychological")
    HOSPICE = "hospice", _("Hospice")


class Caregiver(TimeStampedModel):
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="caregivers", verbose_name=_("provider")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="caregiver",
        verbose_name=_("login"),
    )
    name = models.CharField(_("name"), max_length=60)
    staff_number = models.CharField(_("staff number"), max_length=30)
    photo = models.ImageField(_("photo"), upload_to="caregivers/", blank=True)
    # Encrypted at rest like the elders' phones; pages, exports and the API show `phone_masked`.
    phone = EncryptedTextField(_("phone"))
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True, default="", editable=False)
    trained_on = models.DateField(_("training completed on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(excluded_fields=["phone"])

    class Meta:
        ordering = ["provider_id", "staff_number"]
        verbose_name = _("caregiver")
        verbose_name_plural = _("caregivers")
        constraints = [
            models.UniqueConstraint(fields=["provider", "staff_number"], name="caregiver_staff_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.staff_number})"

    def save(self, *args, **kwargs):
        # The masked column is derived from the phone, as the elders' search keys are.
        self.phone_masked = mask_phone(self.phone or "")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "phone_masked"}
        super().save(*args, **kwargs)


class CaregiverRevealLog(models.Model):
    """Every time a caregiver's full phone number is shown: who saw it and why (a reason from the
    registry's list, a note for "other"). Append-only in the database."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    caregiver = models.ForeignKey(
        Caregiver, on_delete=models.PROTECT, related_name="reveals", verbose_name=_("caregiver")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=RevealReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reveal of a caregiver's phone")
        verbose_name_plural = _("reveals of caregivers' phones")

    def __str__(self) -> str:
        return f"{self.user} {self.caregiver} {self.created_at:%Y-%m-%d %H:%M}"


class Certificate(TimeStampedModel):
    caregiver = models.ForeignKey(
        Caregiver, on_delete=models.CASCADE, related_name="certificates", verbose_name=_("caregiver")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CertificateKind.choices)
    number = models.CharField(_("certificate number"), max_length=60)
    valid_until = models.DateField(_("valid until"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["caregiver_id", "kind", "-valid_until"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class TrainingRecord(TimeStampedModel):
    """A training a caregiver completed (training comes before work)."""

    caregiver = models.ForeignKey(
        Caregiver, on_delete=models.CASCADE, related_name="trainings", verbose_name=_("caregiver")
    )
    course = models.CharField(_("course"), max_length=120)
    completed_on = models.DateField(_("completed on"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["caregiver_id", "-completed_on"]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="training_hours_positive")]

    def __str__(self) -> str:
        return f"{self.course} ({self.completed_on})"
