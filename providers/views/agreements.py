"""Service agreements and the elders' service cards."""

from django.contrib.auth.decorators import login_required
from django.urls import path

from eldercare.hub import HubSection
from eldercare.nav import NavItem, WorkPanel
from eldercare.selectors import elder_get

from .. import pdf, services
from .common import pdf_response


@login_required
def elder_card(request, elder_pk):
    elder = elder_get(user=request.user, pk=elder_pk)
    card = services.card_issue(elder=elder, by=request.user, reissue=request.GET.get("reissue") == "1")
    return pdf_response(pdf.elder_card_pdf(card=card), f"card-{elder.pk}.pdf")


urlpatterns = [
    path("elders/<int:elder_pk>/card.pdf", elder_card, name="elder_card"),
]

# Menu entries and home-page panels of this area (registered by ProvidersConfig.ready()).
NAV_ITEMS: tuple[NavItem, ...] = ()


def worklist(user) -> list[WorkPanel]:
    return []


def hub_sections(user, elder) -> list[HubSection]:
    """What this area shows on the elder's page (eldercare.hub)."""
    return []
