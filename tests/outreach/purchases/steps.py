"""The steps of an order, through the services, for the tests' Given parts."""

from decimal import Decimal

from outreach.purchases import services
from outreach.purchases.models import Necessity, PurchaseRequest


def order(elder, by, *lines: tuple[Necessity | str, int], urgent=False) -> PurchaseRequest:
    items = [
        services.ItemData(quantity=q, necessity=n) if isinstance(n, Necessity) else services.ItemData(q, free_text=n)
        for n, q in lines
    ]
    return services.purchase_request(elder=elder, by=by, items=items, urgent=urgent)


def pack_all(request: PurchaseRequest, clerk, price: str = "10.00") -> PurchaseRequest:
    return services.request_pack(
        request=request, by=clerk, prices={item.pk: Decimal(price) for item in request.items.all()}
    )
