"""Written decisions, the public-notice list and the batch announcement as PDF (WeasyPrint, Noto Sans
CJK SC)."""

import datetime
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from eldercare.models import DifficultyCategory
from eldercare.pdf import render_pdf
from eldercare.periods import Month
from subsidies.applications.models import Application, DecisionNotice, IntakeBatch, RequiredMaterial
from subsidies.applications.rules import MIN_RESIDENCE_MONTHS, NOTICE_MIN_WORKDAYS
from subsidies.applications.selectors import batch_notice_materials
from subsidies.standards.rules import HIGH_AGE, MIN_AGE
from subsidies.standards.selectors import entitlement_standard

logger = logging.getLogger(__name__)


def decision_notice_context(notice: DecisionNotice) -> dict:
    app: Application = notice.application
    context = {"notice": notice, "application": app, "elder": app.elder, "today": timezone.localdate()}
    entitlement = app.entitlement
    if notice.kind == DecisionNotice.Kind.APPROVAL and entitlement is not None:
        month = Month.of(entitlement.start_month)
        context.update(entitlement=entitlement, start_month=month)
        if app.standard_amount is not None:
            # The standard decided at approval: the notice states it as it was decided.
            context.update(standard_amount=app.standard_amount, standard_reason=app.standard_reason)
        else:
            # Approved before the standard was stored on the case: the first month's standard.
            standard = entitlement_standard(entitlement=entitlement, month=month)
            if standard.amount.amount > 0:
                context.update(standard_amount=standard.amount, standard_reason=standard.reason)
    return context


def decision_notice_generate(*, notice_id: int) -> DecisionNotice:
    """Render and store the PDF of one written decision; a second run keeps the first file."""
    notice = DecisionNotice.objects.select_related(
        "application__elder", "application__community__parent", "application__scheme", "application__assessment"
    ).get(pk=notice_id)
    if notice.file:
        return notice
    with translation.override("zh-hans"):  # official documents are written in Chinese
        pdf = render_pdf(f"subsidies/pdf/{notice.kind}_notice.html", decision_notice_context(notice))
    notice.file.save(f"{notice.kind}-{notice.application_id}.pdf", ContentFile(pdf), save=False)
    notice.generated_at = timezone.now()
    notice.save(update_fields=["file", "generated_at", "updated_at"])
    return notice


def decision_notices_sweep(*, limit: int = 100) -> int:
    """Produce the written decisions still without their file SWEEP_AFTER_MINUTES after the decision
    (their task was lost: the broker was down, the worker died). Safe to run at any time: a notice
    with its file is left alone. Returns how many were produced."""
    since = timezone.now() - datetime.timedelta(minutes=settings.SWEEP_AFTER_MINUTES)
    missing = DecisionNotice.objects.filter(file="", created_at__lte=since).order_by("id").values_list("pk", flat=True)
    produced = 0
    for notice_id in list(missing[:limit]):
        try:
            decision_notice_generate(notice_id=notice_id)
        except Exception:  # one broken notice must not stop the others; it is tried again next sweep
            logger.exception("Decision notice %s could not be produced", notice_id)
            continue
        produced += 1
    return produced


def notice_list_pdf(*, batch, community, applications) -> bytes:
    with translation.override("zh-hans"):
        return render_pdf(
            "subsidies/pdf/notice_list.html",
            {"batch": batch, "community": community, "applications": applications, "today": timezone.localdate()},
        )


def batch_notice_context(*, batch: IntakeBatch, slots) -> dict:
    """The announcement of an intake batch: dates, who may apply, where, materials, the schedule."""
    conditions = {
        RequiredMaterial.ALWAYS: _("Every applicant"),
        RequiredMaterial.NON_SELF_CARE: _("Non-self-care (介护)"),
        **{code: str(label) for code, label in DifficultyCategory.choices},
    }
    return {
        "batch": batch,
        "slots": list(slots),
        "min_age": MIN_AGE,
        "high_age": HIGH_AGE,
        "residence_months": MIN_RESIDENCE_MONTHS,
        "notice_workdays": NOTICE_MIN_WORKDAYS,
        "categories": [str(label) for _code, label in DifficultyCategory.choices],
        "materials": [(conditions.get(condition, condition), names) for condition, names in batch_notice_materials()],
        "today": timezone.localdate(),
    }


def batch_notice_pdf(*, batch: IntakeBatch, slots) -> bytes:
    with translation.override("zh-hans"):  # official documents are written in Chinese
        return render_pdf("subsidies/pdf/batch_notice.html", batch_notice_context(batch=batch, slots=slots))
