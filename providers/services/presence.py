"""Presence at the door, in the layers the district configures: the card (scanned or typed), the
time window around the booked start, the phone's location against the home's geofence (when the
phone gives it), and the elder's confirmation at check-out (a one-time code from the back of the
card, or a signature on the caregiver's phone). What does not hold up opens an exception on the
visit; an open exception holds its payment (see `corrections`)."""

import base64
import binascii
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.errors import NotAllowed, ValidationFailed
from eldercare.models import Division, Elder, Role, User
from eldercare.uploads import check_upload

from .. import rules, tokens
from ..models import (
    ElderCard,
    ExceptionKind,
    HomeLocation,
    ReasonCode,
    VisitException,
    VisitPolicy,
    WorkOrder,
)
from .access import in_community_scope, is_admin

# A signature drawn on the phone, as a PNG, at most this many bytes.
SIGNATURE_MAX_BYTES = 300_000


class WrongConfirmation(NotAllowed):
    """The elder's one-time code is not on the card, or already used."""

    code = "wrong_confirmation"


def policy_for(elder: Elder) -> VisitPolicy:
    """The verification policy of the elder's district (its defaults when the district set none)."""
    policy = VisitPolicy.objects.filter(district__children__children=elder.community_id).first()
    return policy or VisitPolicy()


def policy_of_district(district: Division) -> VisitPolicy:
    return VisitPolicy.objects.filter(district=district).first() or VisitPolicy(district=district)


POLICY_FIELDS = (
    "early_minutes",
    "late_minutes",
    "use_location",
    "geofence_metres",
    "confirmation_required",
    "long_visit_factor",
)


@transaction.atomic
def policy_set(*, district: Division, by: User, **values) -> VisitPolicy:
    """The district reviewer sets how visits are verified in the district."""
    if not (is_admin(by) or by.has_role(Role.DISTRICT_REVIEWER)):
        raise NotAllowed(_("Only the district sets how visits are verified."))
    if district.level != Division.Level.DISTRICT:
        raise ValidationFailed(_("A verification policy belongs to a district."))
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown setting: %(name)s") % {"name": ", ".join(sorted(unknown))})
    if "geofence_metres" in values and values["geofence_metres"] < 50:
        raise ValidationFailed(_("The geofence radius is at least 50 metres (a phone's location is not finer)."))
    if "long_visit_factor" in values and Decimal(values["long_visit_factor"]) < 1:
        raise ValidationFailed(
            _("A visit is too long only beyond its item's standard minutes (a factor of 1 or more).")
        )
    policy = VisitPolicy.objects.select_for_update().filter(district=district).first() or VisitPolicy(district=district)
    for name, value in values.items():
        setattr(policy, name, value)
    policy.save()
    return policy


# --- the elder's home -----------------------------------------------------------------------


@transaction.atomic
def home_locate(*, elder: Elder, lat: Decimal, lng: Decimal, by: User) -> HomeLocation:
    """The community worker records where the elder's home is (standing at the door, or from the
    map): the reference of the geofence."""
    if not (is_admin(by) or (by.has_role(Role.COMMUNITY_WORKER) and in_community_scope(by, elder))):
        raise NotAllowed(_("Only the elder's community records where the home is."))
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationFailed(_("This is not a place on Earth: latitude −90 to 90, longitude −180 to 180."))
    location, _created = HomeLocation.objects.update_or_create(
        elder=elder, defaults={"lat": lat, "lng": lng, "source": HomeLocation.Source.COMMUNITY, "set_by": by}
    )
    return location


def home_of(elder_id: int) -> HomeLocation | None:
    return HomeLocation.objects.filter(elder_id=elder_id).first()


def distance_from_home(home: HomeLocation | None, lat: Decimal | None, lng: Decimal | None) -> int | None:
    if home is None or lat is None or lng is None:
        return None
    return rules.distance_m(home.lat, home.lng, lat, lng)


def home_and_distance(
    order: WorkOrder, policy: VisitPolicy, lat: Decimal | None, lng: Decimal | None
) -> tuple[HomeLocation | None, int | None]:
    """The elder's home, read only when the district uses the phone's location and the phone gave
    one, and the phone's distance from it in metres (None when either is missing)."""
    if not (policy.use_location and lat is not None and lng is not None):
        return None, None
    home = home_of(order.elder_id)
    return home, distance_from_home(home, lat, lng)


