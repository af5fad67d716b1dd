"""An application is never deleted and its history never rewritten: the database refuses it, and
the admin offers no way to. The review itself still moves the case (an UPDATE of the application)."""

import datetime

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction

from eldercare.models import DifficultyCategory
from subsidies.applications.models import Application, ApplicationEvent, ApplicationStatus
from subsidies.applications.services import review as svc

from .factories import at, walk

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 3, 2)


@pytest.fixture
def reviewed(elder_a1, scheme, batch, users):
    with time_machine.travel(at(MONDAY), tick=False) as traveller:
        app = svc.application_file(
            elder=elder_a1,
            scheme=scheme,
            by=users["community"],
            categories=[DifficultyCategory.LOW_INCOME],
            care_situation="non_self_care",
        )
        return walk(app, users, until="street_review", traveller=traveller)


def _refused(sql: str, params) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_raw_sql_cannot_rewrite_or_remove_the_review_history(reviewed):
    forward = ApplicationEvent.objects.get(application=reviewed, to_status=ApplicationStatus.STREET_REVIEW)
    _refused("UPDATE applications_applicationevent SET opinion = '' WHERE id = %s", [forward.pk])
    _refused("UPDATE applications_applicationevent SET to_status = 'approved' WHERE id = %s", [forward.pk])
    _refused("DELETE FROM applications_applicationevent WHERE application_id = %s", [reviewed.pk])
    assert ApplicationEvent.objects.filter(application=reviewed).count() == 5  # filed … street review
    forward.refresh_from_db()
    assert forward.to_status == ApplicationStatus.STREET_REVIEW


def test_raw_sql_cannot_delete_an_application_but_the_review_still_moves_it(reviewed, users):
    with pytest.raises(DatabaseError, match="never deleted"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM applications_application WHERE id = %s", [reviewed.pk])
    assert Application.objects.filter(pk=reviewed.pk).exists()
    with time_machine.travel(at(MONDAY + datetime.timedelta(days=8)), tick=False):
        withdrawn = svc.application_withdraw(application=reviewed, by=users["community"], opinion="家属撤回申请")
    assert withdrawn.status == ApplicationStatus.WITHDRAWN


def test_the_admin_refuses_to_delete_an_application_or_its_events(client, users, reviewed):
    admin = users["sysadmin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    event = reviewed.events.first()
    for path in (
        f"/admin/applications/application/{reviewed.pk}/delete/",
        f"/admin/applications/applicationevent/{event.pk}/delete/",
    ):
        assert client.get(path).status_code == 403
        assert client.post(path, {"post": "yes"}).status_code == 403
    assert client.get("/admin/applications/applicationevent/add/").status_code == 403
    assert Application.objects.filter(pk=reviewed.pk).exists()
    assert ApplicationEvent.objects.filter(pk=event.pk).exists()
