"""Each reveal of a full personal number stays on record: the database refuses to change or remove
it, and the admin offers no way to."""

import pytest
from django.db import DatabaseError, connection, transaction

from eldercare.models import RevealLog, Role
from eldercare.services import elder_reveal

from ..factories import ElderFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def reveal(tree):
    elder = ElderFactory(community=tree.a1)
    viewer = user_with_role(Role.COMMUNITY_WORKER, tree.a1)
    elder_reveal(elder=elder, field="id_number", by=viewer, reason="verify_identity")
    return RevealLog.objects.get(elder=elder)


@pytest.mark.parametrize(
    "sql",
    ["UPDATE eldercare_reveallog SET field = 'phone' WHERE id = %s", "DELETE FROM eldercare_reveallog WHERE id = %s"],
)
def test_raw_sql_cannot_change_or_remove_a_reveal(reveal, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [reveal.pk])
    reveal.refresh_from_db()
    assert reveal.field == "id_number"


def test_the_admin_refuses_to_delete_a_reveal(client, tree, reveal):
    admin = user_with_role(Role.SYSADMIN, tree.district)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    assert client.get(f"/admin/eldercare/reveallog/{reveal.pk}/delete/").status_code == 403
    assert client.post(f"/admin/eldercare/reveallog/{reveal.pk}/delete/", {"post": "yes"}).status_code == 403
    changelist = client.post(
        "/admin/eldercare/reveallog/", {"action": "delete_selected", "_selected_action": [reveal.pk], "post": "yes"}
    )
    assert changelist.status_code in (200, 302)
    assert RevealLog.objects.filter(pk=reveal.pk).exists()