def learn_home(order: WorkOrder) -> None:
    """The first verified visit (card scanned, elder's confirmation, no exception) locates a home
    that nobody has located yet."""
    if (
        order.check_in_lat is None
        or order.check_in_lng is None
        or order.check_in_method != WorkOrder.CheckMethod.SCANNED
        or not order.confirmed_by
    ):
        return
    HomeLocation.objects.get_or_create(
        elder_id=order.elder_id,
        defaults={
            "lat": order.check_in_lat,
            "lng": order.check_in_lng,
            "source": HomeLocation.Source.FIRST_VISIT,
            "order": order,
        },
    )


# --- the elder's confirmation ---------------------------------------------------------------


@dataclass(frozen=True)
class Confirmation:
    method: str
    card_version: int | None = None
    number: int | None = None
    signature: ContentFile | None = None


def card_confirmation_codes(card: ElderCard) -> list[str]:
    """The one-time codes printed on the back of the card, numbered from 1."""
    return tokens.confirmation_codes(
        elder_id=card.elder_id, version=card.version, count=rules.CONFIRMATION_CODES_PER_CARD
    )


def confirmation_check(
    *, order: WorkOrder, card: ElderCard | None = None, elder_code: str = "", signature: str = ""
) -> Confirmation | None:
    """The elder's confirmation given at check-out, checked; None when none was given. `card`: the
    elder's card when the caller has just read it (the one scanned at the door)."""
    elder_code = "".join((elder_code or "").split())
    if elder_code:
        if card is None or card.elder_id != order.elder_id:
            card = ElderCard.objects.filter(elder_id=order.elder_id).first()
        if card is not None:
            used = set(
                WorkOrder.objects.filter(
                    elder_id=order.elder_id, confirmation_card_version=card.version, confirmation_code_no__isnull=False
                ).values_list("confirmation_code_no", flat=True)
            )
            for number, code in enumerate(card_confirmation_codes(card), start=1):
                if code == elder_code:
                    if number in used:
                        raise WrongConfirmation(
                            _("Code no. %(n)d of the card was already used for another visit: ask for the next one.")
                            % {"n": number}
                        )
                    return Confirmation(WorkOrder.Confirmation.CODE, card.version, number)
        raise WrongConfirmation(
            _("This is not one of the codes on the back of the elder's card. Ask the elder to read it again.")
        )
    if signature:
        return Confirmation(WorkOrder.Confirmation.SIGNATURE, signature=signature_file(signature, order))
    return None


def signature_file(data_url: str, order: WorkOrder) -> ContentFile:
    """A signature drawn on the phone (a PNG data URL) as a file to keep with the visit."""
    _head, _sep, payload = data_url.partition("base64,")
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationFailed(_("The signature could not be read: sign again.")) from exc
    signature = ContentFile(raw, name=f"visit-{order.pk}.png")
    try:
        check_upload(signature, kinds=("png",), max_bytes=SIGNATURE_MAX_BYTES)
    except ValidationFailed as exc:
        raise ValidationFailed(_("The signature could not be read: sign again.")) from exc
    return signature


# --- exceptions -----------------------------------------------------------------------------


def exception_open(order: WorkOrder, kind: str, detail: str = "", *, at: datetime.datetime | None = None) -> None:
    """Open an exception of this kind on the visit (once a kind)."""
    VisitException.objects.get_or_create(
        order=order, kind=kind, defaults={"detail": detail[:200], "opened_at": at or timezone.now()}
    )


def has_open_exceptions(order: WorkOrder) -> bool:
    return VisitException.objects.filter(order=order, resolved_at__isnull=True).exists()


def check_in_findings(
    *, order: WorkOrder, policy: VisitPolicy, now: datetime.datetime, distance: int | None
) -> list[tuple[str, str]]:
    """The exceptions a check-in opens: outside the time window, outside the geofence."""
    found: list[tuple[str, str]] = []
    minutes = (now - order.scheduled_at).total_seconds() / 60
    timing = rules.check_in_timing(minutes_from_start=minutes, early=policy.early_minutes, late=policy.late_minutes)
    if timing == "early":
        found.append((ExceptionKind.EARLY, _("%(n)d minutes before the booked start") % {"n": round(-minutes)}))
    elif timing == "late":
        found.append((ExceptionKind.LATE, _("%(n)d minutes after the booked start") % {"n": round(minutes)}))
    if policy.use_location and distance is not None and distance > policy.geofence_metres:
        found.append(
            (
                ExceptionKind.OUTSIDE_GEOFENCE,
                _("check-in %(d)d m from the home (radius %(r)d m)") % {"d": distance, "r": policy.geofence_metres},
            )
        )
    return found


