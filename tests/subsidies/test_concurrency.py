"""Two district reviewers approving the same case at the same moment (PostgreSQL row locks)."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection

from eldercare.errors import DomainError
from eldercare.models import DifficultyCategory, Role
from subsidies.applications.models import ApplicationEvent
from subsidies.applications.services import review as svc
from subsidies.standards.models import Entitlement
from tests.factories import ElderFactory, make_tree, user_with_role

from .factories import at, open_batch, scheme_for, walk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approve_at_once_one_wins():
    tree = make_tree()
    users = {
        "community": user_with_role(Role.COMMUNITY_WORKER, tree.a1),
        "street": user_with_role(Role.STREET_REVIEWER, tree.street_a),
        "district": user_with_role(Role.DISTRICT_REVIEWER, tree.district),
        "district2": user_with_role(Role.DISTRICT_REVIEWER, tree.district),
        "assessor": user_with_role(Role.ASSESSOR, tree.district),
    }
    scheme = scheme_for(tree.district)
    open_batch(tree.district)
    elder = ElderFactory(community=tree.a1)
    with time_machine.travel(at(datetime.date(2026, 3, 2)), tick=False) as traveller:
        app = svc.application_file(
            elder=elder,
            scheme=scheme,
            categories=[DifficultyCategory.LOW_INCOME],
            care_situation="self_care",
            by=users["community"],
        )
        app = walk(app, users, until="district_decision", traveller=traveller)

    barrier = threading.Barrier(2)
    results: list[str] = []

    def approve(user):
        try:
            barrier.wait()
            svc.application_approve(application=app, by=user, opinion="同意")
            results.append("approved")
        except DomainError as exc:
            results.append(f"refused: {exc.message}")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(users[k],)) for k in ("district", "district2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.split(":")[0] for r in results) == ["approved", "refused"]
    assert ApplicationEvent.objects.filter(application=app, to_status="approved").count() == 1
    assert Entitlement.objects.filter(elder=elder).count() == 1
