"""The export exports what the list shows: after a search and a 低保 filter sent from the page
(htmx, the search posted), the export button carries them, and the file holds only those elders."""

import datetime
import html
import io
import re

import pandas as pd
import pytest
from django.urls import reverse

from eldercare.models import DifficultyCategory, ElderCategory
from tests.factories import ElderFactory

pytestmark = pytest.mark.django_db


def test_the_export_holds_the_filtered_elders_only(client, users, tree):
    low_income = [ElderFactory(community=tree.a1, name=n) for n in ("王低保", "李低保")]
    ElderFactory(community=tree.a1, name="张特困")
    for e in low_income:
        ElderCategory.objects.create(
            elder=e, category=DifficultyCategory.LOW_INCOME, evidence_date=datetime.date(2026, 1, 5)
        )
    client.force_login(users["community"])
    # The page's form as htmx sends it: posted, then followed to the address that keeps the filter.
    answer = client.post(
        reverse("elder_list"), {"q": "低保", "category": "dibao", "community": ""}, HTTP_HX_REQUEST="true", follow=True
    )
    fragment = answer.content.decode()
    href = html.unescape(re.search(r'id="elder-export" href="([^"]+)"', fragment).group(1))
    assert "category=dibao" in href and "export=xlsx" in href and "q=" not in href  # the text stays in the session
    frame = pd.read_excel(io.BytesIO(client.get(reverse("elder_list") + href).content), dtype=str)
    assert sorted(frame["姓名"]) == ["李低保", "王低保"]
