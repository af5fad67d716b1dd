"""The intake batch's assessment schedule (集中评估) and its announcement (集中申报公告)."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from eldercare.errors import NotAllowed
from eldercare.models import DifficultyCategory, Division, Role
from eldercare.nav import work_panels_for
from subsidies.applications.models import Application, AssessmentSlot, IntakeBatch
from subsidies.applications.services import review as svc
from subsidies.applications.services.batches import assessment_slot_create
from tests.factories import ElderFactory, user_with_role
from tests.subsidies.factories import at, open_batch, scheme_for, walk

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def batch(tree):
    return open_batch(tree.district)


@pytest.fixture
def earlier_batch(tree):
    return IntakeBatch.objects.create(
        district=tree.district,
        name="2025年下半年集中申报",
        opens_on=datetime.date(2025, 7, 1),
        closes_on=datetime.date(2025, 12, 28),
        status=IntakeBatch.Status.CLOSED,
    )


@pytest.fixture
def other_district_user(db):
    other = Division.objects.create(code="440300000000", name="深圳市", level="district")
    return user_with_role(Role.DISTRICT_REVIEWER, other)


def _awaiting_assessment(tree, users, traveller, *, name, community=None) -> Application:
    elder = ElderFactory(community=community or tree.a1, name=name, categories=[DifficultyCategory.LOW_INCOME])
    app = svc.application_file(
        elder=elder,
        scheme=scheme_for(tree.district),
        categories=[DifficultyCategory.LOW_INCOME],
        care_situation="self_care",
        by=users["community"],
    )
    return walk(app, users, until="assessment", traveller=traveller)


def test_the_schedule_shows_on_the_assessors_work_list_under_its_own_batch(tree, users, batch, earlier_batch):
    with time_machine.travel(at(datetime.date(2026, 3, 2)), tick=False) as traveller:
        current = _awaiting_assessment(tree, users, traveller, name="王秀英")
        earlier = _awaiting_assessment(tree, users, traveller, name="李桂兰")
        # A case left over from the earlier batch (moved there as set-up).
        Application.objects.filter(pk=earlier.pk).update(batch=earlier_batch)
        slot = assessment_slot_create(
            batch=batch,
            community=tree.a1,
            on=datetime.date(2026, 3, 20),
            assessor=users["assessor"],
            place="龙川社区居家养老服务站",
            by=users["district"],
        )
        # A second day for the same community: its case is listed under both days, counted once.
        assessment_slot_create(
            batch=batch, community=tree.a1, on=datetime.date(2026, 3, 27), assessor=None, place="", by=users["district"]
        )
        panels = {p.title: p for p in work_panels_for(users["assessor"])}
    current_panel = next(p for title, p in panels.items() if batch.name in title)
    earlier_panel = next(p for title, p in panels.items() if earlier_batch.name in title)
    # The day scheduled for the current batch lists its case, and only it.
    assert current_panel.rows[0]["label"] == "2026-03-20 · 龙川社区"
    assert "王秀英" in current_panel.rows[0]["detail"] and "李桂兰" not in current_panel.rows[0]["detail"]
    assert [r["label"] for r in current_panel.rows] == ["2026-03-20 · 龙川社区", "2026-03-27 · 龙川社区"]
    assert current_panel.count == 1
    # "See all" opens the batch's cases awaiting assessment: the one case.
    assert current_panel.url == reverse("subsidies:application_list") + f"?status=assessment&batch={batch.pk}"
    # The earlier batch has no day for the community: its case shows as not scheduled.
    assert [r["flag"] for r in earlier_panel.rows] == [True]
    assert "李桂兰" in earlier_panel.rows[0]["detail"] and "2026-03-20" not in earlier_panel.rows[0]["label"]
    assert current.batch_id == batch.pk and slot.batch_id == batch.pk
    # Other roles see no schedule panel.
    assert not any(batch.name in p.title for p in work_panels_for(users["community"]))


def test_the_district_sets_the_schedule_on_the_batch_page(tree, users, batch, client):
    client.force_login(users["district"])
    page = client.get(reverse("subsidies:batch_detail", args=[batch.pk])).content.decode()
    assert reverse("subsidies:batch_schedule", args=[batch.pk]) in page
    assert reverse("subsidies:batch_notice", args=[batch.pk]) in page
    url = reverse("subsidies:batch_schedule", args=[batch.pk])
    r = client.post(url, {"community": tree.a2.pk, "on": "2026-04-08", "assessor": users["assessor"].pk, "place": "站"})
    assert r.status_code == 302
    slot = AssessmentSlot.objects.get()
    assert (slot.batch, slot.community, slot.on, slot.assessor) == (
        batch,
        tree.a2,
        datetime.date(2026, 4, 8),
        users["assessor"],
    )
    assert "2026-04-08" in client.get(url).content.decode()
    # A community worker sees the schedule of its community but cannot change it.
    worker = client.__class__()
    worker.force_login(users["community_b"])
    assert worker.post(url, {"community": tree.b1.pk, "on": "2026-04-09"}).status_code == 403
    r = client.post(url, {"delete": slot.pk})
    assert r.status_code == 302 and not AssessmentSlot.objects.exists()


def test_another_districts_user_can_neither_see_nor_edit_the_schedule(tree, users, batch, other_district_user, client):
    slot = assessment_slot_create(batch=batch, community=tree.a1, on=datetime.date(2026, 3, 20), by=users["district"])
    with pytest.raises(NotAllowed):
        assessment_slot_create(batch=batch, community=tree.a2, on=datetime.date(2026, 3, 21), by=other_district_user)
    # Street and community users of the district may not set it either.
    with pytest.raises(NotAllowed):
        assessment_slot_create(batch=batch, community=tree.a2, on=datetime.date(2026, 3, 21), by=users["street"])
    client.force_login(other_district_user)
    assert client.get(reverse("subsidies:batch_schedule", args=[batch.pk])).status_code == 404
    assert client.post(reverse("subsidies:batch_schedule", args=[batch.pk]), {"delete": slot.pk}).status_code == 404
    assert client.get(reverse("subsidies:batch_notice", args=[batch.pk])).status_code == 404
    api = APIClient()
    api.force_authenticate(other_district_user)
    assert api.get("/api/v1/assessment-slots/").json()["results"] == []
    assert api.delete(f"/api/v1/assessment-slots/{slot.pk}/").status_code == 404
    r = api.post(
        "/api/v1/assessment-slots/",
        {"batch": batch.pk, "community": tree.a1.pk, "on": "2026-03-22"},
        format="json",
    )
    assert r.status_code == 404
    assert AssessmentSlot.objects.count() == 1


def test_the_api_lists_and_creates_slots_within_the_district(tree, users, batch):
    api = APIClient()
    api.force_authenticate(users["district"])
    r = api.post(
        "/api/v1/assessment-slots/",
        {"batch": batch.pk, "community": tree.b1.pk, "on": "2026-03-23", "assessor": users["assessor"].pk},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["community_name"] == "新都村"
    r = api.post(
        "/api/v1/assessment-slots/", {"batch": batch.pk, "community": tree.b1.pk, "on": "2026-03-23"}, format="json"
    )
    assert r.status_code == 409  # one day per community and date
    listed = api.get(f"/api/v1/assessment-slots/?batch={batch.pk}").json()["results"]
    assert [s["on"] for s in listed] == ["2026-03-23"]
    # A community worker of another community does not see it.
    worker = APIClient()
    worker.force_authenticate(users["community"])
    assert worker.get("/api/v1/assessment-slots/").json()["results"] == []


def test_the_schema_documents_the_schedule_endpoint(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target), "--validate")
    text = target.read_text()
    assert "/api/v1/assessment-slots/" in text and "/api/v1/assessment-slots/{id}/" in text


def test_the_batch_notice_states_the_dates_and_the_schedule(tree, users, batch, client):
    assessment_slot_create(
        batch=batch,
        community=tree.a1,
        on=datetime.date(2026, 3, 20),
        place="龙川社区居家养老服务站",
        by=users["district"],
    )
    client.force_login(users["community"])
    page = client.get(reverse("subsidies:batch_notice", args=[batch.pk])).content.decode()
    assert batch.name in page
    assert "2026-01-01" in page and "2026-06-30" in page
    assert "2026-03-20" in page and "龙川社区居家养老服务站" in page
    assert "低保" in page  # who may apply: the categories of elders in difficulty
    pdf = client.get(reverse("subsidies:batch_notice_pdf", args=[batch.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
