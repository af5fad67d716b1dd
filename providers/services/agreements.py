"""Service agreements (the elder chose a provider), changes of provider and the elders' service cards.

Who may do what:
- sign: a community worker of the elder's community; or the provider's own administrator, who
  records how the elder consented (signed in person, a relative signed for them...);
- end: the same community worker, or the administrator of the agreement's provider;
- change provider (end the old one the day before the new one starts, sign the new one): the
  community worker;
- issue or re-issue a card, print it: the community worker, or the administrator of a provider
  with an open agreement with the elder. Caregivers never do.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.crypto import blind_index
from eldercare.errors import Conflict, NotAllowed, ValidationFailed
from eldercare.idnumber import parse_resident_id
from eldercare.models import Elder, LifeStatus, Role, User
from eldercare.periods import local_day_bounds
from eldercare.scoping import scope_for
from eldercare.selectors import elder_list

from .. import tokens
from ..models import (
    CardIssue,
    ElderCard,
    Provider,
    ServiceAgreement,
    WorkOrder,
)
from .access import in_community_scope, is_admin
from .visits import order_cancel

PS = Provider.Status
EndReason = ServiceAgreement.EndReason
# The reasons a plain end may give: a change of provider and a terminated provider have their own actions.
PLAIN_END_REASONS = (EndReason.ELDER_CHOICE, EndReason.LIFE_EVENT, EndReason.OTHER)


# --- who may act ----------------------------------------------------------------------------


def is_elder_community_worker(user: User, elder: Elder) -> bool:
    """A community worker whose community is the elder's (or a system administrator)."""
    return is_admin(user) or (user.has_role(Role.COMMUNITY_WORKER) and in_community_scope(user, elder))


def is_provider_admin_of(user: User, provider_id: int) -> bool:
    return user.has_role(Role.PROVIDER_ADMIN) and provider_id in scope_for(user).provider_ids


def may_sign(user: User, elder: Elder) -> bool:
    """May the user enter a new agreement for this elder (with some provider)?"""
    return is_elder_community_worker(user, elder) or user.has_role(Role.PROVIDER_ADMIN)


def may_end(user: User, agreement: ServiceAgreement) -> bool:
    return is_elder_community_worker(user, agreement.elder) or is_provider_admin_of(user, agreement.provider_id)


def may_change_provider(user: User, elder: Elder) -> bool:
    return is_elder_community_worker(user, elder)


def may_handle_card(user: User, elder: Elder) -> bool:
    """Issue, re-issue and print the elder's card: never a caregiver."""
    if is_elder_community_worker(user, elder):
        return True
    if not user.has_role(Role.PROVIDER_ADMIN):
        return False
    return ServiceAgreement.objects.filter(
        elder=elder, provider_id__in=scope_for(user).provider_ids, ends_on__isnull=True
    ).exists()


# --- reads ----------------------------------------------------------------------------------


def agreement_list(*, user: User) -> QuerySet[ServiceAgreement]:
    """Agreements the user may see: by community for the public side, by provider for its admin."""
    qs = ServiceAgreement.objects.select_related("elder", "elder__community", "provider", "signed_by", "ended_by")
    scope = scope_for(user)
    if scope.all:
        return qs
    q = scope.communities_q("elder__community")
    if user.has_role(Role.PROVIDER_ADMIN):
        q |= scope.providers_q()
    return qs.filter(q)


def agreements_of(*, user: User, elder: Elder) -> QuerySet[ServiceAgreement]:
    return agreement_list(user=user).filter(elder=elder).order_by("ends_on", "-signed_on", "-id")


def providers_for_elder(*, elder: Elder) -> QuerySet[Provider]:
    """The contracted providers serving the elder's street or town: those the elder may choose."""
    return Provider.objects.filter(status=PS.CONTRACTED, streets=elder.community.parent_id).order_by("name")


