"""Factories and helpers of the voucher tests."""

import factory

from eldercare.money import cny
from eldercare.periods import Month
from providers.models import Provider
from vouchers.services import grant_credit, grant_key


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"服务商{n:03d}")
    kind = Provider.Kind.BUSINESS
    licence_number = factory.Sequence(lambda n: f"LIC-{n:06d}")
    status = Provider.Status.CONTRACTED


def grant(elder, month: str, amount, tree, **kwargs):
    """A monthly credit shared district 70% / town 30% (scheme A), keyed like the monthly run."""
    m = Month.parse(month)
    total = cny(amount)
    district_share = cny(total.amount * 7 / 10)
    return grant_credit(
        elder=elder,
        month=m,
        amount=total,
        shares={tree.district: district_share, elder.community.parent: total - district_share},
        idempotency_key=grant_key(elder_id=elder.pk, month=m),
        **kwargs,
    )
