"""Living-ability assessments: the assessor's entry, scored on the district's instrument, mapped
to the subsidy care level through the instrument's level table (data, not code)."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.errors import NotAllowed, ValidationFailed
from eldercare.models import Elder, Role, User
from eldercare.scoping import scope_for
from subsidies.applications.models import Application, AssessmentInstrument, InstrumentLevel
from subsidies.applications.services.review import application_transition
from subsidies.standards.models import Assessment


def default_instrument() -> AssessmentInstrument:
    instrument = AssessmentInstrument.objects.filter(is_default=True).prefetch_related("levels").first()
    if instrument is None:
        raise ValidationFailed(_("No assessment instrument is configured; an administrator must add one."))
    return instrument


def level_for(*, instrument: AssessmentInstrument, total: Decimal) -> InstrumentLevel:
    for level in instrument.levels.all():
        if level.min_score <= total <= level.max_score:
            return level
    raise ValidationFailed(_("No level of the instrument covers a total of %(total)s.") % {"total": total})


def _scores(instrument: AssessmentInstrument, raw: dict) -> dict[str, Decimal]:
    scores: dict[str, Decimal] = {}
    for code, label, maximum in instrument.items:
        value = raw.get(code)
        if value in (None, ""):
            raise ValidationFailed(_("Enter the score for “%(item)s”.") % {"item": label})
        try:
            number = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValidationFailed(_("The score for “%(item)s” must be a number.") % {"item": label}) from exc
        if not Decimal(0) <= number <= Decimal(str(maximum)):
            raise ValidationFailed(
                _("The score for “%(item)s” must be between 0 and %(max)s.") % {"item": label, "max": maximum}
            )
        scores[code] = number
    return scores


def assessment_record(
    *,
    elder: Elder,
    assessed_on: datetime.date,
    scores: dict,
    by: User,
    application: Application | None = None,
    notes: str = "",
    instrument: AssessmentInstrument | None = None,
) -> Assessment:
    """Record an assessment; it sets the care level from its date on (earlier ones stay as history).

    With an application at the assessment stage, the case moves on to the district's decision.
    """
    scope = scope_for(by)
    if not (by.has_role(Role.ASSESSOR) and scope.covers_community(elder.community_id)):
        raise NotAllowed(_("Assessments are recorded by the district's commissioned assessors."))
    if assessed_on > timezone.localdate():
        raise ValidationFailed(_("The assessment date cannot be in the future."))
    instrument = instrument or default_instrument()
    values = _scores(instrument, scores)
    total = sum(values.values(), Decimal(0))
    level = level_for(instrument=instrument, total=total)
    with transaction.atomic():
        assessment = Assessment.objects.create(
            elder=elder,
            assessed_on=assessed_on,
            effective_from=assessed_on,
            assessor=by,
            instrument=instrument.code,
            scores={k: str(v) for k, v in values.items()},
            total_score=total,
            instrument_level=level.name,
            care_level=level.care_level,
            notes=notes,
        )
        if application is not None:
            application_transition(
                application=application,
                action="assess",
                by=by,
                opinion=_("%(level)s (total %(total)s)") % {"level": level.name, "total": total},
                assessment=assessment,
            )
    return assessment
