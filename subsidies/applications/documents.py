"""Written decisions, the approval form, the public-notice list and the batch announcement as PDF
(WeasyPrint, Noto Sans CJK SC). Each carries a QR code of its public verification page."""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from eldercare.masking import mask_name
from eldercare.models import DifficultyCategory, Division, RevealReason, User
from eldercare.pdf import qr_data_uri, render_pdf
from eldercare.periods import Month
from eldercare.services import can_reveal, elder_reveal
from subsidies.applications.models import Application, ApplicationEvent, DecisionNotice, IntakeBatch, RequiredMaterial
from subsidies.applications.models import ApplicationStatus as S
from subsidies.applications.rules import (
    COMMUNITY_STAGES,
    MIN_RESIDENCE_MONTHS,
    NOTICE_MIN_WORKDAYS,
    remedy_text,
    standard_explained,
)
from subsidies.applications.selectors import batch_notice_materials
from subsidies.applications.services.numbering import document_rule_for
from subsidies.applications.tokens import BadDocumentToken, DocumentKind, DocumentRef, document_ref, verify_url
from subsidies.standards.rules import HIGH_AGE, MIN_AGE, PersonFacts
from subsidies.standards.selectors import entitlement_standard, policy_spec_for

logger = logging.getLogger(__name__)


def document_qr(ref: DocumentRef) -> dict:
    """The verification address of a document and its QR code, for the template's `_verify.html`."""
    url = verify_url(ref)
    return {"verify_url": url, "verify_qr": qr_data_uri(url, scale=3)}


_qr = document_qr


def _plain_standard(app: Application, month: Month) -> str | None:
    """The granted standard in plain words, from the policy in force in the first month."""
    if app.standard_amount is None:
        return None
    spec = policy_spec_for(scheme_id=app.scheme_id, district_id=app.community.district.pk, month=month)
    if spec is None:
        return None
    facts = PersonFacts.of(
        birth_date=app.elder.birth_date,
        month=month,
        categories=app.categories,
        care_level=app.assessment.care_level if app.assessment else None,
    )
    return standard_explained(facts=facts, month=month, spec=spec, amount=app.standard_amount.amount)


def decision_notice_context(notice: DecisionNotice) -> dict:
    app: Application = notice.application
    district = app.community.district
    rule = document_rule_for(district=district)
    context = {
        "notice": notice,
        "application": app,
        "elder": app.elder,
        "today": timezone.localdate(),
        "decided_on": timezone.localdate(app.decided_at) if app.decided_at else None,
        # Numbered decisions keep the body that signed them; older ones take today's rule.
        "issuing_body": notice.issuing_body or rule.issuing_body,
        **_qr(DocumentRef(DocumentKind.DECISION, (notice.pk,))),
    }
    if notice.kind == DecisionNotice.Kind.REJECTION:
        context["remedy"] = remedy_text(notice.review_body or rule.review_body)
    entitlement = app.entitlement
    if notice.kind == DecisionNotice.Kind.APPROVAL and entitlement is not None:
        month = Month.of(entitlement.start_month)
        context.update(entitlement=entitlement, start_month=month)
        if app.standard_amount is not None:
            # The standard decided at approval: the notice states it as it was decided.
            context.update(standard_amount=app.standard_amount, standard_reason=app.standard_reason)
            context["standard_sentence"] = _plain_standard(app, month)
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


def notice_list_context(*, batch, community, applications) -> dict:
    today = timezone.localdate()
    starts = [a.notice_starts_on for a in applications if a.notice_starts_on]
    ends = [a.notice_ends_on for a in applications if a.notice_ends_on]
    return {
        "batch": batch,
        "community": community,
        "applications": applications,
        "today": today,
        "notice_from": min(starts, default=None),
        "notice_to": max(ends, default=None),
        "hotline": settings.SUPERVISION_HOTLINE,
        **_qr(DocumentRef(DocumentKind.NOTICE_LIST, (batch.pk, community.pk), today)),
    }


def notice_list_pdf(*, batch, community, applications) -> bytes:
    with translation.override("zh-hans"):
        return render_pdf(
            "subsidies/pdf/notice_list.html",
            notice_list_context(batch=batch, community=community, applications=applications),
        )


@dataclass(frozen=True)
class Opinion:
    """One level's opinion on the approval form: who wrote it, when, and what."""

    level: str
    event: ApplicationEvent | None


# The opinion of each level is its last decision on the case (a return is not an opinion).
OPINION_ACTIONS = {
    "community": (COMMUNITY_STAGES, ("forward", "reject")),
    "street": ((S.STREET_REVIEW,), ("street_approve", "reject")),
    "district": ((S.DISTRICT_DECISION,), ("approve", "reject")),
}


def review_opinions(events) -> list[Opinion]:
    """The community's, the street office's and the district's opinions, from the case's events."""
    events = list(events)
    opinions = []
    for level, (stages, actions) in OPINION_ACTIONS.items():
        mine = [e for e in events if e.from_status in stages and e.action in actions]
        opinions.append(Opinion(level, mine[-1] if mine else None))
    return opinions


