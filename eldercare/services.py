"""Writes of the shared core: the elder registry and the reveal log."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .crypto import blind_index
from .errors import NotAllowed, ValidationFailed
from .idnumber import parse_resident_id
from .masking import mask_id_number, mask_phone
from .models import (
    REVEAL_REASONS_OFFERED,
    DifficultyCategory,
    Division,
    Elder,
    ElderCategory,
    LifeStatus,
    Notification,
    RevealLog,
    RevealReason,
    Role,
    RoleAssignment,
    SavedFilter,
    User,
)
from .scoping import scope_for
from .searching import KEY_PARAM, NumberInUrl, holds_personal_number
from .sms import sms_send
from .text import clean_text

# Roles that may create or edit registry records, and those that may see full numbers.
REGISTRY_EDITORS = (Role.COMMUNITY_WORKER, Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER, Role.SYSADMIN)
REVEAL_ROLES = (Role.COMMUNITY_WORKER, Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER, Role.ASSESSOR, Role.SYSADMIN)


@dataclass
class ElderData:
    """What a person types (a form, an API call or a spreadsheet row) to register an elder."""

    name: str
    id_number: str
    community: Division
    resident_since: datetime.date
    address: str
    gender: str = ""
    birth_date: datetime.date | None = None
    hukou_in_district: bool = True
    phone: str = ""
    agent_name: str = ""
    agent_relation: str = ""
    agent_phone: str = ""
    categories: dict[str, datetime.date] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Every way in (a form, the API, a spreadsheet row) builds this: names and free text are
        # made plain here, before they are validated or stored.
        self.name = clean_text(self.name)
        self.address = clean_text(self.address)
        self.agent_name = clean_text(self.agent_name)
        self.agent_relation = clean_text(self.agent_relation)


def _can_edit_in(user: User, community: Division) -> bool:
    scope = scope_for(user)
    return scope.covers_community(community.pk) and (user.is_superuser or user.has_role(*REGISTRY_EDITORS))


def elder_validate(*, data: ElderData, instance: Elder | None = None) -> dict[str, str]:
    """Check one record; return {field: message} for every problem, empty when valid."""
    errors: dict[str, str] = {}
    if not (data.name or "").strip():
        errors["name"] = _("The name is required.")
    try:
        rid = parse_resident_id(data.id_number)
    except ValidationFailed as exc:
        errors["id_number"] = exc.message
        rid = None
    if rid:
        if data.birth_date and data.birth_date != rid.birth_date:
            errors["birth_date"] = _("The date of birth does not match the ID number (%(date)s).") % {
                "date": rid.birth_date.isoformat()
            }
        if data.gender and data.gender != rid.gender:
            errors["gender"] = _("The gender does not match the ID number.")
        clash = Elder.objects.filter(id_digest=blind_index(rid.number))
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            errors["id_number"] = _("A person with this ID number is already registered.")
    if data.community is None or data.community.level != Division.Level.COMMUNITY:
        errors["community"] = _("Choose a community or village.")
    if data.resident_since and data.resident_since > timezone.localdate():
        errors["resident_since"] = _("The date of residence cannot be in the future.")
    if not (data.address or "").strip():
        errors["address"] = _("The address is required.")
    unknown = set(data.categories) - set(DifficultyCategory.values)
    if unknown:
        errors["categories"] = _("Unknown category of difficulty: %(code)s") % {"code": ", ".join(sorted(unknown))}
    return errors


def _apply(elder: Elder, data: ElderData) -> None:
    rid = parse_resident_id(data.id_number)
    elder.name = data.name.strip()
    elder.id_number = rid.number
    elder.id_digest = blind_index(rid.number)
    elder.id_masked = mask_id_number(rid.number)
    elder.birth_date = rid.birth_date
    elder.gender = rid.gender
    elder.community = data.community
    elder.hukou_in_district = data.hukou_in_district
    elder.resident_since = data.resident_since
    elder.address = data.address.strip()
    elder.phone = data.phone or ""
    elder.phone_masked = mask_phone(data.phone)
    elder.agent_name = data.agent_name
    elder.agent_relation = data.agent_relation
    elder.agent_phone = data.agent_phone or ""
    elder.agent_phone_masked = mask_phone(data.agent_phone)


def _set_categories(elder: Elder, categories: dict[str, datetime.date]) -> None:
    elder.categories.exclude(category__in=list(categories)).delete()
    existing = {c.category: c for c in elder.categories.all()}
    for code, evidence_date in categories.items():
        row = existing.get(code)
        if row is None:
            ElderCategory.objects.create(elder=elder, category=code, evidence_date=evidence_date)
        elif row.evidence_date != evidence_date:
            row.evidence_date = evidence_date
            row.save(update_fields=["evidence_date", "updated_at"])


@transaction.atomic
def elder_create(*, data: ElderData, by: User) -> Elder:
    if data.community is not None and not _can_edit_in(by, data.community):
        raise NotAllowed(_("You may not register elders in this community."))
    errors = elder_validate(data=data)
    if errors:
        raise ValidationFailed("; ".join(errors.values()), errors=errors)
    elder = Elder()
    _apply(elder, data)
    elder.save()
    _set_categories(elder, data.categories)
    return elder


@transaction.atomic
def elder_update(*, elder: Elder, data: ElderData, by: User) -> Elder:
    if not _can_edit_in(by, elder.community) or not _can_edit_in(by, data.community):
        raise NotAllowed(_("You may not edit elders in this community."))
    errors = elder_validate(data=data, instance=elder)
    if errors:
        raise ValidationFailed("; ".join(errors.values()), errors=errors)
    _apply(elder, data)
    elder.save()
    _set_categories(elder, data.categories)
    return elder


@transaction.atomic
def elder_set_life_status(*, elder: Elder, status: str, on: datetime.date, by: User) -> Elder:
    """Record a move or a death (or its correction). Later capabilities react to the new status."""
    if not _can_edit_in(by, elder.community):
        raise NotAllowed(_("You may not edit elders in this community."))
    if status not in LifeStatus.values:
        raise ValidationFailed(_("Unknown life status."))
    elder.life_status = status
    elder.life_status_date = None if status == LifeStatus.ACTIVE else on
    elder.save(update_fields=["life_status", "life_status_date", "updated_at"])
    return elder


REVEALABLE_FIELDS = ("id_number", "phone", "agent_phone")


def can_reveal(user: User) -> bool:
    """Whether the user's role may see full personal numbers (each time with a reason)."""
    return user.is_superuser or user.has_role(*REVEAL_ROLES)