def providers_to_offer(*, user: User, elder: Elder | None = None) -> QuerySet[Provider]:
    """Providers a sign-up form offers: a provider admin's own; else those serving the elder's street
    (or, with no elder chosen yet, the streets of the user's communities)."""
    scope = scope_for(user)
    qs = Provider.objects.filter(status=PS.CONTRACTED)
    if user.has_role(Role.PROVIDER_ADMIN) and not scope.all:
        qs = qs.filter(pk__in=scope.provider_ids)
    if elder is not None:
        return qs.filter(streets=elder.community.parent_id).order_by("name")
    if not scope.all and not user.has_role(Role.PROVIDER_ADMIN):
        streets = elder_list(user=user).values("community__parent_id")
        qs = qs.filter(streets__in=streets)
    return qs.distinct().order_by("name")


def elder_by_id_number(*, user: User, id_number: str) -> Elder:
    """The elder a provider admin signs with, found by the full ID number the elder showed them.

    A provider sees only its own elders; a new one is found by exact number, among the served elders
    of the streets the provider serves, so that no list of other elders is shown.
    """
    number = parse_resident_id(id_number.strip()).number  # a malformed number says what is wrong
    scope = scope_for(user)
    qs = Elder.objects.select_related("community", "community__parent").filter(
        id_digest=blind_index(number), life_status=LifeStatus.ACTIVE, disqualified_at__isnull=True
    )
    if not scope.all:
        qs = qs.filter(community__parent__served_by__in=scope.provider_ids)
    elder = qs.first()
    if elder is None:
        raise ValidationFailed(_("No elder served in your streets has this ID number."))
    return elder


def elders_to_rehome(*, user: User) -> QuerySet[Elder]:
    """Elders of the user's communities whose provider's qualification ended and who have no open
    agreement now: the community helps them choose another provider."""
    scope = scope_for(user)
    if not (scope.all or user.has_role(Role.COMMUNITY_WORKER)):
        return Elder.objects.none()
    terminated = ServiceAgreement.objects.filter(elder=OuterRef("pk"), end_reason=EndReason.PROVIDER_TERMINATED)
    open_ = ServiceAgreement.objects.filter(elder=OuterRef("pk"), ends_on__isnull=True)
    return (
        Elder.objects.select_related("community")
        .filter(scope.communities_q(), life_status=LifeStatus.ACTIVE, disqualified_at__isnull=True)
        .filter(Exists(terminated))
        .exclude(Exists(open_))
        .order_by("community__name", "name")
    )


def card_of(*, elder: Elder) -> ElderCard | None:
    return ElderCard.objects.filter(elder=elder).first()


def card_issues_of(*, card: ElderCard) -> QuerySet[CardIssue]:
    return card.issues.select_related("by").order_by("-version")


def card_for_print(*, elder: Elder, by: User) -> ElderCard:
    """The elder's current card, for those who may hand it out; never a caregiver."""
    if not may_handle_card(by, elder):
        raise NotAllowed(_("Only the elder's community or their provider may print the elder's card."))
    card = card_of(elder=elder)
    if card is None:
        raise Conflict(_("This elder has no card yet: issue one first."))
    return card


# --- writes ---------------------------------------------------------------------------------


def _check_served(elder: Elder) -> None:
    if elder.life_status != LifeStatus.ACTIVE or elder.disqualified_at is not None:
        raise Conflict(_("This elder is no longer served: no new agreement can be signed."))


def _check_provider(elder: Elder, provider: Provider) -> None:
    if provider.status != PS.CONTRACTED:
        raise Conflict(_("Only a contracted provider can sign service agreements."))
    street_id = elder.community.parent_id
    assert street_id is not None  # a community always has a street (division_parent_matches_level)
    if not provider.streets.filter(pk=street_id).exists():
        raise Conflict(
            _("%(provider)s does not serve %(street)s: choose a provider serving the elder's street or town.")
            % {"provider": provider.name, "street": elder.community.parent}
        )


