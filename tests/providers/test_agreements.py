"""Service agreements, changes of provider, the re-homing list and the service cards: the rules in
the services and the pages that carry them."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from eldercare.errors import Conflict, NotAllowed, ValidationFailed
from eldercare.hub import sections_for
from eldercare.models import LifeStatus, Role
from providers.models import CardIssue, ElderCard, Provider, ServiceAgreement, WorkOrder, WorkOrderEvent
from providers.services import agreements as svc
from providers.services.termination import provider_terminate
from providers.views.agreements import hub_sections, worklist
from tests.factories import ElderFactory, user_with_role

from .factories import make_order, make_provider

pytestmark = pytest.mark.django_db
R = ServiceAgreement.EndReason
D = datetime.date


@pytest.fixture
def worker(tree):
    return user_with_role(Role.COMMUNITY_WORKER, tree.a1)


@pytest.fixture
def worker_b(tree):
    return user_with_role(Role.COMMUNITY_WORKER, tree.b1)


@pytest.fixture
def fresh(tree):
    """An elder of community A1 with no agreement yet."""
    return ElderFactory(community=tree.a1, birth_date=D(1941, 2, 3))


def open_of(elder):
    return list(
        ServiceAgreement.objects.filter(elder=elder, ends_on__isnull=True).values_list("provider_id", flat=True)
    )


# --- signing --------------------------------------------------------------------------------


def test_community_worker_signs_and_it_is_recorded(world, worker, fresh):
    a = svc.agreement_sign(elder=fresh, provider=world.provider, signed_on=D(2026, 3, 1), by=worker)
    assert (a.signed_by, a.consent, a.ends_on) == (worker, "", None)
    assert open_of(fresh) == [world.provider.pk]


def test_worker_of_another_community_may_not_sign(world, worker_b, fresh):
    with pytest.raises(NotAllowed):
        svc.agreement_sign(elder=fresh, provider=world.provider, signed_on=D(2026, 3, 1), by=worker_b)
    assert open_of(fresh) == []


def test_provider_admin_signs_only_with_the_elders_consent(world, fresh):
    with pytest.raises(ValidationFailed) as exc:
        svc.agreement_sign(elder=fresh, provider=world.provider, signed_on=D(2026, 3, 1), by=world.admin, consent=" ")
    assert "同意" in exc.value.message
    a = svc.agreement_sign(
        elder=fresh, provider=world.provider, signed_on=D(2026, 3, 1), by=world.admin, consent="家属代签"
    )
    assert a.consent == "家属代签" and a.signed_by == world.admin


def test_provider_admin_may_not_sign_for_another_provider(world, fresh):
    with pytest.raises(NotAllowed):
        svc.agreement_sign(
            elder=fresh, provider=world.other, signed_on=D(2026, 3, 1), by=world.admin, consent="本人当面签字"
        )


def test_provider_not_serving_the_street_is_refused_by_name(world, worker, fresh, tree):
    town_only = make_provider(tree, name="仙女镇养老服务站", streets=[tree.street_b])
    with pytest.raises(Conflict) as exc:
        svc.agreement_sign(elder=fresh, provider=town_only, signed_on=D(2026, 3, 1), by=worker)
    assert "仙女镇养老服务站" in exc.value.message and "龙川街道" in exc.value.message


def test_suspended_provider_cannot_sign(world, worker, fresh):
    Provider.objects.filter(pk=world.other.pk).update(status=Provider.Status.SUSPENDED)
    world.other.refresh_from_db()
    with pytest.raises(Conflict):
        svc.agreement_sign(elder=fresh, provider=world.other, signed_on=D(2026, 3, 1), by=worker)


def test_second_open_agreement_with_the_same_provider_is_a_clear_conflict(world, worker):
    with pytest.raises(Conflict) as exc:
        svc.agreement_sign(elder=world.elder, provider=world.provider, signed_on=D(2026, 3, 1), by=worker)
    assert world.elder.name in exc.value.message and world.provider.name in exc.value.message
    assert ServiceAgreement.objects.filter(elder=world.elder, provider=world.provider).count() == 1


def test_deceased_elder_cannot_sign(world, worker, fresh):
    fresh.life_status = LifeStatus.DECEASED
    fresh.life_status_date = D(2026, 3, 1)
    fresh.save()
    with pytest.raises(Conflict):
        svc.agreement_sign(elder=fresh, provider=world.provider, signed_on=D(2026, 3, 1), by=worker)


def test_provider_admin_finds_a_new_elder_by_full_id_number_only_in_its_streets(world, fresh, tree):
    assert svc.elder_by_id_number(user=world.admin, id_number=fresh.id_number) == fresh
    far = ElderFactory(community=tree.b1)  # a town the provider does not serve
    with pytest.raises(ValidationFailed):
        svc.elder_by_id_number(user=world.admin, id_number=far.id_number)
    with pytest.raises(ValidationFailed):
        svc.elder_by_id_number(user=world.admin, id_number="32101219410203")


# --- ending and changing --------------------------------------------------------------------


def agreement(world, elder=None):
    return ServiceAgreement.objects.get(elder=elder or world.elder, provider=world.provider, ends_on__isnull=True)


def test_end_with_reason_and_date(world, worker):
    a = svc.agreement_end(agreement=agreement(world), ends_on=D(2026, 3, 9), reason=R.ELDER_CHOICE, by=worker)
    a.refresh_from_db()
    assert (a.ends_on, a.end_reason, a.ended_by) == (D(2026, 3, 9), R.ELDER_CHOICE, worker)


def test_end_before_signing_is_refused_and_nothing_changes(world, worker):
    with pytest.raises(ValidationFailed) as exc:
        svc.agreement_end(agreement=agreement(world), ends_on=D(2024, 12, 31), reason=R.ELDER_CHOICE, by=worker)
    assert "2025-01-01" in exc.value.message
    assert agreement(world).ends_on is None


def test_end_on_the_signing_day_is_allowed(world, worker):
    a = svc.agreement_end(agreement=agreement(world), ends_on=D(2025, 1, 1), reason=R.ELDER_CHOICE, by=worker)
    assert a.ends_on == D(2025, 1, 1)


def test_other_reason_needs_a_note_and_unknown_reason_is_refused(world, worker):
    with pytest.raises(ValidationFailed):
        svc.agreement_end(agreement=agreement(world), ends_on=D(2026, 3, 9), reason=R.OTHER, by=worker)
    with pytest.raises(ValidationFailed):
        svc.agreement_end(agreement=agreement(world), ends_on=D(2026, 3, 9), reason="bored", by=worker)
    a = svc.agreement_end(agreement=agreement(world), ends_on=D(2026, 3, 9), reason=R.OTHER, note="住院", by=worker)
    assert a.end_note == "住院"


def test_reasons_with_their_own_action_are_refused_on_a_plain_end(world, worker):
    for reason in (R.CHANGED_PROVIDER, R.PROVIDER_TERMINATED):
        with pytest.raises(ValidationFailed):
            svc.agreement_end(agreement=agreement(world), ends_on=D(2026, 3, 9), reason=reason, by=worker)
    assert agreement(world).ends_on is None


def test_ended_agreement_cannot_end_twice(world, worker):
    a = svc.agreement_end(agreement=agreement(world), ends_on=D(2026, 3, 9), reason=R.ELDER_CHOICE, by=worker)
    with pytest.raises(Conflict):
        svc.agreement_end(agreement=a, ends_on=D(2026, 3, 10), reason=R.ELDER_CHOICE, by=worker)


def test_who_may_end(world, worker_b):
    with pytest.raises(NotAllowed):
        svc.agreement_end(agreement=agreement(world), ends_on=D(2026, 3, 9), reason=R.ELDER_CHOICE, by=worker_b)
    with pytest.raises(NotAllowed):
        svc.agreement_end(
            agreement=agreement(world), ends_on=D(2026, 3, 9), reason=R.ELDER_CHOICE, by=world.other_admin
        )
    with pytest.raises(NotAllowed):
        svc.agreement_end(
            agreement=agreement(world), ends_on=D(2026, 3, 9), reason=R.ELDER_CHOICE, by=world.caregiver.user
        )
    a = svc.agreement_end(agreement=agreement(world), ends_on=D(2026, 3, 9), reason=R.ELDER_CHOICE, by=world.admin)
    assert a.ended_by == world.admin


def test_change_provider_ends_the_old_the_day_before_and_signs_the_new(world, worker):
    old = agreement(world)
    new = svc.agreement_change_provider(
        agreement=old, provider=world.other, starts_on=D(2026, 4, 1), consent="本人当面签字", by=worker
    )
    old.refresh_from_db()
    assert (old.ends_on, old.end_reason) == (D(2026, 3, 31), R.CHANGED_PROVIDER)
    assert (new.provider, new.signed_on, new.ends_on) == (world.other, D(2026, 4, 1), None)
    assert open_of(world.elder) == [world.other.pk]


def test_ending_cancels_the_providers_visits_after_the_last_day_only(world, worker):
    """An agreement ending on 3-20: the visit that day still takes place, the later ones are
    cancelled with the end as their reason; another provider's visit and a finished one stay."""
    tz = datetime.timezone(datetime.timedelta(hours=8))
    on_last_day = make_order(world, at=datetime.datetime(2026, 3, 20, 21, 0, tzinfo=tz))
    next_morning = make_order(world, at=datetime.datetime(2026, 3, 21, 0, 30, tzinfo=tz))
    booked_later = make_order(world, at=datetime.datetime(2026, 4, 2, 9, 0, tzinfo=tz), status=WorkOrder.Status.BOOKED)
    done = make_order(world, at=datetime.datetime(2026, 3, 25, 9, 0, tzinfo=tz), status=WorkOrder.Status.COMPLETED)
    svc.agreement_end(agreement=agreement(world), ends_on=D(2026, 3, 20), reason=R.ELDER_CHOICE, by=worker)
    status = dict(WorkOrder.objects.values_list("pk", "status"))
    assert status[on_last_day.pk] == WorkOrder.Status.ASSIGNED
    assert status[next_morning.pk] == status[booked_later.pk] == WorkOrder.Status.CANCELLED
    assert status[done.pk] == WorkOrder.Status.COMPLETED
    event = WorkOrderEvent.objects.get(order=booked_later, to_status=WorkOrder.Status.CANCELLED)
    assert "2026-03-20" in event.note and event.by == worker


