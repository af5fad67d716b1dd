"""Providers in the district library, their staff and catalogue, the elders who signed a service
agreement with them, the work orders of home visits, and the quality records around them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField
from simple_history.models import HistoricalRecords

from eldercare.models import Division, Elder, TimeStampedModel
from eldercare.numbers import percent_one_decimal

from .rules import MIN_VISIT_MINUTES


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
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))

    class Meta:
        ordering = ["provider_id", "-quarter"]
        verbose_name = _("quarterly assessment")
        verbose_name_plural = _("quarterly assessments")
        constraints = [models.UniqueConstraint(fields=["provider", "quarter"], name="assessment_one_per_quarter")]


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
    phone = models.CharField(_("phone"), max_length=20)
    trained_on = models.DateField(_("training completed on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["provider_id", "staff_number"]
        verbose_name = _("caregiver")
        verbose_name_plural = _("caregivers")
        constraints = [
            models.UniqueConstraint(fields=["provider", "staff_number"], name="caregiver_staff_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.staff_number})"


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


class ServiceKind(models.TextChoices):
    MEAL = "meal", _("Meal help (助餐)")
    CLEANING = "cleaning", _("Cleaning (助洁)")
    EMERGENCY = "emergency", _("Emergency help (助急)")
    PERSONAL_CARE = "personal_care", _("Personal care (生活照料)")
    COMPANIONSHIP = "companionship", _("Companionship (精神慰藉)")
    ERRANDS = "errands", _("Errands (代办服务)")


class ServiceItem(TimeStampedModel):
    """One item of a provider's catalogue. A price change is a new item; old orders keep theirs."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="items", verbose_name=_("provider"))
    kind = models.CharField(_("kind of service"), max_length=20, choices=ServiceKind.choices)
    name = models.CharField(_("name"), max_length=100)
    price = MoneyField(_("price"), max_digits=10, decimal_places=2, default_currency="CNY")
    minutes = models.PositiveIntegerField(_("standard duration (minutes)"), default=MIN_VISIT_MINUTES)
    certificate_kind = models.CharField(
        _("certificate needed"), max_length=20, choices=CertificateKind.choices, blank=True
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["provider_id", "kind", "name"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="service_item_price_not_negative")]

    def __str__(self) -> str:
        return f"{self.name} ({self.price})"


class ServicePackage(TimeStampedModel):
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="packages", verbose_name=_("provider")
    )
    name = models.CharField(_("name"), max_length=100)
    items = models.ManyToManyField(ServiceItem, related_name="packages", verbose_name=_("items"))
    price = MoneyField(_("package price"), max_digits=10, decimal_places=2, default_currency="CNY")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["provider_id", "name"]
        verbose_name = _("service package")
        verbose_name_plural = _("service packages")

    def __str__(self) -> str:
        return self.name