def approval_form_context(*, application: Application, id_number: str) -> dict:
    """《居家养老服务补助审批表》 of a case, filled from the case: the applicant, the claims, the
    assessment and the three levels' opinions. `id_number` is printed as given (full or masked)."""
    today = timezone.localdate()
    district = application.community.district
    events = application.events.select_related("by").order_by("at", "id")
    opinions = {o.level: o.event for o in review_opinions(events)}
    notice = DecisionNotice.objects.filter(application=application).first()
    return {
        "application": application,
        "elder": application.elder,
        "id_number": id_number,
        "street": application.community.parent,
        "district": district,
        "assessment": application.assessment,
        "opinions": [
            (_("Community (village) first review opinion"), opinions["community"]),
            (_("Street office (town) review opinion"), opinions["street"]),
            (_("District civil affairs bureau approval opinion"), opinions["district"]),
        ],
        "notice": notice,
        "issuing_body": (notice.issuing_body if notice else "") or document_rule_for(district=district).issuing_body,
        "today": today,
        **_qr(DocumentRef(DocumentKind.APPROVAL_FORM, (application.pk,), today)),
    }


def approval_form_pdf(*, application: Application, by: User) -> bytes:
    """The approval form as printed by `by`: a form kept in the file carries the full ID number, so
    roles that may see it get it (and the reveal is logged); any other role prints it masked."""
    if can_reveal(by):
        id_number = elder_reveal(
            elder=application.elder,
            field="id_number",
            by=by,
            reason=RevealReason.OTHER,
            note="打印居家养老服务补助审批表",
            shown_for=application,
        )
    else:
        id_number = application.elder.id_masked
    with translation.override("zh-hans"):  # official documents are written in Chinese
        return render_pdf(
            "subsidies/pdf/approval_form.html", approval_form_context(application=application, id_number=id_number)
        )


@dataclass(frozen=True)
class Verification:
    """What the public verification page says of a genuine document: nothing more personal than
    the elder's masked name."""

    kind: str
    number: str
    date: datetime.date | None
    issuing_body: str
    elder: str = ""
    # The monthly documents (payment roster, provider statement): the month, the count of rows
    # (people or visits) and the total, so that the paper's figures can be compared.
    month: str = ""
    count: int | None = None
    total: Decimal | None = None


# Documents of the apps above this one (a provider's statement) are checked by the app that
# prints them: it registers a function of the token's DocumentRef in its AppConfig.ready().
Verifier = Callable[[DocumentRef], Verification | None]
_VERIFIERS: dict[str, Verifier] = {}


def verifier_register(kind: str, verifier: Verifier) -> None:
    _VERIFIERS[kind] = verifier


def document_verification(token: str) -> Verification | None:
    """The document a scanned code names, or None when the code is not genuine (forged, damaged,
    or naming a document that does not exist)."""
    try:
        ref = document_ref(token)
    except BadDocumentToken:
        return None
    if ref.kind in _VERIFIERS:
        return _VERIFIERS[ref.kind](ref)
    if ref.kind == DocumentKind.DECISION and len(ref.ids) == 1:
        notice = (
            DecisionNotice.objects.select_related("application__elder", "application__community__parent__parent")
            .filter(pk=ref.ids[0])
            .first()
        )
        if notice is None:
            return None
        app = notice.application
        return Verification(
            kind=notice.get_kind_display(),
            number=notice.number or str(app.pk),
            date=timezone.localdate(app.decided_at) if app.decided_at else None,
            issuing_body=notice.issuing_body or document_rule_for(district=app.community.district).issuing_body,
            elder=mask_name(app.elder.name),
        )
    if ref.kind == DocumentKind.APPROVAL_FORM and len(ref.ids) == 1:
        app = Application.objects.select_related("elder", "community__parent__parent").filter(pk=ref.ids[0]).first()
        if app is None:
            return None
        return Verification(
            kind=_("Home-care service subsidy application and approval form"),
            number=str(app.pk),
            date=ref.day,
            issuing_body=document_rule_for(district=app.community.district).issuing_body,
            elder=mask_name(app.elder.name),
        )
    if ref.kind == DocumentKind.NOTICE_LIST and len(ref.ids) == 2:
        batch = IntakeBatch.objects.filter(pk=ref.ids[0]).first()
        community = Division.objects.select_related("parent").filter(pk=ref.ids[1]).first()
        if batch is None or community is None:
            return None
        return Verification(
            kind=_("Public notice list of home-care subsidy applicants"),
            number=batch.name,
            date=ref.day,
            issuing_body=f"{community.parent.name if community.parent else ''} {community.name}".strip(),
        )
    if ref.kind == DocumentKind.BATCH_NOTICE and len(ref.ids) == 1:
        batch = IntakeBatch.objects.select_related("district").filter(pk=ref.ids[0]).first()
        if batch is None:
            return None
        return Verification(
            kind=_("Announcement of the intake batch"),
            number=batch.name,
            date=batch.opens_on,
            issuing_body=document_rule_for(district=batch.district).issuing_body,
        )
    return None


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
        "issuing_body": document_rule_for(district=batch.district).issuing_body,
        **_qr(DocumentRef(DocumentKind.BATCH_NOTICE, (batch.pk,))),
    }


def batch_notice_pdf(*, batch: IntakeBatch, slots) -> bytes:
    with translation.override("zh-hans"):  # official documents are written in Chinese
        return render_pdf("subsidies/pdf/batch_notice.html", batch_notice_context(batch=batch, slots=slots))