def test_changing_provider_cancels_the_old_providers_visits_from_the_new_start(world, worker):
    tz = datetime.timezone(datetime.timedelta(hours=8))
    before = make_order(world, at=datetime.datetime(2026, 3, 31, 15, 0, tzinfo=tz))
    after = make_order(world, at=datetime.datetime(2026, 4, 1, 9, 0, tzinfo=tz))
    svc.agreement_change_provider(agreement=agreement(world), provider=world.other, starts_on=D(2026, 4, 1), by=worker)
    before.refresh_from_db()
    after.refresh_from_db()
    assert (before.status, after.status) == (WorkOrder.Status.ASSIGNED, WorkOrder.Status.CANCELLED)


def test_change_provider_is_one_transaction(world, worker, tree):
    """A refused new agreement leaves the old one open."""
    town_only = make_provider(tree, name="仙女镇养老服务站", streets=[tree.street_b])
    with pytest.raises(Conflict):
        svc.agreement_change_provider(
            agreement=agreement(world), provider=town_only, starts_on=D(2026, 4, 1), by=worker
        )
    ServiceAgreement.objects.create(elder=world.elder, provider=world.other, signed_on=D(2025, 6, 1))
    with pytest.raises(Conflict):  # the elder already has the new provider: nothing half-written
        svc.agreement_change_provider(
            agreement=agreement(world), provider=world.other, starts_on=D(2026, 4, 1), by=worker
        )
    assert agreement(world).ends_on is None