def _create_agreement(
    *, elder: Elder, provider: Provider, signed_on: datetime.date, consent: str, by: User | None
) -> ServiceAgreement:
    already = _("%(elder)s already has an open agreement with %(provider)s.") % {
        "elder": elder.name,
        "provider": provider.name,
    }
    if ServiceAgreement.objects.filter(elder=elder, provider=provider, ends_on__isnull=True).exists():
        raise Conflict(already)
    try:
        with transaction.atomic():  # a savepoint: a concurrent sign-up must not break the caller's transaction
            return ServiceAgreement.objects.create(
                elder=elder, provider=provider, signed_on=signed_on, consent=consent, signed_by=by
            )
    except IntegrityError as exc:
        raise Conflict(already) from exc


@transaction.atomic
def agreement_sign(
    *, elder: Elder, provider: Provider, signed_on: datetime.date, by: User, consent: str = ""
) -> ServiceAgreement:
    """The elder signs with the provider of their choice (entered by the community or the provider)."""
    consent = consent.strip()
    if is_elder_community_worker(by, elder):
        pass
    elif is_provider_admin_of(by, provider.pk):
        if not consent:
            raise ValidationFailed(
                _("Say how the elder consented (for example: signed in person, a relative signed for them).")
            )
    else:
        raise NotAllowed(_("You may not enter agreements for this elder."))
    _check_served(elder)
    _check_provider(elder, provider)
    return _create_agreement(elder=elder, provider=provider, signed_on=signed_on, consent=consent, by=by)


def _close(
    agreement: ServiceAgreement, *, ends_on: datetime.date, reason: str, note: str, by: User
) -> ServiceAgreement:
    if reason not in EndReason.values:
        raise ValidationFailed(_("Choose why the agreement ends."))
    if reason == EndReason.OTHER and not note.strip():
        raise ValidationFailed(_("Say why the agreement ends."))
    if agreement.ends_on is not None:
        raise Conflict(_("This agreement has already ended."))
    if ends_on < agreement.signed_on:
        raise ValidationFailed(
            _("An agreement cannot end before it was signed (%(date)s).") % {"date": agreement.signed_on.isoformat()}
        )
    agreement.ends_on = ends_on
    agreement.end_reason = reason
    agreement.end_note = note.strip()
    agreement.ended_by = by
    agreement.save(update_fields=["ends_on", "end_reason", "end_note", "ended_by", "updated_at"])
    if reason != EndReason.PROVIDER_TERMINATED:  # the termination cancels all its open orders itself
        _cancel_visits_after(agreement, by=by)
    return agreement


def _cancel_visits_after(agreement: ServiceAgreement, *, by: User) -> int:
    """Cancel the booked and assigned visits of the agreement's provider to its elder on the days
    after it ends; visits on the last day still take place."""
    assert agreement.ends_on is not None
    after = local_day_bounds(agreement.ends_on)[1]
    note = _("the service agreement ended on %(date)s (%(reason)s)") % {
        "date": agreement.ends_on.isoformat(),
        "reason": agreement.get_end_reason_display(),
    }
    orders = WorkOrder.objects.filter(
        elder_id=agreement.elder_id,
        provider_id=agreement.provider_id,
        status__in=(WorkOrder.Status.BOOKED, WorkOrder.Status.ASSIGNED),
        scheduled_at__gte=after,
    ).order_by("pk")
    for order in orders:
        order_cancel(order=order, reason=note, by=by)
    return len(orders)


def _locked(agreement: ServiceAgreement) -> ServiceAgreement:
    return (
        ServiceAgreement.objects.select_for_update()
        .select_related("elder", "elder__community", "provider")
        .get(pk=agreement.pk)
    )


@transaction.atomic
def agreement_end(
    *, agreement: ServiceAgreement, ends_on: datetime.date, reason: str, by: User, note: str = ""
) -> ServiceAgreement:
    """End an agreement from a date, with the reason (`ServiceAgreement.EndReason`)."""
    agreement = _locked(agreement)
    if not may_end(by, agreement):
        raise NotAllowed(_("You may not end this agreement."))
    if reason == EndReason.CHANGED_PROVIDER:
        raise ValidationFailed(_("A change of provider also signs the new agreement: use Change provider."))
    if reason == EndReason.PROVIDER_TERMINATED:
        raise ValidationFailed(_("Agreements end for this reason when the district terminates the provider."))
    return _close(agreement, ends_on=ends_on, reason=reason, note=note, by=by)


