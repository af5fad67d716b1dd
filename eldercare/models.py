"""The shared core: the administrative tree, users and their scoped roles, the elder registry,
in-app notices and the working-day calendar overrides."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from .crypto import EncryptedTextField
from .searchkeys import id_tail, name_initials, phone_tail


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Division(TimeStampedModel):
    """A node of the administrative tree: district → street office or town → community or village."""

    class Level(models.TextChoices):
        DISTRICT = "district", _("District")
        STREET = "street", _("Street office / town")
        COMMUNITY = "community", _("Community / village")

    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    rural = models.BooleanField(
        _("town or village"), default=False, help_text=_("a town or village rather than a street office or community")
    )
    # Where the public reaches the office: printed on the public-notice list (where to object) and
    # the notices. An office's own contacts, not a person's, so stored in clear.
    address = models.CharField(_("office address"), max_length=200, blank=True)
    phone = models.CharField(
        _("office telephone"),
        max_length=30,
        blank=True,
        validators=[
            RegexValidator(
                r"^[0-9][0-9 ()\-]{5,24}[0-9]$",
                _("Enter a telephone number of digits, spaces, brackets and hyphens, e.g. 0571-8765 4321."),
            )
        ],
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrative division")
        verbose_name_plural = _("administrative divisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(level="district", parent__isnull=True) | (~Q(level="district") & Q(parent__isnull=False)),
                name="division_parent_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def street(self) -> "Division | None":
        if self.level == self.Level.COMMUNITY:
            return self.parent
        return self if self.level == self.Level.STREET else None

    @property
    def district(self) -> "Division":
        node = self
        while node.parent_id:
            node = node.parent
        return node


class Role(models.TextChoices):
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    STREET_REVIEWER = "street_reviewer", _("Street office reviewer")
    DISTRICT_REVIEWER = "district_reviewer", _("District reviewer")
    ASSESSOR = "assessor", _("Assessor")
    PROVIDER_ADMIN = "provider_admin", _("Provider administrator")
    CAREGIVER = "caregiver", _("Caregiver")
    FINANCE = "finance", _("Finance")
    SUPERVISOR = "supervisor", _("Supervisor (read-only)")
    SYSADMIN = "sysadmin", _("System administrator")
    VOLUNTEER = "volunteer", _("Volunteer")
    SUPERMARKET = "supermarket_staff", _("Partner supermarket staff")


PROVIDER_ROLES = (Role.PROVIDER_ADMIN, Role.CAREGIVER)  # a tuple: migrations need a stable order
# Roles whose reach is not a part of the tree although they are recorded against one: a volunteer
# sees the households assigned to them, a supermarket's staff the orders placed with it.
OUTSIDE_ROLES = (Role.VOLUNTEER, Role.SUPERMARKET)


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def assignments(self) -> list["RoleAssignment"]:
        """The user's role assignments with their divisions, read once and kept on the user object:
        the role set (`has_role`) and the scope (`eldercare.scoping.scope_for`) both come from them."""
        cached = getattr(self, "_assignments", None)
        if cached is None:
            cached = list(self.role_assignments.select_related("division"))
            self._assignments = cached
        return cached

    @property
    def role_set(self) -> frozenset[str]:
        cached = getattr(self, "_role_set", None)
        if cached is None:
            cached = frozenset(a.role for a in self.assignments)
            self._role_set = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    def set_password(self, raw_password) -> None:
        super().set_password(raw_password)
        # Saved with it: the API tokens issued under the old password end (eldercare.apps).
        self._password_changed = True


class RoleAssignment(TimeStampedModel):
    """One role of a user, scoped to a node of the tree or, for provider roles, to a provider."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    division = models.ForeignKey(
        Division, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("division")
    )
    provider = models.ForeignKey(
        "providers.Provider",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
        verbose_name=_("provider"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["user_id", "role"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role__in=[r.value for r in PROVIDER_ROLES], provider__isnull=False, division__isnull=True)
                    | (
                        ~Q(role__in=[r.value for r in PROVIDER_ROLES])
                        & Q(provider__isnull=True, division__isnull=False)
                    )
                ),
                name="role_scope_matches_role",
            ),
            models.UniqueConstraint(fields=["user", "role", "division", "provider"], name="role_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.division or self.provider}"


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class DifficultyCategory(models.TextChoices):
    EXTREME_POVERTY = "tekun", _("Scattered extreme poverty (特困)")
    LOW_INCOME = "dibao", _("Low-income family (低保)")
    BEREAVED = "shidu", _("Bereaved of only child (失独)")
    ENTITLED = "youfu", _("Key entitled group (优抚)")
    SPECIAL_CONTRIBUTION = "gongxian", _("Special contributor (特殊贡献)")
    CHILDLESS = "gugua", _("Solitary and childless (孤寡)")
    EMPTY_NEST = "kongchao", _("Empty-nest living alone (空巢独居)")
    THREE_NO = "sanwu", _("Three-no elder (三无)")


class LifeStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MOVED = "moved", _("Moved away")
    DECEASED = "deceased", _("Deceased")


# Which search key is derived from which field (for saves that name their `update_fields`).
_SEARCH_SOURCES = {"name": "name_initials", "id_number": "id_tail", "phone": "phone_tail"}


class Elder(TimeStampedModel):
    """A person in the registry. The ID number is encrypted; `id_digest` finds it, `id_masked` lists it."""

    name = models.CharField(_("name"), max_length=60)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    id_number = EncryptedTextField(_("resident ID number"))
    id_digest = models.CharField(max_length=64, unique=True, editable=False)
    id_masked = models.CharField(_("resident ID number"), max_length=18, editable=False)
    birth_date = models.DateField(_("date of birth"), db_index=True)
    community = models.ForeignKey(
        Division,
        on_delete=models.PROTECT,
        related_name="elders",
        verbose_name=_("household-registration community"),
        limit_choices_to={"level": Division.Level.COMMUNITY},
    )
    hukou_in_district = models.BooleanField(_("household registration in the district"), default=True)
    resident_since = models.DateField(_("living here since"))
    address = models.CharField(_("address"), max_length=200)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    agent_name = models.CharField(_("agent or family contact"), max_length=60, blank=True)
    agent_relation = models.CharField(_("relation"), max_length=30, blank=True)
    agent_phone = EncryptedTextField(_("agent phone"), blank=True)
    agent_phone_masked = models.CharField(_("agent phone"), max_length=20, blank=True, editable=False)
    life_status = models.CharField(
        _("life status"), max_length=10, choices=LifeStatus.choices, default=LifeStatus.ACTIVE
    )
    life_status_date = models.DateField(_("status date"), null=True, blank=True)
    # Lifetime disqualification after voucher fraud: no application or grant is accepted again.
    disqualified_at = models.DateTimeField(_("disqualified at"), null=True, blank=True)
    disqualified_reason = models.TextField(_("disqualification reason"), blank=True)
    # Search keys derived on save (see eldercare.searchkeys): indexed, so a search never decrypts.
    name_initials = models.CharField(max_length=20, blank=True, db_default="", editable=False, db_index=True)
    id_tail = models.CharField(max_length=6, blank=True, db_default="", editable=False, db_index=True)
    phone_tail = models.CharField(max_length=4, blank=True, db_default="", editable=False, db_index=True)
    history = HistoricalRecords(
        excluded_fields=["id_number", "phone", "agent_phone", "name_initials", "id_tail", "phone_tail"]
    )

    class Meta:
        ordering = ["community_id", "name", "id"]
        verbose_name = _("elder")
        verbose_name_plural = _("elders")
        constraints = [
            models.CheckConstraint(
                condition=Q(life_status="active") | Q(life_status_date__isnull=False),
                name="elder_inactive_has_status_date",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "life_status"]),
            # the home page's recently updated elders (a backward scan stops after the first few);
            # the name's trigram index is PostgreSQL-only, in migration 0009
            models.Index(fields=["updated_at"], name="elder_updated_at_idx"),
            # The living elders' columns the district-wide figures read (the outreach coverage, the
            # continuity report): a sixth of the table's width, read without the table once vacuumed.
            models.Index(
                fields=["id"],
                include=["community", "birth_date", "name", "disqualified_at"],
                condition=Q(life_status="active"),
                name="elder_living_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id_masked})"

    def save(self, *args, **kwargs):
        self.fill_search_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            derived = {_SEARCH_SOURCES[f] for f in update_fields if f in _SEARCH_SOURCES}
            kwargs["update_fields"] = set(update_fields) | derived
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("elder_detail", args=[self.pk])

    def fill_search_keys(self) -> None:
        """Derive the indexed search columns from the name, ID number and phone."""
        self.name_initials = name_initials(self.name)
        self.id_tail = id_tail(self.id_number or "")
        self.phone_tail = phone_tail(self.phone or "")

    @property
    def category_codes(self) -> list[str]:
        return [c.category for c in self.categories.all()]


class ElderCategory(TimeStampedModel):
    elder = models.ForeignKey(Elder, on_delete=models.CASCADE, related_name="categories", verbose_name=_("elder"))
    category = models.CharField(_("category of difficulty"), max_length=10, choices=DifficultyCategory.choices)
    evidence_date = models.DateField(_("evidence date"))
    evidence_note = models.CharField(_("evidence"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["elder_id", "category"]
        verbose_name = _("category of difficulty")
        verbose_name_plural = _("categories of difficulty")
        constraints = [models.UniqueConstraint(fields=["elder", "category"], name="elder_category_unique")]
        # The visit frequency report's elders whose categories changed since its stored reading.
        indexes = [models.Index(fields=["updated_at"], name="elder_category_updated_at")]

    def __str__(self) -> str:
        return self.get_category_display()


class RevealReason(models.TextChoices):
    """Why a full personal number was shown. A person picks one of the first four; the last marks
    the reveals recorded before a reason was asked."""

    VERIFY_IDENTITY = "verify_identity", _("Verify identity")
    CONTACT_ELDER = "contact_elder", _("Contact the elder")
    CORRECT_RECORD = "correct_record", _("Correct the record")
    OTHER = "other", _("Other")
    UNRECORDED = "unrecorded", _("Not recorded (before reasons were asked)")


# The reasons a person may give (the last one is only for old rows).
REVEAL_REASONS_OFFERED = [(value, label) for value, label in RevealReason.choices if value != RevealReason.UNRECORDED]


class RevealLog(models.Model):
    """Every time a full ID number or phone is shown, who saw it and why (a reason from a short
    list, a note for "other"), and the record it was shown for when it was not the elder's page."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="reveals", verbose_name=_("elder"))
    field = models.CharField(_("field"), max_length=30)
    reason = models.CharField(_("reason"), max_length=20, choices=RevealReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    for_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("shown for")
    )
    for_id = models.PositiveBigIntegerField(null=True, blank=True)
    shown_for = GenericForeignKey("for_type", "for_id")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reveal of personal data")
        verbose_name_plural = _("reveals of personal data")

    def __str__(self) -> str:
        return f"{self.user} {self.field} {self.created_at:%Y-%m-%d %H:%M}"


class Notification(TimeStampedModel):
    """An in-app notice for one user (reminders of deadlines, results of background jobs)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    message = models.TextField(_("message"))
    url = models.CharField(_("link"), max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=120, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"], condition=~Q(dedupe_key=""), name="notification_dedupe"
            )
        ]

    def __str__(self) -> str:
        return self.message[:40]


class SavedFilter(TimeStampedModel):
    """A user's own named set of filters on a list page, to open it again in one tap. Search text
    is kept only when it holds no personal number."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters")
    view_name = models.CharField(_("list"), max_length=100)
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=40)
    query = models.CharField(_("filters"), max_length=500, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        constraints = [
            models.UniqueConstraint(fields=["user", "view_name", "name"], name="saved_filter_unique_name"),
            models.CheckConstraint(condition=~Q(name=""), name="saved_filter_named"),
        ]

    def __str__(self) -> str:
        return self.name


class SmsMessage(TimeStampedModel):
    """A text message sent (or refused by the provider): who got what, when and why. Append-only."""

    phone = models.CharField(_("phone"), max_length=20)
    text = models.CharField(_("text"), max_length=500)
    purpose = models.CharField(_("purpose"), max_length=60, blank=True)
    dedupe_key = models.CharField(max_length=120, blank=True)
    provider_id = models.CharField(_("provider's message id"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("text message")
        verbose_name_plural = _("text messages")
        indexes = [models.Index(fields=["dedupe_key"], name="sms_dedupe_idx")]

    def __str__(self) -> str:
        return f"{self.phone}: {self.text[:30]}"


class CalendarYear(TimeStampedModel):
    """A year whose official holidays the administrator entered by hand (the library lacks it)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    note = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year override")
        verbose_name_plural = _("calendar year overrides")

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(TimeStampedModel):
    """A holiday on a weekday (is_workday False) or a make-up working day on a weekend (True)."""

    calendar_year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=60, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_workday else '休'} {self.name}"
