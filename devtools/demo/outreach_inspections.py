"""Demo data of inspections during the demo heat wave, and what the continuity report finds.

The district inspected 龙川社区 two days ago: one problem is overdue, one corrected and waiting for
the district to verify it, one corrected and closed. Yesterday 龙川街道 inspected a household of
the same community: the provider must correct a problem by tomorrow (the daily reminder's case)
and the community has one not yet due. The continuity report of the heat wave is not empty: the
account frozen by the vouchers demo is on it. Everything goes through the services.
"""

import datetime

from devtools.demo.core import DemoContext
from eldercare.models import Role
from outreach import selectors as outreach_selectors
from outreach.inspections import services
from outreach.inspections.models import Category, PlaceKind, Severity, UnitKind


def seed(ctx: DemoContext) -> None:
    district, street, worker = ctx.users["district"], ctx.users["street"], ctx.users["community"]
    response = outreach_selectors.response_list(user=district, active_on=ctx.today).first()
    if response is None:
        return
    community = ctx.communities[0]
    first = services.inspection_record(
        by=district,
        inspected_on=ctx.today - datetime.timedelta(days=2),
        place_kind=PlaceKind.COMMUNITY,
        community=community,
        response=response,
        findings="暗访龙川社区高温关爱工作：值班表上墙，防暑物资已储备；独居老人联系台账不全。",
    )

    def community_problem(inspection, description, severity, deadline, category=Category.CONTACT):
        return services.problem_add(
            inspection=inspection,
            by=inspection.inspector,
            category=category,
            description=description,
            severity=severity,
            unit_kind=UnitKind.COMMUNITY,
            unit_community=community,
            deadline=deadline,
        )

    # Overdue: due yesterday, nothing reported.
    community_problem(
        first, "独居高龄老人联系台账缺少近两日记录", Severity.SERIOUS, ctx.today - datetime.timedelta(days=1)
    )
    # Corrected, waiting for the district.
    waiting = community_problem(
        first, "防暑降温物资发放无签收记录", Severity.MAJOR, ctx.today + datetime.timedelta(days=5), Category.SUPPLIES
    )
    services.problem_correct(
        problem=waiting, by=worker, action_taken="已补签收登记表，逐户电话核对", evidence="签收表照片 2 张"
    )
    # Corrected and closed.
    closed = community_problem(
        first, "社区值班电话无人接听", Severity.MAJOR, ctx.today + datetime.timedelta(days=5), Category.OTHER
    )
    services.problem_correct(problem=closed, by=worker, action_taken="增设值班手机，呼叫转移到值班人员")
    services.problem_verify(problem=closed, by=district, note="回访拨打值班电话，10 秒内接听")

    elders = list(outreach_selectors.register_elders(user=worker, on=ctx.today, community=community.pk)[:1])
    if not elders:
        return
    second = services.inspection_record(
        by=street,
        inspected_on=ctx.today - datetime.timedelta(days=1),
        place_kind=PlaceKind.HOUSEHOLD,
        elder=elders[0],
        response=response,
        findings="入户暗访：老人身体状况良好，室内闷热。",
    )
    community_problem(
        second, "入户查看发现老人家中无降温设备，未登记需求", Severity.MINOR, ctx.today + datetime.timedelta(days=10)
    )
    admin = ctx.users.get("provider")
    assignment = admin.role_assignments.filter(role=Role.PROVIDER_ADMIN).first() if admin else None
    if assignment is not None:
        # Due tomorrow: the provider's work list and the daily reminder.
        services.problem_add(
            inspection=second,
            by=street,
            category=Category.SERVICE,
            description="护理员上门未按高温时段调整服务时间",
            severity=Severity.MAJOR,
            unit_kind=UnitKind.PROVIDER,
            unit_provider=assignment.provider,
            deadline=ctx.today + datetime.timedelta(days=1),
        )