def test_change_provider_refusals(world, worker, worker_b):
    with pytest.raises(ValidationFailed):  # the new one would start before the old one was signed
        svc.agreement_change_provider(
            agreement=agreement(world), provider=world.other, starts_on=D(2025, 1, 1), by=worker
        )
    with pytest.raises(ValidationFailed):
        svc.agreement_change_provider(
            agreement=agreement(world), provider=world.provider, starts_on=D(2026, 4, 1), by=worker
        )
    for someone in (worker_b, world.admin, world.other_admin):
        with pytest.raises(NotAllowed):
            svc.agreement_change_provider(
                agreement=agreement(world), provider=world.other, starts_on=D(2026, 4, 1), by=someone
            )
    assert agreement(world).ends_on is None


# --- the re-homing list ---------------------------------------------------------------------


def terminate(world, users):
    result = provider_terminate(provider=world.provider, ground="violation", reason="资质到期", by=users["district"])
    world.provider.refresh_from_db()
    return result.agreements_ended


def test_terminated_provider_sends_its_elders_to_the_rehoming_list_until_they_sign(world, users, worker, client):
    assert list(svc.elders_to_rehome(user=worker)) == []
    assert terminate(world, users) == 2
    assert set(svc.elders_to_rehome(user=worker)) == {world.elder, world.elder2}
    [panel] = worklist(worker)
    assert panel.count == 2
    row = next(r for r in panel.rows if r["label"] == world.elder.name)
    assert row["url"] == reverse("providers:elder_agreements", args=[world.elder.pk])

    # The worker follows the row and signs with another provider: the elder leaves the list.
    client.force_login(worker)
    r = client.post(
        reverse("providers:agreement_sign") + f"?elder={world.elder.pk}",
        {"preselected": world.elder.pk, "provider": world.other.pk, "signed_on": "2026-03-11"},
    )
    assert r.status_code == 302
    assert list(svc.elders_to_rehome(user=worker)) == [world.elder2]
    assert worklist(worker)[0].count == 1