def elder_reveal(
    *, elder: Elder, field: str, by: User, reason: str, note: str = "", shown_for: models.Model | None = None
) -> str:
    """The full value of a personal number, for roles that need it, with a reason from the list
    (a note saying why for "other"); each reveal is recorded, with the record it was shown for."""
    if field not in REVEALABLE_FIELDS:
        raise ValidationFailed(_("This field cannot be revealed."))
    if not can_reveal(by):
        raise NotAllowed(_("Your role may not see full personal numbers."))
    note = clean_text(note or "")[:200]
    if reason not in dict(REVEAL_REASONS_OFFERED):
        raise ValidationFailed(_("Choose why you need the full number."), errors={"reason": _("Choose a reason.")})
    if reason == RevealReason.OTHER and not note:
        raise ValidationFailed(
            _("Say why you need the full number."), errors={"note": _("Say why you need the full number.")}
        )
    RevealLog.objects.create(
        user=by,
        elder=elder,
        field=field,
        reason=reason,
        note=note,
        for_type=ContentType.objects.get_for_model(shown_for) if shown_for is not None else None,
        for_id=shown_for.pk if shown_for is not None else None,
    )
    return getattr(elder, field)


def notification_send(*, user: User, message: str, url: str = "", dedupe_key: str = "", sms: bool = False):
    """An in-app notice; with a dedupe_key the same notice is created once however often it is sent.
    Mail goes out too when the user has an address (the mail backend is configured per environment);
    with `sms`, for what cannot wait, a text message to the user's phone as well."""

    if dedupe_key:
        notice, created = Notification.objects.get_or_create(
            user=user, dedupe_key=dedupe_key, defaults={"message": message, "url": url}
        )
    else:
        notice, created = Notification.objects.create(user=user, message=message, url=url), True
    if created and user.email:
        send_mail(str(message)[:60], f"{message}\n{url}", None, [user.email], fail_silently=True)
    if created and sms and user.phone:
        sms_send(phone=user.phone, text=str(message), purpose="notice", dedupe_key=dedupe_key)
    return notice


def notifications_settle(*, dedupe_key: str) -> int:
    """Mark as read every user's unread notice of something acted on (an escalation closed by a
    colleague no longer calls for anyone)."""
    return Notification.objects.filter(dedupe_key=dedupe_key, read_at__isnull=True).update(read_at=timezone.now())


def notification_mark_read(*, notice: Notification) -> Notification:
    """The user has seen the notice (opening it again keeps the first time it was read)."""
    if notice.read_at is None:
        notice.read_at = timezone.now()
        Notification.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
    return notice