def check_out_findings(
    *,
    order: WorkOrder,
    policy: VisitPolicy,
    minutes: float,
    distance: int | None,
    confirmed: bool,
) -> list[tuple[str, str]]:
    """The exceptions a check-out opens: too long, outside the geofence, no elder's confirmation."""
    found: list[tuple[str, str]] = []
    if rules.is_long_visit(minutes=minutes, standard=order.item.minutes, factor=policy.long_visit_factor):
        found.append(
            (
                ExceptionKind.LONG_VISIT,
                _("%(n)d minutes for an item of %(s)d minutes") % {"n": int(minutes), "s": order.item.minutes},
            )
        )
    if policy.use_location and distance is not None and distance > policy.geofence_metres:
        found.append(
            (
                ExceptionKind.OUTSIDE_GEOFENCE,
                _("check-out %(d)d m from the home (radius %(r)d m)") % {"d": distance, "r": policy.geofence_metres},
            )
        )
    if policy.confirmation_required and not confirmed:
        found.append((ExceptionKind.NO_CONFIRMATION, _("no one-time code or signature of the elder")))
    return found


# --- reason codes ---------------------------------------------------------------------------

REASON_CODE_FIELDS = ("name_zh", "name_en", "note_required", "active", "sort")
REASON_CODE_MAX = 40
REASON_NAME_MAX = 80
SORT_MAX = 32767  # a PositiveSmallIntegerField


def _require_reason_keeper(user: User) -> None:
    if not (is_admin(user) or user.has_role(Role.DISTRICT_REVIEWER)):
        raise NotAllowed(_("Only the district reviewer keeps the reason codes for corrections."))


def _reason_name(value: str, *, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(_("Give the reason's %(label)s.") % {"label": label})
    if len(value) > REASON_NAME_MAX:
        raise ValidationFailed(
            _("The reason's %(label)s is at most %(n)d characters.") % {"label": label, "n": REASON_NAME_MAX}
        )
    return value


def _duplicate_code(code: str) -> ValidationFailed:
    return ValidationFailed(
        _("The reason code “%(code)s” already exists (perhaps retired): reinstate it or choose another code.")
        % {"code": code}
    )


@transaction.atomic
def reason_code_create(*, code: str, name_zh: str, name_en: str, note_required: bool, by: User) -> ReasonCode:
    """The district adds a reason a provider may give when correcting a held visit; it comes last
    in the list."""
    _require_reason_keeper(by)
    code = (code or "").strip().lower()
    if not code:
        raise ValidationFailed(_("Give the reason code."))
    try:
        validate_slug(code)
    except ValidationError as exc:
        raise ValidationFailed(
            _("A reason code is made of letters, digits, underscores and hyphens (for example no_signal).")
        ) from exc
    if len(code) > REASON_CODE_MAX:
        raise ValidationFailed(_("A reason code is at most %(n)d characters.") % {"n": REASON_CODE_MAX})
    name_zh = _reason_name(name_zh, label=_("Chinese name"))
    name_en = _reason_name(name_en, label=_("English name"))
    if ReasonCode.objects.filter(code__iexact=code).exists():
        raise _duplicate_code(code)
    last = ReasonCode.objects.order_by("-sort").values_list("sort", flat=True).first() or 0
    reason = ReasonCode(code=code, name_zh=name_zh, name_en=name_en, note_required=bool(note_required), sort=last + 1)
    try:
        # A concurrent request may have added the same code since the check above.
        with transaction.atomic():
            reason.save()
    except IntegrityError as exc:
        raise _duplicate_code(code) from exc
    return reason


@transaction.atomic
def reason_code_update(*, reason: ReasonCode, by: User, **fields) -> ReasonCode:
    """The district renames a reason code, says whether it needs a note, moves it in the list,
    retires it (active=False) or reinstates it (active=True). A code is never deleted nor renamed:
    past corrections name it."""
    _require_reason_keeper(by)
    unknown = set(fields) - set(REASON_CODE_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown setting: %(name)s") % {"name": ", ".join(sorted(unknown))})
    if "name_zh" in fields:
        fields["name_zh"] = _reason_name(fields["name_zh"], label=_("Chinese name"))
    if "name_en" in fields:
        fields["name_en"] = _reason_name(fields["name_en"], label=_("English name"))
    sort = fields.get("sort", 0)
    if isinstance(sort, bool) or not isinstance(sort, int) or not 0 <= sort <= SORT_MAX:
        raise ValidationFailed(_("The order is a whole number from 0 to %(n)d.") % {"n": SORT_MAX})
    reason = ReasonCode.objects.select_for_update().get(pk=reason.pk)
    for name, value in fields.items():
        setattr(reason, name, bool(value) if name in ("note_required", "active") else value)
    reason.save()
    return reason
