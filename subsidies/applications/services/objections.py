"""Objections raised during the public notice, recorded and resolved (an upheld one rejects the case)."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.errors import Conflict, NotAllowed, ValidationFailed
from eldercare.models import Role, User
from subsidies.applications.models import (
    Application,
    Objection,
)
from subsidies.applications.models import ApplicationStatus as S

from .review import application_transition, in_scope


def objection_record(
    *, application: Application, received_on: datetime.date, content: str, by: User, objector: str = ""
) -> Objection:
    if not (by.has_role(Role.COMMUNITY_WORKER) and in_scope(by, application.community_id)):
        raise NotAllowed(_("Objections are recorded by the community."))
    if application.status != S.PUBLIC_NOTICE:
        raise Conflict(_("Objections are received during the public notice."))
    starts_on, ends_on = application.notice_starts_on, application.notice_ends_on
    # Posting the notice, the only way into PUBLIC_NOTICE, sets both days.
    assert starts_on is not None and ends_on is not None
    if not (starts_on <= received_on <= ends_on):
        raise ValidationFailed(_("The objection must be received during the public notice."))
    if not content.strip():
        raise ValidationFailed(_("Write what the objection says."))
    return Objection.objects.create(
        application=application, received_on=received_on, objector=objector, content=content, recorded_by=by
    )


def objection_resolve(*, objection: Objection, upheld: bool, resolution: str, by: User) -> Objection:
    """Upheld: the case is rejected with the resolution as reason. Dismissed: the case continues."""
    if not (by.has_role(Role.COMMUNITY_WORKER) and in_scope(by, objection.application.community_id)):
        raise NotAllowed(_("Objections are resolved by the community."))
    if not resolution.strip():
        raise ValidationFailed(_("Write how the objection was resolved."))
    with transaction.atomic():
        obj = Objection.objects.select_for_update().get(pk=objection.pk)
        if obj.status != Objection.Status.OPEN:
            raise Conflict(_("This objection is already resolved."))
        obj.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
        obj.resolution = resolution
        obj.resolved_by = by
        obj.resolved_at = timezone.now()
        obj.save()
        if upheld:
            application_transition(
                application=obj.application,
                action="reject",
                by=by,
                opinion=_("Objection upheld: %(text)s") % {"text": resolution},
            )
    return obj