def test_rehoming_list_is_the_communitys_own(world, users, worker_b):
    terminate(world, users)
    assert list(svc.elders_to_rehome(user=worker_b)) == []
    assert worklist(world.admin) == []


def test_elder_ended_by_choice_is_not_on_the_rehoming_list(world, worker):
    svc.agreement_end(agreement=agreement(world), ends_on=D(2026, 3, 9), reason=R.ELDER_CHOICE, by=worker)
    assert list(svc.elders_to_rehome(user=worker)) == []


def test_only_a_terminated_providers_agreements_end_that_way(world, users):
    with pytest.raises(Conflict):
        svc.agreements_end_for_terminated_provider(
            provider=world.provider, ends_on=D(2026, 3, 10), by=users["district"]
        )
    with pytest.raises(NotAllowed):
        svc.agreements_end_for_terminated_provider(provider=world.provider, ends_on=D(2026, 3, 10), by=world.admin)


# --- cards ----------------------------------------------------------------------------------


def test_reissue_needs_a_reason_and_is_audited(world, worker):
    card = ElderCard.objects.get(elder=world.elder)
    old_code, old_version = card.short_code, card.version
    with pytest.raises(ValidationFailed):
        svc.card_issue(elder=world.elder, reason="  ", by=worker)
    card = svc.card_issue(elder=world.elder, reason="卡片遗失", by=worker)
    assert card.version == old_version + 1 and card.short_code != old_code
    [issue] = CardIssue.objects.filter(card=card)
    assert (issue.version, issue.reason, issue.by) == (card.version, "卡片遗失", worker)


def test_first_card_by_a_user_is_version_one_with_its_reason(world, worker, fresh):
    card = svc.card_issue(elder=fresh, reason="首次发卡", by=worker)
    assert card.version == 1 and card.issues.get().reason == "首次发卡"


