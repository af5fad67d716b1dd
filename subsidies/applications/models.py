"""Applications and their review: intake batches, the workflow's event rows, materials,
objections during the public notice, the assessment instrument and the written decisions."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from djmoney.models.fields import MoneyField
from simple_history.models import HistoricalRecords

from eldercare.models import DifficultyCategory, Division, Elder, TimeStampedModel
from subsidies.standards.models import Assessment, CareLevel, Entitlement, Scheme


class PrivateStorage(FileSystemStorage):
    """Files under settings.PRIVATE_MEDIA_ROOT (outside the web root), read at use time so tests can
    point it elsewhere; they are only served through views that check the viewer's scope."""

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


private_storage = PrivateStorage()


class IntakeBatch(TimeStampedModel):
    """A half-year collection of applications (集中申报) that the district opens and closes."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("intake batch", "Open")
        CLOSED = "closed", pgettext_lazy("intake batch", "Closed")

    district = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="intake_batches", verbose_name=_("district")
    )
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=60)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["-opens_on", "id"]
        verbose_name = _("intake batch")
        verbose_name_plural = _("intake batches")
        constraints = [
            models.UniqueConstraint(
                fields=["district"], condition=Q(status="open"), name="intake_batch_one_open_per_district"
            ),
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="intake_batch_dates"),
        ]

    def __str__(self) -> str:
        return self.name


class AssessmentSlot(TimeStampedModel):
    """One day of the batch's assessment schedule (集中评估): where and when the third party
    visits a community's applicants, and who goes."""

    batch = models.ForeignKey(
        IntakeBatch, on_delete=models.CASCADE, related_name="assessment_slots", verbose_name=_("intake batch")
    )
    community = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="assessment_slots", verbose_name=_("community")
    )
    on = models.DateField(_("assessment date"))
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessment_slots",
        verbose_name=_("assessor"),
    )
    place = models.CharField(_("place"), max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["batch_id", "on", "community_id", "id"]
        verbose_name = _("assessment slot")
        verbose_name_plural = _("assessment schedule")
        constraints = [
            models.UniqueConstraint(fields=["batch", "community", "on"], name="assessment_slot_one_per_community_day")
        ]

    def __str__(self) -> str:
        return f"{self.batch} · {self.community} · {self.on}"


class CareSituation(models.TextChoices):
    SELF_CARE = "self_care", _("Self-care (自理)")
    NON_SELF_CARE = "non_self_care", _("Non-self-care (介护)")


class ApplicationStatus(models.TextChoices):
    FILED = "filed", _("Filed")
    COMMUNITY_REVIEW = "community_review", _("Community review")
    PUBLIC_NOTICE = "public_notice", _("Public notice")
    COMMUNITY_DECISION = "community_decision", _("Community decision")
    STREET_REVIEW = "street_review", _("Street office review")
    ASSESSMENT = "assessment", _("Assessment")
    DISTRICT_DECISION = "district_decision", _("District decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (
    ApplicationStatus.FILED,
    ApplicationStatus.COMMUNITY_REVIEW,
    ApplicationStatus.PUBLIC_NOTICE,
    ApplicationStatus.COMMUNITY_DECISION,
    ApplicationStatus.STREET_REVIEW,
    ApplicationStatus.ASSESSMENT,
    ApplicationStatus.DISTRICT_DECISION,
)


class Application(TimeStampedModel):
    """An elder's application for a subsidy. Its status only changes through
    `subsidies.applications.services.review.application_transition`."""

    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="applications", verbose_name=_("elder"))
    # Copied from the elder at filing: the case stays with the community that filed it.
    community = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="applications", verbose_name=_("community")
    )
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="applications", verbose_name=_("scheme"))
    batch = models.ForeignKey(
        IntakeBatch, on_delete=models.PROTECT, related_name="applications", verbose_name=_("intake batch")
    )
    categories = models.JSONField(_("categories claimed"), default=list, blank=True)
    high_age = models.BooleanField(_("high-age (80+) claimed"), default=False)
    care_situation = models.CharField(_("care situation"), max_length=20, choices=CareSituation.choices)
    filed_on = models.DateField(_("filed on"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("filed by")
    )
    applicant_note = models.TextField(_("applicant or agent"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.FILED, db_index=True
    )
    stage_started_on = models.DateField(_("stage started on"))
    deadline = models.DateField(pgettext_lazy("application", "deadline"), null=True, blank=True)
    investigation_notes = models.TextField(_("home investigation notes"), blank=True)
    notice_starts_on = models.DateField(_("public notice from"), null=True, blank=True)
    notice_ends_on = models.DateField(_("public notice until"), null=True, blank=True)
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("assessment")
    )
    # The entitlement that the district's approval created (imported entitlements have none).
    entitlement = models.OneToOneField(
        Entitlement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="application",
        verbose_name=_("entitlement"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reasons = models.TextField(_("reasons of the decision"), blank=True)
    # The standard decided at approval, as the written approval notice states it: the monthly
    # amount and which row of which scheme gives it. Kept so the notice never changes afterwards.
    standard_amount = MoneyField(
        _("monthly standard"), max_digits=10, decimal_places=2, default_currency="CNY", null=True, blank=True
    )
    standard_reason = models.CharField(_("reason of the standard"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-filed_on", "-id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["elder"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="application_one_open_per_elder",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["batch", "community", "status"]),
            # the list's order (earliest deadline first): a page reads the first rows of the index
            models.Index(fields=["deadline", "id"], name="application_deadline_idx"),
            # the default order (latest filed first), the API's list: a page reads the first rows
            models.Index(fields=["-filed_on", "-id"], name="application_filed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.elder.name} · {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("subsidies:application_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def get_categories_display(self) -> list[str]:
        labels = dict(DifficultyCategory.choices)
        return [str(labels.get(c, c)) for c in self.categories]


class ApplicationEvent(models.Model):
    """One row per move of the workflow: who, when, from, to, with the opinion written."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="events", verbose_name=_("application")
    )
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=20, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=ApplicationStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"))
    opinion = models.TextField(_("opinion"), blank=True)

    class Meta:
        ordering = ["application_id", "at", "id"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self) -> str:
        return f"{self.application_id} {self.from_status}→{self.to_status}"


class MaterialType(models.TextChoices):
    APPROVAL_FORM = "approval_form", _("Application and approval form")
    ID_CARD = "id_card", _("Resident ID card copy")
    HOUSEHOLD_REGISTER = "household_register", _("Household register copy")
    DIAGNOSIS = "diagnosis", _("Diagnosis certificate (city or district hospital)")
    INCOME_OR_ENTITLED = "income_or_entitled", _("Low-income or entitled-group certificate")
    COMMUNITY_CERTIFICATE = "community_certificate", _("Community or street office certificate (three-no)")
    OTHER = "other", _("Other")


class RequiredMaterial(TimeStampedModel):
    """Which material a case needs, by condition: always, non-self-care, or a claimed category."""

    ALWAYS = "always"
    NON_SELF_CARE = "non_self_care"

    condition = models.CharField(
        _("required when"),
        max_length=20,
        help_text=_("'always', 'non_self_care', or a category code such as dibao or sanwu"),
    )
    material_type = models.CharField(_("material"), max_length=30, choices=MaterialType.choices)

    class Meta:
        ordering = ["condition", "material_type"]
        verbose_name = _("required material")
        verbose_name_plural = _("required materials")
        constraints = [models.UniqueConstraint(fields=["condition", "material_type"], name="required_material_unique")]

    def __str__(self) -> str:
        return f"{self.condition}: {self.get_material_type_display()}"


def material_path(instance, filename: str) -> str:
    return f"materials/{instance.application_id}/{instance.material_type}-{instance.sha256[:16]}.{instance.extension}"


class Material(TimeStampedModel):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="materials", verbose_name=_("application")
    )
    material_type = models.CharField(_("material"), max_length=30, choices=MaterialType.choices)
    file = models.FileField(_("file"), storage=private_storage, upload_to=material_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=60)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )

    class Meta:
        ordering = ["application_id", "material_type", "id"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return f"{self.get_material_type_display()} · {self.original_name}"


class Objection(TimeStampedModel):
    """An objection received during the public notice; each must be resolved before the case moves."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("objection", "Open")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="objections", verbose_name=_("application")
    )
    received_on = models.DateField(_("received on"))
    objector = models.CharField(_("objector"), max_length=100, blank=True)
    content = models.TextField(_("content"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["application_id", "received_on", "id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"{self.application_id} {self.received_on} {self.get_status_display()}"


class AssessmentInstrument(TimeStampedModel):
    """The living-ability instrument the district uses; `items` lists [code, label, max score]."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100)
    items = models.JSONField(_("items"), default=list)
    is_default = models.BooleanField(_("default instrument"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("assessment instrument")
        verbose_name_plural = _("assessment instruments")

    def __str__(self) -> str:
        return self.name


class InstrumentLevel(TimeStampedModel):
    """A level of the instrument (by total score) and the subsidy care level it maps to (data, not code)."""

    instrument = models.ForeignKey(
        AssessmentInstrument, on_delete=models.CASCADE, related_name="levels", verbose_name=_("instrument")
    )
    name = models.CharField(_("level on the instrument"), max_length=30)
    min_score = models.DecimalField(_("lowest total score"), max_digits=7, decimal_places=2)
    max_score = models.DecimalField(_("highest total score"), max_digits=7, decimal_places=2)
    care_level = models.CharField(_("care level"), max_length=20, choices=CareLevel.choices)

    class Meta:
        ordering = ["instrument_id", "-min_score"]
        verbose_name = _("instrument level")
        verbose_name_plural = _("instrument levels")
        constraints = [models.UniqueConstraint(fields=["instrument", "name"], name="instrument_level_unique")]

    def __str__(self) -> str:
        return f"{self.name} → {self.get_care_level_display()}"


class DocumentRule(TimeStampedModel):
    """How a district numbers and signs its written decisions: the number's prefix and width
    (江民养〔2026〕第015号), the issuing bureau and the body that hears an administrative review.
    A district without a rule uses the defaults of `subsidies.applications.rules`."""

    district = models.OneToOneField(
        Division,
        on_delete=models.PROTECT,
        related_name="document_rule",
        limit_choices_to={"level": Division.Level.DISTRICT},
        verbose_name=_("district"),
    )
    number_prefix = models.CharField(_("number prefix"), max_length=12, help_text=_("e.g. 江民养"))
    number_width = models.PositiveSmallIntegerField(
        _("digits of the serial"), default=3, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    issuing_body = models.CharField(
        _("issuing body"), max_length=60, blank=True, help_text=_("empty: the district's civil affairs bureau")
    )
    review_body = models.CharField(
        _("administrative review body"),
        max_length=60,
        blank=True,
        help_text=_("empty: the district's people's government"),
    )

    class Meta:
        ordering = ["district__code"]
        verbose_name = _("document numbering rule")
        verbose_name_plural = _("document numbering rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(number_width__gte=1, number_width__lte=6), name="document_rule_width_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.district} · {self.number_prefix}"


class DocumentCounter(TimeStampedModel):
    """The last serial a district gave its written decisions in a year; locked to give the next."""

    district = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="document_counters", verbose_name=_("district")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last_serial = models.PositiveIntegerField(_("last serial"), default=0)

    class Meta:
        ordering = ["district_id", "-year"]
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")
        constraints = [models.UniqueConstraint(fields=["district", "year"], name="document_counter_one_per_year")]

    def __str__(self) -> str:
        return f"{self.district} {self.year}: {self.last_serial}"


class DecisionNotice(TimeStampedModel):
    """The written decision: approval notice (书面核准通知书) or rejection with reasons, as a PDF.
    Its number, year and issuing body are given once, when the decision is made, and never change."""

    class Kind(models.TextChoices):
        APPROVAL = "approval", _("Written approval notice")
        REJECTION = "rejection", _("Written rejection notice")

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="decision_notice", verbose_name=_("application")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), storage=private_storage, upload_to="decisions/", max_length=300, blank=True)
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    # Empty on decisions made before documents were numbered.
    district = models.ForeignKey(
        Division,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decision_notices",
        verbose_name=_("district"),
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    serial = models.PositiveIntegerField(_("serial"), null=True, blank=True)
    number = models.CharField(_("document number"), max_length=40, blank=True)
    issuing_body = models.CharField(_("issuing body"), max_length=60, blank=True)
    review_body = models.CharField(_("administrative review body"), max_length=60, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("written decision")
        verbose_name_plural = _("written decisions")
        constraints = [
            models.UniqueConstraint(fields=["district", "year", "serial"], name="decision_notice_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.application_id}"
