"""A heat wave over the test district since 14 March, the communities of 龙川街道 with
households contacted on the 15th and the 16th, a provider serving one of them.

The time is frozen at 2026-03-16 18:00 Asia/Shanghai (tests/outreach/conftest.py): past the
16:00 cut-off of the 16th.
"""

import datetime
from dataclasses import dataclass

import pytest

from eldercare.models import Division, Elder, Role, User
from outreach import services as outreach_services
from outreach.models import EmergencyResponse
from outreach.reports.selectors import Unit
from providers.models import Provider, ServiceAgreement
from tests.factories import ElderFactory, user_with_role
from tests.outreach.factories import responsible, screened
from tests.providers.factories import make_provider

from ..conftest import TODAY

YESTERDAY = TODAY - datetime.timedelta(days=1)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    )


def worker_of(community: Division, phone: str, username: str | None = None) -> User:
    user = user_with_role(Role.COMMUNITY_WORKER, community, username=username)
    user.phone = phone
    user.full_name = f"社区工作者{phone[-4:]}"
    user.save()
    return user


@dataclass
class Scene:
    response: EmergencyResponse
    worker: User  # 龙川社区 (a1)
    worker2: User  # 龙川社区 too
    worker_a2: User  # 文昌社区
    worker_b1: User  # 新都村 (仙女镇)
    provider: Provider
    provider_admin: User
    elders: dict[str, Elder]

    def unit(self, community: Division) -> Unit:
        return Unit.of_community(community)

    @property
    def provider_unit(self) -> Unit:
        return Unit.of_provider(self.provider)


def contact(response, elder, by, when, result="fine", needs=""):
    return outreach_services.contact_record(
        response=response, elder=elder, by=by, method="phone", result=result, at=when, needs=needs
    )


@pytest.fixture
def scene(tree, users) -> Scene:
    worker = users["community"]
    worker.phone, worker.full_name = "13900000001", "社区工作者 陈红"
    worker.save()
    worker2 = worker_of(tree.a1, "13900000002")
    worker_a2 = worker_of(tree.a2, "13900000003")
    worker_b1 = users["community_b"]
    worker_b1.phone = "13900000004"
    worker_b1.save()
    provider = make_provider(tree, name="康乐居家服务中心", streets=[tree.street_a])
    provider_admin = user_with_role(Role.PROVIDER_ADMIN, provider=provider)
    provider_admin.phone = "13900000005"
    provider_admin.save()
    response = outreach_services.response_declare(
        by=users["district"],
        district=tree.district,
        kind="heat_wave",
        name="2026年3月高温天气关爱行动",
        starts_on=datetime.date(2026, 3, 14),
    )
    e = {name: ElderFactory(community=tree.a1, name=name) for name in ("张一", "李二", "王三", "赵四", "钱五", "孙六")}
    for name in ("张一", "李二", "赵四", "钱五"):
        screened(e[name], worker)
        responsible(e[name], worker, name="网格员 周晓燕")
    screened(e["王三"], worker)  # screened, nobody in charge yet: not covered
    # 孙六 is not screened: contacted, not covered.
    e["文昌"] = ElderFactory(community=tree.a2, name="文昌")
    screened(e["文昌"], worker_a2)
    responsible(e["文昌"], worker_a2, name="网格员 蒋涛")
    e["新都"] = ElderFactory(community=tree.b1, name="新都")
    ServiceAgreement.objects.create(elder=e["张一"], provider=provider, signed_on=datetime.date(2026, 1, 1))

    # The 15th: 赵四 not answering, 钱五 a health problem (escalated, closed on the 16th).
    contact(response, e["赵四"], worker, at(YESTERDAY, 15), "unreachable")
    contact(response, e["钱五"], worker, at(YESTERDAY, 10), "health_problem")
    # The 16th.
    contact(response, e["张一"], worker, at(TODAY, 9))
    contact(response, e["李二"], worker2, at(TODAY, 10), "health_problem")
    contact(response, e["王三"], worker, at(TODAY, 11), "needs", needs="大米、食用油")
    contact(response, e["赵四"], worker, at(TODAY, 9, 30), "unreachable")  # twice in a row: escalated
    contact(response, e["孙六"], worker2, at(TODAY, 14))
    contact(response, e["文昌"], worker_a2, at(TODAY, 9))
    contact(response, e["文昌"], worker_a2, at(TODAY, 15))  # twice: one household
    escalation = response.escalations.get(elder=e["钱五"])
    outreach_services.escalation_close(escalation=escalation, by=worker, note="上门查看，已送医")
    return Scene(response, worker, worker2, worker_a2, worker_b1, provider, provider_admin, e)
