"""Reads of the settlement, scoped to who is looking (an object outside scope answers 404)."""

from django.db.models import QuerySet
from django.http import Http404

from eldercare.models import Role, User
from eldercare.periods import Month
from eldercare.scoping import scope_for

from .compute import Line, month_figures
from .models import MonthLine, QuarterSettlement, ServiceMonth, SettlementReport

QUARTER_ROLES = (Role.FINANCE, Role.SUPERVISOR, Role.DISTRICT_REVIEWER, Role.SYSADMIN)
REPORT_ROLES = (Role.FINANCE, Role.SUPERVISOR, Role.SYSADMIN)
MONTH_ROLES = (*QUARTER_ROLES, Role.STREET_REVIEWER, Role.PROVIDER_ADMIN)


def _sees(user: User, roles) -> bool:
    return user.is_superuser or user.has_role(*roles)


def months_for(*, user: User) -> QuerySet[ServiceMonth]:
    if not _sees(user, MONTH_ROLES):
        return ServiceMonth.objects.none()
    return ServiceMonth.objects.prefetch_related("confirmations__street").order_by("-month")


def _visible(user: User, provider_id: int, community_id: int) -> bool:
    scope = scope_for(user)
    if scope.all or _sees(user, QUARTER_ROLES):
        return True
    if user.has_role(Role.PROVIDER_ADMIN) and provider_id in scope.provider_ids:
        return True
    return user.has_role(Role.STREET_REVIEWER) and scope.covers_community(community_id)


def month_lines(*, user: User, month: Month) -> tuple[ServiceMonth | None, list]:
    """The month's lines the user may see: frozen rows once locked, the live figures before."""
    if not _sees(user, MONTH_ROLES):
        raise Http404
    service_month = ServiceMonth.objects.filter(month=month.first_day).first()
    if service_month is not None and service_month.status == ServiceMonth.Status.LOCKED:
        lines: list = list(
            MonthLine.objects.filter(service_month=service_month).select_related("provider", "community", "street")
        )
    else:
        lines = month_figures(month).lines
    return service_month, [x for x in lines if _visible(user, x.provider_id, x.community_id)]


def quarters_for(*, user: User) -> QuerySet[QuarterSettlement]:
    if not _sees(user, QUARTER_ROLES):
        return QuarterSettlement.objects.none()
    return QuarterSettlement.objects.select_related("prepared_by", "approved_by")


def quarter_get(*, user: User, quarter_first_day) -> QuarterSettlement:
    obj = quarters_for(user=user).filter(quarter=quarter_first_day).first()
    if obj is None:
        raise Http404
    return obj


def reports_for(*, user: User) -> QuerySet[SettlementReport]:
    if not _sees(user, REPORT_ROLES):
        return SettlementReport.objects.none()
    return SettlementReport.objects.all()


def report_get(*, user: User, pk: int) -> SettlementReport:
    obj = reports_for(user=user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


__all__ = ["Line", "month_lines", "months_for", "quarter_get", "quarters_for", "report_get", "reports_for"]
