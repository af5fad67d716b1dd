"""Starting a month's run from the page or the API: the request is a row, the work a Celery task
enqueued once the row is committed (and again by the sweeper if the broker was down)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.errors import Conflict, NotAllowed, ValidationFailed
from eldercare.models import User
from eldercare.periods import Month
from eldercare.tasks import enqueue_on_commit
from subsidies.standards.models import SubsidyRun
from subsidies.standards.selectors import RUN_ROLES
from subsidies.standards.tasks import run_requested


@transaction.atomic
def run_request(*, month: Month, by: User) -> SubsidyRun:
    """Ask for the month's run. A month can be paid up to one month ahead; a month already being
    run is not asked for twice; a month run before may be run again (it adds only what is missing)."""
    if not (by.is_superuser or by.has_role(*RUN_ROLES)):
        raise NotAllowed(_("Only the district civil-affairs bureau starts the monthly run."))
    latest = Month.current().next()
    if month > latest:
        raise ValidationFailed(
            _("%(month)s cannot be paid yet: the latest month that can be run is %(latest)s.")
            % {"month": month, "latest": latest}
        )
    busy = (
        SubsidyRun.objects.select_for_update()
        .filter(month=month.first_day, status__in=[SubsidyRun.Status.QUEUED, SubsidyRun.Status.RUNNING])
        .exists()
    )
    if busy:
        raise Conflict(_("The run of %(month)s is already under way.") % {"month": month})
    run = SubsidyRun.objects.create(
        month=month.first_day, status=SubsidyRun.Status.QUEUED, started_at=timezone.now(), started_by=by
    )
    enqueue_on_commit(run_requested, run.pk)
    return run
