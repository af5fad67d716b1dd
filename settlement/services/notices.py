"""Who is told of the settlement's steps, in the app (and by mail when they have an address):
towns of a month they must confirm, finance of a quarter to approve, the preparer of a quarter
sent back. The dedupe keys name the month and town, or the quarter's event: once each."""

from django.urls import reverse
from django.utils.translation import gettext as _

from eldercare.models import Role, RoleAssignment, User
from eldercare.periods import Month, Quarter
from eldercare.services import notification_send

from ..models import QuarterEvent, QuarterSettlement
from ..selectors import months_to_confirm


def _finance_users() -> list[User]:
    ids = RoleAssignment.objects.filter(role=Role.FINANCE).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def _quarter(settlement: QuarterSettlement) -> Quarter:
    return Month.of(settlement.quarter).quarter


def _quarter_url(settlement: QuarterSettlement) -> str:
    return reverse("settlement_quarter", args=[str(_quarter(settlement))])


def months_to_confirm_notify() -> int:
    """Tell each town's reviewers of every ended month their town must still confirm (the same
    list as their work list); once per month and town. Returns the notices sent."""
    ids = RoleAssignment.objects.filter(role=Role.STREET_REVIEWER).values_list("user_id", flat=True)
    sent = 0
    for user in User.objects.filter(pk__in=ids, is_active=True).order_by("pk"):
        for month, street in months_to_confirm(user=user):
            key = f"settlement-month-confirm:{month}:{street.pk}"
            if user.notifications.filter(dedupe_key=key).exists():
                continue
            notification_send(
                user=user,
                message=_("%(month)s is ready for %(street)s to verify and confirm.")
                % {"month": month, "street": street.name},
                url=reverse("settlement_month", args=[str(month)]),
                dedupe_key=key,
            )
            sent += 1
    return sent


def quarter_prepared_notify(*, settlement: QuarterSettlement, event: QuarterEvent) -> int:
    """The other finance users are asked to approve (or send back) what one of them prepared."""
    sent = 0
    for user in _finance_users():
        if user.pk == event.by_id:
            continue
        notification_send(
            user=user,
            message=_("Quarter %(q)s was prepared by %(who)s: approve it or send it back.")
            % {"q": _quarter(settlement), "who": event.by},
            url=_quarter_url(settlement),
            dedupe_key=f"settlement-quarter-event:{event.pk}",
        )
        sent += 1
    return sent


def quarter_returned_notify(*, settlement: QuarterSettlement, event: QuarterEvent) -> int:
    """The preparer learns the quarter was sent back, and why."""
    preparer = settlement.prepared_by
    if preparer is None or not preparer.is_active or preparer.pk == event.by_id:
        return 0
    notification_send(
        user=preparer,
        message=_("Quarter %(q)s was sent back by %(who)s: %(reason)s")
        % {"q": _quarter(settlement), "who": event.by, "reason": event.note},
        url=_quarter_url(settlement),
        dedupe_key=f"settlement-quarter-event:{event.pk}",
    )
    return 1
