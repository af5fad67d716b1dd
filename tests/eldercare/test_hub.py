"""The elder's page is the hub: every app's sections, in order, as the viewer may see them."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from eldercare import hub
from eldercare.hub import HubAction, HubSection
from eldercare.models import DifficultyCategory, LifeStatus, Role
from subsidies.applications.hub import hub_sections as application_sections
from subsidies.applications.services import review as svc
from vouchers.hub import hub_sections as voucher_sections
from vouchers.services import account_for_elder

from ..factories import ElderFactory, user_with_role
from ..subsidies.factories import at, open_batch, scheme_for
from ..vouchers.factories import ProviderFactory, grant

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 3, 2)


def _page(client, elder) -> str:
    response = client.get(reverse("elder_detail", args=[elder.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _titles(html: str) -> list[str]:
    titles = []
    for chunk in html.split('class="card-header h6 mb-0"')[1:]:
        titles.append(chunk.split(">", 1)[1].split("<", 1)[0])
    return titles


@pytest.fixture
def elder(tree):
    return ElderFactory(community=tree.a1, name="王秀英", birth_date=datetime.date(1945, 5, 1))


@pytest.fixture
def worker(tree):
    return user_with_role(Role.COMMUNITY_WORKER, tree.a1)


def test_the_page_keeps_the_profile_and_history_and_shows_the_sections_in_order(client, worker, elder):
    client.force_login(worker)
    html = _page(client, elder)
    assert "户籍社区" in html and "修改记录" in html  # the profile and the history stay
    titles = _titles(html)
    assert titles[:3] == ["人员状态", "居家养老服务补贴申请", "补贴账户"]


def test_a_community_worker_may_apply_and_report_a_life_event_for_an_active_elder(client, worker, elder):
    client.force_login(worker)
    html = _page(client, elder)
    apply_url = reverse("subsidies:application_file") + f"?elder={elder.pk}"
    assert f'href="{apply_url}"' in html and "申请补贴" in html
    assert f'href="{reverse("life_event_verify", args=[elder.pk])}"' in html
    assert "尚无申请。" in html and "尚未开立补贴账户。" in html


def test_the_apply_link_opens_the_filing_form_with_the_elder_chosen(client, worker, elder):
    client.force_login(worker)
    html = client.get(reverse("subsidies:application_file"), {"elder": elder.pk}).content.decode()
    assert f'<option value="{elder.pk}" selected>王秀英' in html


def test_no_apply_and_no_life_event_link_for_a_deceased_elder(client, worker, tree):
    gone = ElderFactory(
        community=tree.a1, name="李桂兰", life_status=LifeStatus.DECEASED, life_status_date=datetime.date(2026, 1, 5)
    )
    client.force_login(worker)
    html = _page(client, gone)
    assert "申请补贴" not in html
    assert reverse("life_event_verify", args=[gone.pk]) not in html
    assert "已去世（2026-01-05）" in html


def test_the_applications_section_lists_the_elders_application_with_its_status(client, worker, users, elder):
    elder.categories.create(category=DifficultyCategory.LOW_INCOME, evidence_date=datetime.date(2020, 1, 1))
    scheme = scheme_for(elder.community.parent.parent)
    open_batch(elder.community.parent.parent)
    with time_machine.travel(at(MONDAY), tick=False):
        app = svc.application_file(
            elder=elder,
            scheme=scheme,
            categories=[DifficultyCategory.LOW_INCOME],
            care_situation="non_self_care",
            by=worker,
        )
        client.force_login(worker)
        html = _page(client, elder)
    assert f'href="{reverse("subsidies:application_detail", args=[app.pk])}"' in html
    assert app.get_status_display() in html and "2026-03-16 前办结" in html
    # An open application: no second one from the page.
    assert "申请补贴" not in html


def test_the_vouchers_section_shows_the_balance_and_links_the_ledger_and_statement(client, worker, tree, elder):
    grant(elder, "2026-02", "300.00", tree)
    subsidy = account_for_elder(elder=elder, kind="subsidy")
    client.force_login(worker)
    with time_machine.travel(at(MONDAY), tick=False):
        html = _page(client, elder)
    assert f'href="{reverse("voucher_account", args=[subsidy.pk])}"' in html
    assert "300.00" in html
    assert f'href="{reverse("voucher_elder", args=[elder.pk])}"' in html
    assert f'href="{reverse("voucher_statement", args=[elder.pk, "2026-02"])}"' in html


def test_a_caregiver_sees_neither_applications_nor_accounts(client, tree, elder):
    """A provider's staff reach an elder only through an agreement; without one the page is 404,
    and the lower apps' sections never show them the subsidy side."""
    caregiver = user_with_role(Role.CAREGIVER, provider=ProviderFactory(district=tree.district))
    assert voucher_sections(caregiver, elder) == [] and application_sections(caregiver, elder) == []
    client.force_login(caregiver)
    assert client.get(reverse("elder_detail", args=[elder.pk])).status_code == 404


def test_a_supervisor_sees_the_sections_but_no_action(client, tree, elder):
    client.force_login(user_with_role(Role.SUPERVISOR, tree.district))
    html = _page(client, elder)
    assert "居家养老服务补贴申请" in html and "补贴账户" in html
    assert "申请补贴" not in html
    assert reverse("life_event_verify", args=[elder.pk]) not in html


def test_a_post_action_with_a_reason_is_a_form_with_csrf_and_a_reason_field(client, worker, elder):
    def sections(user, e):
        return [
            HubSection(
                title="测试区块",
                order=5,
                rows=[{"label": "一行", "url": "/x/", "detail": "说明", "flag": True}],
                actions=[HubAction(label="冻结", url="/freeze/", method="post", reason=True)],
            )
        ]

    hub.register(sections)
    try:
        client.force_login(worker)
        html = _page(client, elder)
    finally:
        hub._REGISTERED.remove(sections)
    assert _titles(html)[0] == "测试区块"
    form = html.split('action="/freeze/"', 1)[1].split("</form>", 1)[0]
    assert (
        'name="csrfmiddlewaretoken"' in form and '<textarea class="form-control form-control-sm" name="reason"' in form
    )
    assert "list-group-item-warning" in html.split("测试区块", 1)[1].split("</section>", 1)[0]
