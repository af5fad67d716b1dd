"""Written decisions and the public-notice list as PDF (WeasyPrint, Noto Sans CJK SC)."""

from django.core.files.base import ContentFile
from django.utils import timezone, translation

from eldercare.pdf import render_pdf
from eldercare.periods import Month
from subsidies.applications.models import Application, DecisionNotice
from subsidies.standards.selectors import entitlement_standard


def decision_notice_context(notice: DecisionNotice) -> dict:
    app: Application = notice.application
    context = {"notice": notice, "application": app, "elder": app.elder, "today": timezone.localdate()}
    entitlement = app.entitlement
    if notice.kind == DecisionNotice.Kind.APPROVAL and entitlement is not None:
        month = Month.of(entitlement.start_month)
        context.update(
            entitlement=entitlement,
            start_month=month,
            standard=entitlement_standard(entitlement=entitlement, month=month),
        )
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


def notice_list_pdf(*, batch, community, applications) -> bytes:
    with translation.override("zh-hans"):
        return render_pdf(
            "subsidies/pdf/notice_list.html",
            {"batch": batch, "community": community, "applications": applications, "today": timezone.localdate()},
        )
