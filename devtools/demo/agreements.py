"""Demo of agreements and cards: an agreement the elder ended, a change of provider, a re-issued card
with its reason, and elders of 龙川社区 whose provider's qualification ended, on the community's
list to choose another provider."""

import datetime

from eldercare.models import LifeStatus
from providers.models import Provider, ServiceAgreement
from providers.services.agreements import (
    agreement_change_provider,
    agreement_end,
    card_issue,
    elders_to_rehome,
)
from providers.services.termination import provider_terminate

from .core import DemoContext

EndReason = ServiceAgreement.EndReason
TERMINATED_NAME = "江都区福寿居家服务站"


def _open_agreements(community) -> list[ServiceAgreement]:
    return list(
        ServiceAgreement.objects.select_related("elder", "elder__community", "provider")
        .filter(elder__community=community, ends_on__isnull=True, elder__life_status=LifeStatus.ACTIVE)
        .order_by("elder_id")
    )


def _terminated_provider(ctx: DemoContext, community, used: set[int]) -> None:
    """Elders of the community whose provider ended: a terminated provider from the library's demo if
    there is one, else a small provider that signs two elders and loses its qualification."""
    district = ctx.users["district"]
    if elders_to_rehome(user=ctx.users["community"]).exists():
        return
    street = community.parent
    provider = Provider.objects.create(
        name=TERMINATED_NAME,
        kind=Provider.Kind.BUSINESS,
        licence_number="JD-DEMO-TERM-01",
        district=ctx.district,
        status=Provider.Status.CONTRACTED,
        phone="0514-86000000",
        address=f"{street.name}福寿路8号",
    )
    provider.streets.set([street])
    # Two elders had moved to this provider a few weeks before it lost its qualification.
    movers = [a for a in _open_agreements(community) if a.elder_id not in used][:2]
    for old in movers:
        agreement_change_provider(
            agreement=old,
            provider=provider,
            starts_on=max(old.signed_on + datetime.timedelta(days=1), ctx.today - datetime.timedelta(days=40)),
            consent="本人当面签字",
            by=ctx.users["community"],
        )
    provider_terminate(
        provider=provider, ground="fraud", reason="虚报服务记录，经查属实，区民政局终止其服务资格", by=district
    )


def seed(ctx: DemoContext) -> None:
    community = ctx.users["community"]
    worker_community = ctx.communities[0]
    opened = _open_agreements(worker_community)
    if len(opened) < 3:
        return
    ended, changed, reissued = opened[0], opened[1], opened[2]

    # An elder who ended the agreement (moved in with a daughter who looks after her).
    agreement_end(
        agreement=ended,
        ends_on=ctx.today - datetime.timedelta(days=5),
        reason=EndReason.ELDER_CHOICE,
        note="由女儿接回家中照料",
        by=community,
    )

    # An elder who changed provider from the 1st of this month.
    others = (
        Provider.objects.filter(status=Provider.Status.CONTRACTED, streets=worker_community.parent_id)
        .exclude(pk=changed.provider_id)
        .order_by("name")
    )
    starts_on = ctx.today.replace(day=1)
    if others.exists() and starts_on > changed.signed_on:
        agreement_change_provider(
            agreement=changed,
            provider=others[0],
            starts_on=starts_on,
            consent="本人当面签字",
            note="希望由离家更近的服务商上门",
            by=community,
        )

    # A lost card, re-issued by the community: the old code stops working.
    card_issue(elder=reissued.elder, reason="卡片遗失，老人申请补办", by=community)

    _terminated_provider(ctx, worker_community, {a.elder_id for a in (ended, changed, reissued)})