@transaction.atomic
def agreement_change_provider(
    *,
    agreement: ServiceAgreement,
    provider: Provider,
    starts_on: datetime.date,
    by: User,
    consent: str = "",
    note: str = "",
) -> ServiceAgreement:
    """The elder changes provider: the old agreement ends the day before the new one starts."""
    agreement = _locked(agreement)
    elder = agreement.elder
    if not may_change_provider(by, elder):
        raise NotAllowed(_("Only the elder's community may change the elder's provider."))
    if provider.pk == agreement.provider_id:
        raise ValidationFailed(_("Choose a provider other than the current one."))
    _check_served(elder)
    _check_provider(elder, provider)
    ends_on = starts_on - datetime.timedelta(days=1)
    if ends_on < agreement.signed_on:
        raise ValidationFailed(
            _("The new agreement must start after the current one was signed (%(date)s).")
            % {"date": agreement.signed_on.isoformat()}
        )
    _close(agreement, ends_on=ends_on, reason=EndReason.CHANGED_PROVIDER, note=note, by=by)
    return _create_agreement(elder=elder, provider=provider, signed_on=starts_on, consent=consent.strip(), by=by)


@transaction.atomic
def agreements_end_for_terminated_provider(*, provider: Provider, ends_on: datetime.date, by: User) -> int:
    """A provider whose qualification ended keeps no elder: end its open agreements
    (`provider_terminated`); the communities then help those elders choose another provider."""
    if not (is_admin(by) or by.has_role(Role.DISTRICT_REVIEWER)):
        raise NotAllowed(_("Only the district civil-affairs bureau may do this."))
    if provider.status != PS.TERMINATED:
        raise Conflict(_("Only a terminated provider's agreements end this way."))
    count = 0
    for agreement in ServiceAgreement.objects.select_for_update().filter(provider=provider, ends_on__isnull=True):
        _close(
            agreement,
            ends_on=max(ends_on, agreement.signed_on),
            reason=EndReason.PROVIDER_TERMINATED,
            note="",
            by=by,
        )
        count += 1
    return count


def _unique_short_code() -> str:
    for _attempt in range(20):
        code = tokens.new_short_code()
        if not ElderCard.objects.filter(short_code=code).exists():
            return code
    raise Conflict("could not find a free short code")  # pragma: no cover - 31^8 codes


@transaction.atomic
def card_issue(*, elder: Elder, by: User | None, reason: str = "", reissue: bool = False) -> ElderCard:
    """Issue the elder's card, or re-issue it (a lost card: new code and version, old ones stop working).

    With a user (the community worker, or the admin of a provider with an open agreement), every call
    issues a new version with the stated reason, recorded as a `CardIssue`. Without one (registry
    import, seeding) the card is only created when missing, or replaced when `reissue` is asked.
    """
    if by is not None:
        if not may_handle_card(by, elder):
            raise NotAllowed(_("Only the elder's community or their provider may issue the elder's card."))
        reason = reason.strip()
        if not reason:
            raise ValidationFailed(_("Say why the card is issued (for example: first card, card lost)."))
    card = ElderCard.objects.select_for_update().filter(elder=elder).first()
    if card is None:
        card = ElderCard.objects.create(elder=elder, short_code=_unique_short_code(), issued_at=timezone.now())
    elif by is not None or reissue:
        card.short_code = _unique_short_code()
        card.version += 1
        card.issued_at = timezone.now()
        card.save()
    if by is not None:
        CardIssue.objects.create(card=card, version=card.version, reason=reason, by=by)
    return card


def card_token_for(card: ElderCard) -> str:
    return tokens.card_token(elder_id=card.elder_id, version=card.version)
