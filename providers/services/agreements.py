"""Service agreements (the elder chose a provider) and the elders' service cards."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.errors import Conflict, NotAllowed
from eldercare.models import Elder, Role, User
from eldercare.scoping import scope_for

from .. import tokens
from ..models import (
    ElderCard,
    Provider,
    ServiceAgreement,
)
from .access import in_community_scope

PS = Provider.Status


# --- agreements and cards -------------------------------------------------------------------


@transaction.atomic
def agreement_sign(*, elder: Elder, provider: Provider, signed_on: datetime.date, by: User) -> ServiceAgreement:
    """The elder signs with the provider of their choice (entered by the community or the provider)."""
    if not (
        in_community_scope(by, elder)
        or (by.has_role(Role.PROVIDER_ADMIN) and provider.pk in scope_for(by).provider_ids)
    ):
        raise NotAllowed(_("You may not enter agreements for this elder."))
    if provider.status != PS.CONTRACTED:
        raise Conflict(_("Only a contracted provider can sign service agreements."))
    street_id = elder.community.parent_id
    assert street_id is not None  # a community always has a street (division_parent_matches_level)
    if not provider.streets.filter(pk=street_id).exists():
        raise Conflict(_("This provider does not serve the elder's street or town."))
    if ServiceAgreement.objects.filter(elder=elder, provider=provider, ends_on__isnull=True).exists():
        raise Conflict(_("The elder already has an agreement with this provider."))
    return ServiceAgreement.objects.create(elder=elder, provider=provider, signed_on=signed_on)


@transaction.atomic
def agreement_end(*, agreement: ServiceAgreement, ends_on: datetime.date, by: User) -> ServiceAgreement:
    if not (in_community_scope(by, agreement.elder) or agreement.provider_id in scope_for(by).provider_ids):
        raise NotAllowed(_("You may not end this agreement."))
    agreement.ends_on = ends_on
    agreement.save(update_fields=["ends_on", "updated_at"])
    return agreement


def _unique_short_code() -> str:
    for _attempt in range(20):
        code = tokens.new_short_code()
        if not ElderCard.objects.filter(short_code=code).exists():
            return code
    raise Conflict("could not find a free short code")  # pragma: no cover - 31^8 codes


@transaction.atomic
def card_issue(*, elder: Elder, by: User | None, reissue: bool = False) -> ElderCard:
    """The elder's card (created on first use). `reissue` replaces a lost card: old codes stop working."""
    card = ElderCard.objects.select_for_update().filter(elder=elder).first()
    if card is None:
        return ElderCard.objects.create(elder=elder, short_code=_unique_short_code(), issued_at=timezone.now())
    if reissue:
        card.short_code = _unique_short_code()
        card.version += 1
        card.issued_at = timezone.now()
        card.save()
    return card


def card_token_for(card: ElderCard) -> str:
    return tokens.card_token(elder_id=card.elder_id, version=card.version)


def elder_from_code(code: str) -> Elder:
    """The elder a scanned token or a typed short code belongs to; refuses forged or expired codes."""
    if tokens.looks_like_token(code):
        elder_id, version = tokens.card_token_payload(code)
        card = ElderCard.objects.select_related("elder").filter(elder_id=elder_id).first()
        if card is None or card.version != version:
            raise tokens.ExpiredCard(_("This card was replaced by a newer one. Use the elder's current card."))
        return card.elder
    card = ElderCard.objects.select_related("elder").filter(short_code=tokens.normalise_code(code)).first()
    if card is None:
        raise tokens.InvalidCard(_("No elder card has this code. Check the code and type it again."))
    if timezone.now() - card.issued_at > tokens.CARD_MAX_AGE:
        raise tokens.ExpiredCard(_("This elder's card has expired. Ask the community to print a new card."))
    return card.elder