def notifications_mark_all_read(*, user: User) -> int:
    """Every unread notice of the user marked read; returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


# --- logins ----------------------------------------------------------------------------------


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages)) from exc


@transaction.atomic
def login_create(
    *, username: str, full_name: str, password: str, role: str, provider=None, division: Division | None = None
) -> User:
    """A login with one role, scoped to a provider or a division. The caller checks who may make it;
    the person is told the first password by whoever made it and changes it after logging in."""
    username = username.strip()
    if not username:
        raise ValidationFailed(_("Enter a login name."))
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed(_("The login name %(name)s is already taken.") % {"name": username})
    user = User(username=username, first_name=clean_text(full_name)[:150])
    _check_password(password, user)
    user.set_password(password)
    user.save()
    RoleAssignment.objects.create(user=user, role=role, provider=provider, division=division)
    return user


@transaction.atomic
def login_set_password(*, user: User, password: str) -> User:
    """A new password set by the person who manages this login (a forgotten password)."""
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def _district_id(division: Division) -> int | None:
    """The division's district from the ids at hand (a community's parent is loaded with it by
    `division_list`), without walking the tree one query per level as `Division.district` does."""
    if division.level == Division.Level.DISTRICT:
        return division.pk
    if division.level == Division.Level.STREET:
        return division.parent_id
    return division.parent.parent_id if division.parent is not None else None


def division_can_edit(user: User, division: Division) -> bool:
    """Who keeps an office's contacts: its own community worker, the street office for itself and
    its communities, the district reviewer for the whole district, the system administrator."""
    if user.is_superuser or user.has_role(Role.SYSADMIN):
        return True
    scope = scope_for(user)
    if user.has_role(Role.DISTRICT_REVIEWER) and _district_id(division) in scope.district_ids:
        return True
    if user.has_role(Role.STREET_REVIEWER) and (
        division.pk in scope.street_ids or division.parent_id in scope.street_ids
    ):
        return True
    return (
        user.has_role(Role.COMMUNITY_WORKER)
        and division.level == Division.Level.COMMUNITY
        and division.pk in scope.community_ids
    )


@transaction.atomic
def division_contacts_update(*, division: Division, address: str, phone: str, by: User) -> Division:
    """Set where the public reaches an office (printed on the public-notice lists)."""
    if not division_can_edit(by, division):
        raise NotAllowed(_("You may not change this office's contacts."))
    division.address = clean_text(address)
    division.phone = clean_text(phone)
    try:
        division.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors = {f: "；".join(m) for f, m in exc.message_dict.items() if f in ("address", "phone")}
        raise ValidationFailed("；".join(exc.messages), errors=errors) from exc
    division.save(update_fields=["address", "phone", "updated_at"])
    return division


SAVED_FILTERS_PER_LIST = 20
SAVED_QUERY_LENGTH = 500  # SavedFilter.query's max_length
# Never part of a saved filter: the page number, the session's search key, the form's token.
UNSAVED_PARAMS = frozenset({"page", KEY_PARAM, "csrfmiddlewaretoken"})


def saved_filter_query(query: QueryDict, search: str = "") -> str:
    """The part of a list's address worth saving: its filters, and its search text (`q`) when
    that holds no personal number. Raises when a filter value itself holds one."""
    kept = QueryDict(mutable=True)
    for key, values in query.lists():
        if key in UNSAVED_PARAMS:
            continue
        values = [v for v in values if v]
        if any(holds_personal_number(v) for v in values):
            raise NumberInUrl()
        if values:
            kept.setlist(key, values)
    if search and not holds_personal_number(search):
        kept["q"] = search
    return kept.urlencode()


@transaction.atomic
def saved_filter_save(*, user: User, view_name: str, name: str, query: str) -> SavedFilter:
    """Save (or replace, under the same name) the user's filters of a list page."""
    name = clean_text(name)
    if not name:
        raise ValidationFailed(_("Give the filter a name."), errors={"name": _("Give the filter a name.")})
    try:
        reverse(view_name)
    except NoReverseMatch as exc:
        raise ValidationFailed(_("This page has no filters to save.")) from exc
    query = saved_filter_query(QueryDict(query))
    if len(query) > SAVED_QUERY_LENGTH:
        raise ValidationFailed(_("These filters are too long to save."))
    mine = SavedFilter.objects.select_for_update().filter(user=user, view_name=view_name)
    if not mine.filter(name=name).exists() and mine.count() >= SAVED_FILTERS_PER_LIST:
        raise ValidationFailed(
            _("At most %(n)s filters can be saved for one list: delete one first.") % {"n": SAVED_FILTERS_PER_LIST}
        )
    saved, _created = SavedFilter.objects.update_or_create(
        user=user, view_name=view_name, name=name, defaults={"query": query}
    )
    return saved


def saved_filter_delete(*, saved: SavedFilter, by: User) -> None:
    if saved.user_id != by.pk:
        raise NotAllowed(_("This filter is someone else's."))
    saved.delete()
