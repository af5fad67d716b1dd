"""A refused form on the application page keeps what was typed: the public notice's dates and the
home-investigation notes after a notice too short, an objection's text after a missing date."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from eldercare.models import DifficultyCategory
from subsidies.applications.services import review as svc

from .factories import at, walk

pytestmark = pytest.mark.django_db
MONDAY = datetime.date(2026, 3, 2)
NOTES = "入户调查：独居，子女在外地，低保证明属实"


def test_a_refused_notice_and_objection_keep_what_was_typed(client, elder_a1, scheme, batch, users):
    with time_machine.travel(at(MONDAY), tick=False) as traveller:
        app = svc.application_file(
            elder=elder_a1,
            scheme=scheme,
            categories=[DifficultyCategory.LOW_INCOME],
            care_situation="non_self_care",
            by=users["community"],
        )
        app = walk(app, users, until="community_review", traveller=traveller)
        client.force_login(users["community"])
        act = reverse("subsidies:application_act", args=[app.pk, "notice_start"])
        # Monday to Thursday is 4 working days: too short, refused.
        typed = {"starts_on": "2026-03-02", "ends_on": "2026-03-05", "investigation_notes": NOTES, "opinion": "拟同意"}
        page = client.post(act, typed, follow=True).content.decode()
        assert "公示期不得少于5个工作日；2026-03-02至2026-03-05只有4个工作日。" in page
        assert 'value="2026-03-02"' in page and 'value="2026-03-05"' in page
        assert f">{NOTES}</textarea>" in page and ">拟同意</textarea>" in page
        # Shown once: the next visit of the page starts afresh.
        again = client.get(reverse("subsidies:application_detail", args=[app.pk])).content.decode()
        assert 'value="2026-03-05"' not in again and ">拟同意</textarea>" not in again

        client.post(act, {**typed, "ends_on": "2026-03-06"})
        page = client.post(
            reverse("subsidies:objection_record", args=[app.pk]),
            {"objector": "邻居王某", "content": "其子女有固定收入"},
            follow=True,
        ).content.decode()
        assert "其子女有固定收入" in page and "邻居王某" in page