class ServiceAgreement(TimeStampedModel):
    """The agreement an elder signs with the provider they chose; it lets the provider see the elder."""

    elder = models.ForeignKey(
        Elder, on_delete=models.PROTECT, related_name="service_agreements", verbose_name=_("elder")
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("provider")
    )
    signed_on = models.DateField(_("signed on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-signed_on", "id"]
        verbose_name = _("service agreement")
        verbose_name_plural = _("service agreements")
        constraints = [
            models.UniqueConstraint(
                fields=["elder", "provider"],
                condition=models.Q(ends_on__isnull=True),
                name="agreement_one_open_per_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.elder} — {self.provider}"


class ElderCard(TimeStampedModel):
    """The elder's personal QR card kept at home: a signed token and a short code to type.

    Reissuing a card (lost card) replaces the row's code and version; older tokens stop working.
    """

    elder = models.OneToOneField(Elder, on_delete=models.CASCADE, related_name="card", verbose_name=_("elder"))
    short_code = models.CharField(_("short code"), max_length=12, unique=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    issued_at = models.DateTimeField(_("issued at"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["elder_id"]
        verbose_name = _("elder QR card")
        verbose_name_plural = _("elder QR cards")

    def __str__(self) -> str:
        return self.short_code


class WorkOrder(TimeStampedModel):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        ASSIGNED = "assigned", _("Assigned")
        IN_PROGRESS = "in_progress", _("Checked in")
        COMPLETED = "completed", _("Completed and redeemed")
        SHORT = "short", _("Too short, to be served again")
        VOIDED = "voided", _("Voided (作废单)")
        CANCELLED = "cancelled", _("Cancelled")

    class BookedVia(models.TextChoices):
        FAMILY = "family", _("Family, through the community worker")
        COMMUNITY = "community", _("Community")
        PROVIDER = "provider", _("Provider")

    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="work_orders", verbose_name=_("elder"))
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="work_orders", verbose_name=_("provider")
    )
    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="work_orders", verbose_name=_("service item")
    )
    price = MoneyField(_("price"), max_digits=10, decimal_places=2, default_currency="CNY")
    scheduled_at = models.DateTimeField(_("scheduled for"), db_index=True)
    booked_via = models.CharField(_("booked by"), max_length=10, choices=BookedVia.choices)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    caregiver = models.ForeignKey(
        Caregiver,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
        verbose_name=_("caregiver"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.BOOKED, db_index=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    check_in_lat = models.DecimalField(_("check-in latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    check_in_lng = models.DecimalField(_("check-in longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    check_out_lat = models.DecimalField(_("check-out latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    check_out_lng = models.DecimalField(_("check-out longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    notes = models.TextField(_("caregiver's notes"), blank=True)
    overlap_flagged = models.BooleanField(_("overlaps another visit"), default=False)
    redemption = models.ForeignKey(
        "vouchers.LedgerTransaction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("redemption"),
    )
    reversal = models.ForeignKey(
        "vouchers.LedgerTransaction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reversal"),
    )
    void_reason = models.TextField(_("reason voided"), blank=True)
    reservice_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reservices",
        verbose_name=_("serves again"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        constraints = [
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_in_at__isnull=False, checked_out_at__gte=F("checked_in_at")),
                name="workorder_checkout_after_checkin",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["assigned", "in_progress", "completed", "short"]) | Q(caregiver__isnull=False),
                name="workorder_assigned_has_caregiver",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["in_progress", "completed", "short"]) | Q(checked_in_at__isnull=False),
                name="workorder_started_has_checkin",
            ),
            # One re-service order per order served again.
            models.UniqueConstraint(fields=["reservice_of"], name="workorder_one_reservice"),
        ]
        indexes = [
            models.Index(fields=["provider", "scheduled_at"]),
            models.Index(fields=["caregiver", "scheduled_at"]),
            models.Index(fields=["elder", "scheduled_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.elder.name} {self.item.name}"

    @property
    def duration_minutes(self) -> int | None:
        if self.checked_in_at and self.checked_out_at:
            return int((self.checked_out_at - self.checked_in_at).total_seconds() // 60)
        return None


class WorkOrderEvent(models.Model):
    """One move of a work order's status, who made it and why."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events", verbose_name=_("work order"))
    from_status = models.CharField(_("from"), max_length=12, choices=WorkOrder.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=WorkOrder.Status.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("work order event")
        verbose_name_plural = _("work order events")

    def __str__(self) -> str:
        return f"#{self.order_id} {self.from_status} → {self.to_status}"


class CheckRequest(models.Model):
    """A check-in or check-out request already handled, by its client request id: a retry is a no-op."""

    key = models.CharField(_("request id"), max_length=80, unique=True)
    order = models.ForeignKey(
        WorkOrder, on_delete=models.CASCADE, related_name="check_requests", verbose_name=_("work order")
    )
    action = models.CharField(_("action"), max_length=10)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("check-in/out request")
        verbose_name_plural = _("check-in/out requests")

    def __str__(self) -> str:
        return self.key


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
    """A town's quarterly satisfaction survey of one provider (through grid workers)."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("provider"))
    street = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("street / town"))
    quarter = models.DateField(_("quarter"), help_text=_("First day of the quarter"))
    surveyed = models.PositiveIntegerField(_("persons surveyed"))
    satisfied = models.PositiveIntegerField(_("persons satisfied"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))

    class Meta:
        ordering = ["-quarter", "provider_id"]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        constraints = [
            models.UniqueConstraint(fields=["provider", "street", "quarter"], name="survey_one_per_quarter"),
            models.CheckConstraint(
                condition=Q(satisfied__lte=F("surveyed")) & Q(surveyed__gt=0), name="survey_counts_valid"
            ),
        ]

    @property
    def rate(self):
        return percent_one_decimal(self.satisfied, self.surveyed)


class Rectification(TimeStampedModel):
    """Correction ordered when satisfaction falls below 80%; unresolved past the deadline, the
    district may terminate the provider's contract."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
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
