"""The daily reminders of review deadlines (a beat task sends them every morning)."""

import datetime

from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.models import Notification, Role, RoleAssignment, User
from eldercare.workdays import workdays_between

from ..models import OPEN_STATUSES, Application
from ..models import ApplicationStatus as S
from ..rules import REMIND_WITHIN_WORKDAYS, STAGE_ROLE


def _responsible_users(app: Application) -> list[User]:
    role = STAGE_ROLE[app.status]
    community = app.community
    # A community always has a street above it, and a street a district (the database's
    # division_parent_matches_level constraint).
    street = community.parent
    assert street is not None and street.parent_id is not None
    divisions = {
        Role.COMMUNITY_WORKER: [community.pk],
        Role.STREET_REVIEWER: [street.pk],
        Role.ASSESSOR: [street.parent_id],
        Role.DISTRICT_REVIEWER: [street.parent_id],
    }[role]
    ids = RoleAssignment.objects.filter(role=role, division_id__in=divisions).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=ids, is_active=True))


def deadline_reminders_send(*, on: datetime.date | None = None) -> int:
    """In-app notices (and email when the user has one) for cases due within two working days or
    overdue. One notice per user, case, stage and day: running twice sends nothing new."""
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
            _notification, created = Notification.objects.get_or_create(
                user=user, dedupe_key=key, defaults={"message": message, "url": app.get_absolute_url()}
            )
            if created:
                sent += 1
                if user.email:
                    send_mail(_("Review deadline"), message, None, [user.email], fail_silently=True)
    return sent
