"""Who is told of a provider's quality steps, in the app (and by mail when they have an address):
the provider's administrators of a rectification opened or its answer rejected, the town's
reviewers of an answer to decide. Keys name the rectification or its step: once each."""

from django.urls import reverse
from django.utils.translation import gettext as _

from eldercare.models import Role, RoleAssignment, User
from eldercare.services import notification_send

from ..models import Rectification, RectificationStep


def provider_admins(*, provider_id: int) -> list[User]:
    ids = RoleAssignment.objects.filter(role=Role.PROVIDER_ADMIN, provider_id=provider_id).values_list(
        "user_id", flat=True
    )
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def street_reviewers(*, street_id: int) -> list[User]:
    ids = RoleAssignment.objects.filter(role=Role.STREET_REVIEWER, division_id=street_id).values_list(
        "user_id", flat=True
    )
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def _url(rectification: Rectification) -> str:
    return reverse("providers:rectification_detail", args=[rectification.pk])


def rectification_opened_notify(*, rectification: Rectification) -> int:
    """The provider's administrators must correct and answer by the deadline."""
    survey = rectification.survey
    message = _(
        "Satisfaction below the standard in %(street)s's survey of %(quarter)s: correct it and answer by %(deadline)s."
    ) % {"street": survey.street.name, "quarter": survey.quarter_label, "deadline": rectification.deadline}
    users = provider_admins(provider_id=rectification.provider_id)
    for user in users:
        notification_send(
            user=user, message=message, url=_url(rectification), dedupe_key=f"rectification-open:{rectification.pk}"
        )
    return len(users)


def rectification_step_notify(*, rectification: Rectification, step: RectificationStep) -> int:
    """An answer goes to the town's reviewers; a rejected answer back to the provider's administrators."""
    if step.kind == RectificationStep.Kind.ANSWER:
        users = street_reviewers(street_id=rectification.survey.street_id)
        message = _("%(provider)s answered its rectification: accept or reject the answer.") % {
            "provider": rectification.provider.name
        }
    elif step.kind == RectificationStep.Kind.REJECT:
        users = provider_admins(provider_id=rectification.provider_id)
        message = _("The town rejected your answer to the rectification (due %(deadline)s): %(reason)s") % {
            "deadline": rectification.deadline,
            "reason": step.text,
        }
    else:
        return 0
    for user in users:
        if user.pk == step.by_id:
            continue
        notification_send(
            user=user, message=message, url=_url(rectification), dedupe_key=f"rectification-step:{step.pk}"
        )
    return len(users)
