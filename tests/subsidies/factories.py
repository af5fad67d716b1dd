"""Helpers to bring an application to any stage through the real services."""

import datetime
from zoneinfo import ZoneInfo

from eldercare.periods import Month
from subsidies.applications.models import Application, IntakeBatch
from subsidies.applications.services import materials
from subsidies.applications.services import review as svc
from subsidies.applications.services.assessments import assessment_record
from subsidies.standards.models import Scheme
from subsidies.standards.services.policies import load_policies
from tests.files import pdf_upload

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


def scheme_for(district) -> Scheme:
    scheme, _ = Scheme.objects.get_or_create(
        code="jiangdu", defaults={"name": "江都区居家养老服务补贴（方案A）", "jurisdiction": district}
    )
    return scheme


def open_batch(district, opens_on=datetime.date(2026, 1, 1)) -> IntakeBatch:
    return IntakeBatch.objects.create(
        district=district,
        name="2026年上半年集中申报",
        opens_on=opens_on,
        closes_on=opens_on + datetime.timedelta(days=180),
    )


def upload_required(app: Application, by) -> None:
    for material in svc.missing_materials(application=app):
        materials.material_upload(application=app, material_type=material, upload=pdf_upload(), by=by)


SCORES_DISABLED = {"self_care": 10, "mobility": 5, "mental": 10, "perception_social": 10}  # 35: 重度失能
SCORES_SELF_CARE = {"self_care": 32, "mobility": 16, "mental": 24, "perception_social": 18}  # 90: 能力完好


def walk(app: Application, users: dict, *, until: str, traveller=None) -> Application:
    """Move a filed case forward until it reaches `until`, travelling in time over the notice."""
    steps = [
        "community_review",
        "public_notice",
        "community_decision",
        "street_review",
        "assessment",
        "district_decision",
        "approved",
    ]
    for step in steps:
        if app.status == until:
            return app
        if step == "community_review":
            upload_required(app, users["community"])
            app = svc.application_accept(application=app, by=users["community"])
        elif step == "public_notice":
            start = app.filed_on
            from eldercare.workdays import add_workdays

            end = add_workdays(start - datetime.timedelta(days=1), 5)
            app = svc.application_notice_start(
                application=app, starts_on=start, ends_on=end, investigation_notes="入户调查属实", by=users["community"]
            )
        elif step == "community_decision":
            assert traveller is not None, "closing the notice needs time to pass"
            from eldercare.workdays import add_workdays as _add

            traveller.move_to(at(_add(app.notice_ends_on, 1)))
            app = svc.application_notice_close(application=app, by=users["community"])
        elif step == "street_review":
            app = svc.application_forward(application=app, by=users["community"], opinion="公示无异议，同意上报")
        elif step == "assessment":
            app = svc.application_street_approve(application=app, by=users["street"], opinion="同意")
        elif step == "district_decision":
            # The district approves only with the standard the elder receives: load the figures.
            load_policies(district=app.community.parent.parent, first_month=Month(2020, 1))
            assessment_record(
                elder=app.elder,
                assessed_on=app.stage_started_on,
                scores=SCORES_DISABLED,
                by=users["assessor"],
                application=app,
            )
            app.refresh_from_db()
        elif step == "approved":
            app = svc.application_approve(application=app, by=users["district"], opinion="同意核准")
    return app