def test_who_may_issue_cards(world, worker_b, fresh):
    svc.card_issue(elder=world.elder, reason="卡片损坏", by=world.admin)  # provider with an open agreement
    for someone in (world.other_admin, world.caregiver.user, worker_b):
        with pytest.raises(NotAllowed):
            svc.card_issue(elder=world.elder, reason="卡片遗失", by=someone)
    with pytest.raises(NotAllowed):  # no open agreement with this provider
        svc.card_issue(elder=fresh, reason="首次发卡", by=world.admin)
    assert ElderCard.objects.get(elder=world.elder).version == 2


def test_get_with_reissue_changes_nothing(world, worker, client):
    card = ElderCard.objects.get(elder=world.elder)
    client.force_login(worker)
    r = client.get(reverse("providers:elder_card", args=[world.elder.pk]) + "?reissue=1")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    after = ElderCard.objects.get(elder=world.elder)
    assert (after.version, after.short_code) == (card.version, card.short_code)
    assert not CardIssue.objects.exists()


def test_card_print_and_issue_refused_to_caregivers(world, client):
    card = ElderCard.objects.get(elder=world.elder)
    make_order(world)  # the caregiver serves the elder: the refusal is the role's, not the scope's
    client.force_login(world.caregiver.user)
    assert client.get(reverse("providers:elder_card", args=[world.elder.pk])).status_code == 403
    r = client.post(reverse("providers:elder_card_issue", args=[world.elder.pk]), {"reason": "卡片遗失"})
    assert r.status_code == 403
    assert ElderCard.objects.get(elder=world.elder).version == card.version


def test_card_issue_page_is_post_only_and_records_the_reason(world, worker, client):
    client.force_login(worker)
    url = reverse("providers:elder_card_issue", args=[world.elder.pk])
    assert client.get(url).status_code == 405
    r = client.post(url, {"reason": ""})
    assert r.status_code == 302 and ElderCard.objects.get(elder=world.elder).version == 1
    client.post(url, {"reason": "卡片遗失"})
    assert ElderCard.objects.get(elder=world.elder).version == 2
    page = client.get(reverse("providers:elder_agreements", args=[world.elder.pk])).content.decode()
    assert "卡片遗失" in page and "v2" in page


def test_printing_an_elder_without_a_card_asks_to_issue_one(worker, fresh, client, world):
    client.force_login(worker)
    r = client.get(reverse("providers:elder_card", args=[fresh.pk]))
    assert r.status_code == 302 and not ElderCard.objects.filter(elder=fresh).exists()


# --- pages ----------------------------------------------------------------------------------


def test_sign_page_with_the_picker(world, worker, fresh, client):
    client.force_login(worker)
    page = client.get(reverse("providers:agreement_sign")).content.decode()
    assert world.provider.name in page and world.other.name in page
    r = client.post(
        reverse("providers:agreement_sign"),
        {"elder": fresh.pk, "provider": world.provider.pk, "signed_on": "2026-03-10"},
    )
    assert r.status_code == 302 and open_of(fresh) == [world.provider.pk]


def test_sign_page_shows_the_conflict_without_an_error_page(world, worker, client):
    client.force_login(worker)
    r = client.post(
        reverse("providers:agreement_sign"),
        {"elder": world.elder.pk, "provider": world.provider.pk, "signed_on": "2026-03-10"},
    )
    assert r.status_code == 200
    assert "已有" in r.content.decode() and world.provider.name in r.content.decode()


def test_provider_admin_signs_by_id_number_with_consent(world, fresh, client):
    client.force_login(world.admin)
    data = {"id_number": fresh.id_number, "provider": world.provider.pk, "signed_on": "2026-03-10"}
    r = client.post(reverse("providers:agreement_sign"), data)
    assert r.status_code == 200 and open_of(fresh) == []  # consent missing
    r = client.post(reverse("providers:agreement_sign"), {**data, "consent": "本人当面签字"})
    assert r.status_code == 302 and open_of(fresh) == [world.provider.pk]


