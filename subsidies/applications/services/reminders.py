"""The reminders of review deadlines: every morning a notice (and a text message when the deadline
is within two working days), and on Monday mornings each reviewer's digest of overdue cases."""

import datetime
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.models import Role, User
from eldercare.services import notification_send
from eldercare.workdays import workdays_between

from ..models import OPEN_STATUSES, Application
from ..models import ApplicationStatus as S
from ..rules import REMIND_WITHIN_WORKDAYS, STAGE_ROLE
from .notices import users_with_role

# The reviewers who get the Monday digest of their overdue cases.
DIGEST_ROLES = (Role.COMMUNITY_WORKER, Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER)


def _responsible_users(app: Application) -> list[User]:
    return users_with_role(role=STAGE_ROLE[app.status], application=app)


def deadline_reminders_send(*, on: datetime.date | None = None) -> int:
    """In-app notices (and email when the user has one) for cases due within two working days or
    overdue; a case not yet overdue also texts the reviewer's phone, which cannot wait. One notice
    and one text per user, case, stage and day: running twice sends nothing new."""
    day = on or timezone.localdate()
    sent = 0
    apps = (
        Application.objects.filter(status__in=OPEN_STATUSES, deadline__isnull=False)
        .exclude(status=S.ASSESSMENT)
        .select_related("elder", "community__parent")
    )
    for app in apps:
        assert app.deadline is not None  # filtered above
        left = workdays_between(day, app.deadline)
        if left > REMIND_WITHIN_WORKDAYS:
            continue
        if left < 0:
            message = _("Overdue by %(n)d working days: %(elder)s, %(stage)s (deadline %(deadline)s).")
        else:
            message = _("%(n)d working days left: %(elder)s, %(stage)s (deadline %(deadline)s).")
        message = message % {
            "n": abs(left),
            "elder": app.elder.name,
            "stage": app.get_status_display(),
            "deadline": app.deadline,
        }
        key = f"app-deadline:{app.pk}:{app.status}:{day.isoformat()}"
        for user in _responsible_users(app):
            if user.notifications.filter(dedupe_key=key).exists():
                continue
            notification_send(user=user, message=message, url=app.get_absolute_url(), dedupe_key=key, sms=left >= 0)
            sent += 1
    return sent


def _overdue_by_office(day: datetime.date) -> dict[tuple[str, int | None], list[Application]]:
    """The open overdue cases, grouped by the (role, division) whose turn it is."""
    apps = (
        Application.objects.filter(status__in=OPEN_STATUSES, deadline__lt=day)
        .select_related("elder", "community__parent")
        .order_by("deadline", "pk")
    )
    offices: dict[tuple[str, int | None], list[Application]] = defaultdict(list)
    for app in apps:
        role = STAGE_ROLE[app.status]
        if role not in DIGEST_ROLES:
            continue
        street = app.community.parent
        assert street is not None and street.parent_id is not None
        division = {
            Role.COMMUNITY_WORKER: app.community_id,
            Role.STREET_REVIEWER: street.pk,
            Role.DISTRICT_REVIEWER: street.parent_id,
        }[role]
        offices[(role, division)].append(app)
    return offices


def overdue_applications_digest(*, user: User, day: datetime.date) -> list[tuple[str, list[str]]]:
    """The user's section of the Monday digest (eldercare.digest): the open cases past their
    deadline at a stage that is the turn of one of the user's offices."""
    offices = _overdue_by_office(day)
    cases: list[Application] = []
    for role, division in user.role_assignments.filter(role__in=DIGEST_ROLES).values_list("role", "division_id"):
        cases.extend(offices.get((role, division), []))
    lines = [
        _("%(elder)s, %(community)s · %(stage)s · deadline %(deadline)s")
        % {
            "elder": app.elder.name,
            "community": app.community.name,
            "stage": app.get_status_display(),
            "deadline": app.deadline,
        }
        for app in cases
    ]
    return [(_("Applications past their review deadline"), lines)]
