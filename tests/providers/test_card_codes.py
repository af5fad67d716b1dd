"""The back of the elder's card: its 60 one-time codes, and new ones on a re-issued card."""

import subprocess

import pytest
from django.urls import reverse

from providers.models import ElderCard
from providers.services import card_issue
from providers.services.presence import card_confirmation_codes

pytestmark = pytest.mark.django_db

INSTRUCTION = "每次服务结束时，请按顺序把一个确认码告诉服务人员，并划掉。不要把整张卡交给他人。"


def card_text(client, elder) -> tuple[str, int]:
    r = client.get(reverse("providers:elder_card", args=[elder.pk]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    done = subprocess.run(["pdftotext", "-", "-"], input=r.content, capture_output=True, check=True)
    text = done.stdout.decode()
    return text, text.count("\f")


def test_the_back_prints_the_60_codes_in_order(client, world, users):
    client.force_login(users["community"])
    codes = card_confirmation_codes(ElderCard.objects.get(elder=world.elder))

    text, pages = card_text(client, world.elder)

    assert pages == 2  # the front and the back
    assert len(codes) == 60 and codes[0] in text and codes[59] in text
    assert "".join(text.split()).count("".join(INSTRUCTION.split())) == 1
    positions = [text.index(c) for c in codes[:5]]
    assert positions == sorted(positions)  # numbered 1, 2, 3… across the first row


def test_a_reissued_card_prints_new_codes(client, world, users):
    client.force_login(users["community"])
    old = card_confirmation_codes(ElderCard.objects.get(elder=world.elder))

    card = card_issue(elder=world.elder, reason="卡片遗失", by=users["community"])
    text, _pages = card_text(client, world.elder)

    new = card_confirmation_codes(card)
    assert card.version == 2 and new[0] != old[0]
    assert new[0] in text and old[0] not in text
