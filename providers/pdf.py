"""Printable documents: the caregiver's badge and the elder's QR card with its one-time codes on the
back (WeasyPrint, Noto Sans CJK SC)."""

import base64

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from eldercare.pdf import qr_data_uri, render_pdf

from .models import Caregiver, ElderCard, ServiceAgreement
from .services import card_token_for
from .services.presence import card_confirmation_codes
from .tokens import badge_token


def _photo_uri(caregiver: Caregiver) -> str:
    if not caregiver.photo:
        return ""
    with caregiver.photo.open("rb") as fh:
        data = fh.read()
    return "data:image/jpeg;base64," + base64.b64encode(data).decode()


def badge_verify_url(request, caregiver: Caregiver) -> str:
    return request.build_absolute_uri(reverse("providers:badge_verify", args=[badge_token(caregiver_id=caregiver.pk)]))


def badge_pdf(*, caregiver: Caregiver, verify_url: str) -> bytes:
    return render_pdf(
        "providers/pdf/badge.html",
        {
            "c": caregiver,
            "photo": _photo_uri(caregiver),
            "qr": qr_data_uri(verify_url),
            "hotline": settings.SUPERVISION_HOTLINE,
        },
    )


def elder_card_pdf(*, card: ElderCard) -> bytes:
    """The elder's current card (A6): the QR of its signed token, the short code, its version and the
    providers with an open agreement, so that an older printed card is told apart at a glance; on the
    back, the card's one-time codes, one for the elder to confirm each visit at check-out."""
    token = card_token_for(card)
    providers = list(
        ServiceAgreement.objects.filter(elder_id=card.elder_id, ends_on__isnull=True)
        .order_by("provider__name")
        .values_list("provider__name", flat=True)
    )
    return render_pdf(
        "providers/pdf/elder_card.html",
        {
            "card": card,
            "elder": card.elder,
            "issued": timezone.localtime(card.issued_at),
            "providers": providers,
            "qr": qr_data_uri(token),
            "hotline": settings.SUPERVISION_HOTLINE,
            "codes": list(enumerate(card_confirmation_codes(card), start=1)),
        },
    )