def test_caregiver_cannot_reach_agreement_pages(world, client):
    make_order(world)  # the caregiver serves the elder: the refusal is the role's, not the scope's
    client.force_login(world.caregiver.user)
    assert client.get(reverse("providers:agreement_sign")).status_code == 403
    assert client.get(reverse("providers:agreement_list")).status_code == 403
    assert client.get(reverse("providers:elder_agreements", args=[world.elder.pk])).status_code == 403


def test_end_and_change_pages(world, worker, client):
    client.force_login(worker)
    a = agreement(world)
    r = client.post(
        reverse("providers:agreement_end", args=[a.pk]), {"ends_on": "2024-01-01", "reason": "elder_choice"}
    )
    assert r.status_code == 302 and agreement(world).ends_on is None
    r = client.post(
        reverse("providers:agreement_change", args=[a.pk]), {"provider": world.other.pk, "starts_on": "2026-04-01"}
    )
    assert r.status_code == 302 and open_of(world.elder) == [world.other.pk]
    b = ServiceAgreement.objects.get(elder=world.elder, provider=world.other)
    client.post(reverse("providers:agreement_end", args=[b.pk]), {"ends_on": "2026-05-01", "reason": "elder_choice"})
    b.refresh_from_db()
    assert (b.ends_on, b.end_reason) == (D(2026, 5, 1), R.ELDER_CHOICE)


def test_other_community_gets_404_on_the_elders_pages(world, worker_b, client):
    client.force_login(worker_b)
    assert client.get(reverse("providers:elder_agreements", args=[world.elder.pk])).status_code == 404
    a = agreement(world)
    assert client.post(reverse("providers:agreement_end", args=[a.pk]), {"ends_on": "2026-03-10"}).status_code == 404


# --- the elder's page sections --------------------------------------------------------------


def test_hub_sections_for_the_community_worker(world, worker):
    svc.agreement_change_provider(agreement=agreement(world), provider=world.other, starts_on=D(2026, 3, 1), by=worker)
    svc.card_issue(elder=world.elder, reason="卡片遗失", by=worker)
    agreements_section, card_section = hub_sections(worker, world.elder)
    assert agreements_section.title == "服务协议" and card_section.title == "服务卡"
    details = [r["detail"] for r in agreements_section.rows]
    assert any("2025-01-01 – 2026-02-28" in d and "更换" in d for d in details)
    labels = [a.label for a in agreements_section.actions]
    assert "签订服务协议" in labels and any(world.other.name in label for label in labels)
    assert card_section.rows[0]["label"] == "当前服务卡：第 2 版" and "卡片遗失" in card_section.rows[1]["detail"]
    reissue = next(a for a in card_section.actions if a.method == "post")
    assert reissue.reason and reissue.url == reverse("providers:elder_card_issue", args=[world.elder.pk])


def test_hub_sections_for_caregivers_and_other_providers(world):
    assert hub_sections(world.caregiver.user, world.elder) == []
    assert [s.title for s in sections_for(world.caregiver.user, world.elder) if s.title in ("服务协议", "服务卡")] == []
    [agreements_section, card_section] = hub_sections(world.admin, world.elder)
    assert [a.method for a in card_section.actions] == ["get", "post"]
    assert not any("更换" in a.label for a in agreements_section.actions)  # the provider does not change it


@pytest.mark.postgres
def test_a_providers_agreements_list_comes_from_an_index_in_its_order(tree):
    """Latest signed first within the provider: read backwards from an index, never sorted in full."""
    admin = user_with_role(Role.PROVIDER_ADMIN, provider=make_provider(tree))
    with connection.cursor() as cursor:  # for the test's transaction only
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    plan = svc.agreement_list(user=admin).filter(ends_on__isnull=True).order_by("-signed_on", "-id")[:25].explain()
    assert "Index Scan Backward using agreement_provider_signed_idx" in plan, plan
    assert "Sort Key" not in plan, plan
