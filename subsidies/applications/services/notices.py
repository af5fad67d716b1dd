"""Who is told of a move of the review, in the app (and by mail when they have an address).

Each move notifies the next actor: the role responsible for the case's new stage, in the case's
own part of the tree (the community's workers, the street's reviewers, the district's assessors
and reviewers), never anyone outside it. Decisions go back to the community's workers. The
dedupe key names the move's event, so a retried move never notifies twice.
"""

from django.utils.translation import gettext as _

from eldercare.models import Role, RoleAssignment, User
from eldercare.services import notification_send

from ..models import Application, ApplicationEvent
from ..models import ApplicationStatus as S


def users_with_role(*, role: str, application: Application) -> list[User]:
    """The active users holding `role` at the level of the tree that role works at, for this case."""
    community = application.community
    # A community always has a street above it, and a street a district (the database's
    # division_parent_matches_level constraint).
    street = community.parent
    assert street is not None and street.parent_id is not None
    district: int = street.parent_id
    divisions: dict[str, int] = {
        Role.COMMUNITY_WORKER: community.pk,
        Role.STREET_REVIEWER: street.pk,
        Role.ASSESSOR: district,
        Role.DISTRICT_REVIEWER: district,
    }
    division = divisions[role]
    ids = RoleAssignment.objects.filter(role=role, division_id=division).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def _messages(app: Application, event: ApplicationEvent) -> list[tuple[str, str]]:
    """(role, message template) for each role to tell of this move."""
    action = event.action
    if action == "forward":
        return [
            (Role.STREET_REVIEWER, _("For the street office's review: %(elder)s, %(community)s (due %(deadline)s)."))
        ]
    if action == "street_approve":
        return [
            (Role.ASSESSOR, _("Assessment due: %(elder)s, %(community)s.")),
            (Role.DISTRICT_REVIEWER, _("Approved by the street office, now at assessment: %(elder)s, %(community)s.")),
        ]
    if action == "assess":
        return [
            (Role.DISTRICT_REVIEWER, _("For the district's decision: %(elder)s, %(community)s (due %(deadline)s)."))
        ]
    if action == "return":
        return [
            (_stage_role(event.to_status), _("Returned for correction: %(elder)s, %(community)s. Reason: %(reason)s"))
        ]
    if action == "approve":
        return [(Role.COMMUNITY_WORKER, _("Approved by the district: %(elder)s, %(community)s."))]
    if action == "reject":
        return [(Role.COMMUNITY_WORKER, _("Rejected: %(elder)s, %(community)s. Reasons: %(reason)s"))]
    return []


def _stage_role(status: str) -> str:
    roles: dict[str, str] = {
        S.STREET_REVIEW: Role.STREET_REVIEWER,
        S.ASSESSMENT: Role.ASSESSOR,
        S.DISTRICT_DECISION: Role.DISTRICT_REVIEWER,
    }
    return roles.get(status, Role.COMMUNITY_WORKER)


def application_event_notify(*, application: Application, event: ApplicationEvent) -> int:
    """Tell the next actors of the move `event`; returns how many users were told (the mover never)."""
    sent = 0
    for role, template in _messages(application, event):
        facts = {
            "elder": application.elder.name,
            "community": application.community.name,
            "deadline": application.deadline or "",
            "reason": event.opinion,
        }
        message = template % facts
        for user in users_with_role(role=role, application=application):
            if user.pk == event.by_id:
                continue
            notification_send(
                user=user,
                message=message,
                url=application.get_absolute_url(),
                dedupe_key=f"application-event:{event.pk}:{role}",
            )
            sent += 1
    return sent
