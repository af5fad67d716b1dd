"""Pages of the intake and review. Thin: a selector to find within scope, one service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eldercare.errors import DomainError
from eldercare.exports import XLSX, document_response
from eldercare.models import Division, Role
from eldercare.paging import page_of
from eldercare.params import int_param, text_param
from eldercare.periods import Month
from eldercare.scoping import scope_for
from eldercare.searching import search_by_post, search_text
from eldercare.selectors import division_list, elder_list
from eldercare.workdays import CalendarCache, UnknownCalendarYear
from subsidies.applications.documents import (
    approval_form_pdf,
    batch_notice_context,
    batch_notice_pdf,
    document_verification,
    notice_list_pdf,
)
from subsidies.applications.forms import (
    ActionForm,
    ApplicationFileForm,
    AssessmentForm,
    AssessmentSlotForm,
    BatchForm,
    BatchNoticeForm,
    MaterialForm,
    ObjectionForm,
    ObjectionResolveForm,
)
from subsidies.applications.models import ApplicationStatus, DecisionNotice, IntakeBatch, Objection
from subsidies.applications.roster import Roster, roster_build, roster_division, roster_pdf, roster_xlsx
from subsidies.applications.selectors import (
    application_get,
    application_list,
    application_worklist,
    assessment_slot_get,
    assessment_slot_list,
    batch_get,
    batch_list,
    district_assessors,
    material_get,
    notice_list_applications,
    objection_get,
)
from subsidies.applications.services import batches, materials, objections
from subsidies.applications.services import review as svc
from subsidies.applications.services.approval import approval_standard_preview
from subsidies.applications.services.assessments import assessment_record, default_instrument
from subsidies.standards.models import Scheme


def _days_left(app, calendar: CalendarCache | None = None):
    try:
        return svc.days_left(app, calendar=calendar)
    except UnknownCalendarYear:
        return None


@login_required
@search_by_post
def application_list_view(request):
    """The applications; the search box posts its text (see `eldercare.searching`)."""
    filters = {k: text_param(request.GET.get(k)) for k in ("status", "batch", "community", "overdue")}
    filters["q"] = search_text(request)
    for key in ("batch", "community"):  # ids: anything else turns its filter off
        if int_param(filters[key]) is None:
            filters[key] = ""
    qs = application_list(user=request.user, filters=filters)
    if request.GET.get("mine"):
        qs = application_worklist(user=request.user)
    page = page_of(request, qs.order_by("deadline", "id"))
    calendar: CalendarCache = {}
    rows = [(app, _days_left(app, calendar)) for app in page]
    return render(
        request,
        "subsidies/application_list.html",
        {
            "rows": rows,
            "page": page,
            "total": page.paginator.count,
            "filters": filters,
            "statuses": ApplicationStatus.choices,
            "batches": batch_list(user=request.user),
            "communities": division_list(user=request.user).filter(level=Division.Level.COMMUNITY),
            "can_file": request.user.has_role(Role.COMMUNITY_WORKER),
        },
    )


@login_required
def application_file_view(request):
    if not request.user.has_role(Role.COMMUNITY_WORKER):
        raise PermissionDenied
    elders = elder_list(user=request.user)
    form = ApplicationFileForm(request.POST or None, elders=elders, initial={"elder": request.GET.get("elder")})
    # Only the schemes of the worker's district are offered.
    scope = scope_for(request.user)
    if not scope.all:
        form.fields["scheme"].queryset = Scheme.objects.filter(
            Q(jurisdiction__in=scope.district_ids)
            | Q(jurisdiction__children__in=scope.street_ids)
            | Q(jurisdiction__children__children__in=scope.community_ids)
        ).distinct()
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            app = svc.application_file(
                elder=d["elder"],
                scheme=d["scheme"],
                categories=d["categories"],
                care_situation=d["care_situation"],
                high_age=d["high_age"],
                applicant_note=d["applicant_note"],
                by=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The application was filed. Upload the required materials."))
            return redirect(app)
    return render(request, "subsidies/application_file.html", {"form": form})


@login_required
def application_detail_view(request, pk):
    app = application_get(user=request.user, pk=pk)
    # Each action with what was typed into it before a refusal (shown again, not lost).
    actions = [
        (name, svc.MOVES[name], _kept_form(request, app, f"act:{name}"))
        for name in svc.allowed_actions(application=app, user=request.user)
    ]
    notice_kept = next((kept for name, _move, kept in actions if name == "notice_start"), {})
    is_community = request.user.has_role(Role.COMMUNITY_WORKER)
    try:
        eligibility = svc.application_eligibility(application=app) if app.is_open else []
    except DomainError as exc:
        eligibility = [exc.message]
    labels = dict(svc.MaterialType.choices)
    context = {
        "app": app,
        "days_left": _days_left(app),
        "events": app.events.select_related("by"),
        "materials": app.materials.all(),
        "missing": [labels[m] for m in svc.missing_materials(application=app)] if app.is_open else [],
        "eligibility": eligibility,
        "objections": app.objections.all(),
        "assessments": app.elder.assessments.all(),
        "actions": actions,
        "action_form": ActionForm(initial={k: notice_kept.get(k) for k in ("starts_on", "ends_on")}),
        "material_form": MaterialForm() if is_community and app.is_open else None,
        "objection_form": ObjectionForm(initial=_kept_form(request, app, "objection"))
        if is_community and app.status == ApplicationStatus.PUBLIC_NOTICE
        else None,
        "resolve_form": ObjectionResolveForm() if is_community else None,
        "can_assess": request.user.has_role(Role.ASSESSOR) and app.status == ApplicationStatus.ASSESSMENT,
        "decision": DecisionNotice.objects.filter(application=app).first(),
        # Before the district decides, the reviewer sees the standard an approval would give.
        "standard_checks": approval_standard_preview(application=app) if app.is_open else [],
    }
    return render(request, "subsidies/application_detail.html", context)


# What a person typed into a form of the application page that was refused, kept in the session
# until the page shows it again (the page is reached by a redirect, so the form is not bound).
KEPT_FORMS = "kept-forms"
KEPT_AT_MOST = 5


def _keep_form(request, app, name: str) -> None:
    kept = dict(request.session.get(KEPT_FORMS, {}))
    kept[f"{app.pk}:{name}"] = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    request.session[KEPT_FORMS] = dict(list(kept.items())[-KEPT_AT_MOST:])


def _kept_form(request, app, name: str) -> dict:
    kept = dict(request.session.get(KEPT_FORMS, {}))
    data = kept.pop(f"{app.pk}:{name}", None)
    if data is not None:
        request.session[KEPT_FORMS] = kept
    return data or {}


def _redirect_with(request, app, exc: DomainError | None, ok: str):
    if exc is not None:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)
    return redirect(app)


@login_required
@require_POST
def application_act_view(request, pk, action):
    app = application_get(user=request.user, pk=pk)
    form = ActionForm(request.POST)
    form.is_valid()
    d = form.cleaned_data
    params = {}
    if action == "notice_start":
        params = {k: d.get(k) for k in ("starts_on", "ends_on")}
        params["investigation_notes"] = d.get("investigation_notes") or ""
    try:
        svc.application_transition(
            application=app, action=action, by=request.user, opinion=d.get("opinion") or "", **params
        )
    except DomainError as exc:
        _keep_form(request, app, f"act:{action}")
        return _redirect_with(request, app, exc, "")
    return _redirect_with(request, app, None, _("Done."))


@login_required
@require_POST
def material_upload_view(request, pk):
    app = application_get(user=request.user, pk=pk)
    form = MaterialForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the kind of material and a file."))
        return redirect(app)
    try:
        materials.material_upload(
            application=app,
            material_type=form.cleaned_data["material_type"],
            upload=form.cleaned_data["file"],
            by=request.user,
        )
    except DomainError as exc:
        return _redirect_with(request, app, exc, "")
    return _redirect_with(request, app, None, _("The material was uploaded."))


@login_required
def material_download_view(request, pk):
    material = material_get(user=request.user, pk=pk)
    response = FileResponse(material.file.open("rb"), content_type=material.content_type)
    response["Content-Disposition"] = f'inline; filename="material-{material.pk}.{material.extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def decision_download_view(request, pk):
    app = application_get(user=request.user, pk=pk)
    notice = DecisionNotice.objects.filter(application=app).first()
    if notice is None or not notice.file:
        raise Http404
    response = FileResponse(notice.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{notice.kind}-{app.pk}.pdf"'
    return response


@login_required
def approval_form_view(request, pk):
    """The case's approval form (居家养老服务补助审批表), filled from the case, to print and file."""
    app = application_get(user=request.user, pk=pk)
    response = HttpResponse(approval_form_pdf(application=app, by=request.user), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="approval-form-{app.pk}.pdf"'
    response["Cache-Control"] = "no-store"  # it may carry the full ID number
    return response


def document_verify_view(request, token):
    """Public: anyone scanning a document's code sees whether the document is genuine (no login)."""
    verification = document_verification(token)
    return render(
        request,
        "subsidies/document_verify.html",
        {"verification": verification},
        status=200 if verification is not None else 404,
    )


@login_required
@require_POST
def objection_record_view(request, pk):
    app = application_get(user=request.user, pk=pk)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        _keep_form(request, app, "objection")
        messages.error(request, _("Fill in the date and the content of the objection."))
        return redirect(app)
    try:
        objections.objection_record(application=app, by=request.user, **form.cleaned_data)
    except DomainError as exc:
        _keep_form(request, app, "objection")
        return _redirect_with(request, app, exc, "")
    return _redirect_with(request, app, None, _("The objection was recorded."))


@login_required
@require_POST
def objection_resolve_view(request, pk):
    objection: Objection = objection_get(user=request.user, pk=pk)
    form = ObjectionResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write how the objection was resolved."))
        return redirect(objection.application)
    try:
        objections.objection_resolve(objection=objection, by=request.user, **form.cleaned_data)
    except DomainError as exc:
        return _redirect_with(request, objection.application, exc, "")
    return _redirect_with(request, objection.application, None, _("The objection was resolved."))


@login_required
def assessment_view(request, pk):
    app = application_get(user=request.user, pk=pk)
    if not request.user.has_role(Role.ASSESSOR):
        raise PermissionDenied
    instrument = default_instrument()
    form = AssessmentForm(request.POST or None, instrument=instrument, initial={"assessed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            assessment_record(
                elder=app.elder,
                assessed_on=form.cleaned_data["assessed_on"],
                scores=form.scores(),
                notes=form.cleaned_data["notes"],
                by=request.user,
                application=app if app.status == ApplicationStatus.ASSESSMENT else None,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The assessment was recorded."))
            return redirect(app)
    return render(
        request,
        "subsidies/assessment_form.html",
        {"app": app, "form": form, "instrument": instrument, "levels": instrument.levels.all()},
    )


@login_required
def batch_list_view(request):
    is_district = request.user.has_role(Role.DISTRICT_REVIEWER)
    form = BatchForm(request.POST or None)
    if request.method == "POST" and is_district and form.is_valid():
        district = Division.objects.filter(level=Division.Level.DISTRICT, pk__in=_districts(request.user)).first()
        try:
            batches.intake_batch_open(district=district, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The intake batch was opened."))
            return redirect("subsidies:batch_list")
    return render(
        request,
        "subsidies/batch_list.html",
        {"batches": batch_list(user=request.user), "form": form if is_district else None},
    )


def _districts(user):
    scope = scope_for(user)
    return list(scope.district_ids) or list(
        Division.objects.filter(level=Division.Level.DISTRICT).values_list("pk", flat=True)
    )


@login_required
def batch_detail_view(request, pk):
    batch = batch_get(user=request.user, pk=pk)
    communities = division_list(user=request.user).filter(level=Division.Level.COMMUNITY)
    notice_form = BatchNoticeForm(request.POST or None, communities=communities)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "close":
                batches.intake_batch_close(batch=batch, by=request.user)
                messages.success(request, _("The intake batch was closed."))
            elif action == "approve":
                result = batches.batch_approve(
                    batch=batch, by=request.user, opinion=request.POST.get("opinion") or _("Approved")
                )
                _report(request, result)
            elif action == "notice" and notice_form.is_valid():
                result = batches.batch_notice_start(batch=batch, by=request.user, **notice_form.cleaned_data)
                _report(request, result)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("subsidies:batch_detail", pk=batch.pk)
    counts = {}
    for status in application_list(user=request.user).filter(batch=batch).values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return render(
        request,
        "subsidies/batch_detail.html",
        {
            "batch": batch,
            "counts": [(label, counts.get(value, 0)) for value, label in ApplicationStatus.choices],
            "communities": communities,
            "notice_form": notice_form,
            "is_district": request.user.has_role(Role.DISTRICT_REVIEWER),
            "is_community": request.user.has_role(Role.COMMUNITY_WORKER),
            "slot_count": assessment_slot_list(user=request.user, batch=batch).count(),
        },
    )


def _report(request, result):
    if result.moved:
        messages.success(request, _("%(n)d cases moved on.") % {"n": len(result.moved)})
    for app, message in result.refused:
        messages.error(request, f"{app.elder.name}: {message}")


@login_required
def notice_list_pdf_view(request, pk, community_id):
    batch: IntakeBatch = batch_get(user=request.user, pk=pk)
    community = division_list(user=request.user).filter(level=Division.Level.COMMUNITY, pk=community_id).first()
    if community is None:
        raise Http404
    apps = notice_list_applications(user=request.user, batch=batch, community=community)
    pdf = notice_list_pdf(batch=batch, community=community, applications=list(apps))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-list-{batch.pk}-{community.code}.pdf"'
    return response


@login_required
def batch_schedule_view(request, pk):
    """The batch's assessment schedule: a day per community, set by the district or its assessors."""
    batch: IntakeBatch = batch_get(user=request.user, pk=pk)
    can_edit = request.user.has_role(Role.DISTRICT_REVIEWER, Role.ASSESSOR)
    communities = division_list(user=request.user).filter(level=Division.Level.COMMUNITY, parent__parent=batch.district)
    form = AssessmentSlotForm(
        request.POST or None, communities=communities, assessors=district_assessors(district=batch.district)
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if request.POST.get("delete"):
            slot = assessment_slot_get(user=request.user, pk=int(request.POST["delete"]))
            if slot.batch_id != batch.pk:
                raise Http404
            try:
                batches.assessment_slot_delete(slot=slot, by=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The assessment day was removed."))
            return redirect("subsidies:batch_schedule", pk=batch.pk)
        if form.is_valid():
            try:
                batches.assessment_slot_create(batch=batch, by=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The assessment day was scheduled."))
                return redirect("subsidies:batch_schedule", pk=batch.pk)
    waiting: dict[int, int] = {}
    awaiting = application_list(user=request.user).filter(batch=batch, status=ApplicationStatus.ASSESSMENT)
    for community_id in awaiting.values_list("community_id", flat=True):
        waiting[community_id] = waiting.get(community_id, 0) + 1
    slots = list(assessment_slot_list(user=request.user, batch=batch))
    scheduled = {slot.community_id for slot in slots}
    return render(
        request,
        "subsidies/batch_schedule.html",
        {
            "batch": batch,
            "rows": [(slot, waiting.get(slot.community_id, 0)) for slot in slots],
            "unscheduled": [(c, waiting[c.pk]) for c in communities if c.pk in waiting and c.pk not in scheduled],
            "form": form if can_edit else None,
        },
    )


@login_required
def batch_notice_view(request, pk):
    """The batch's announcement (集中申报公告) as a page; the same text as PDF below."""
    batch: IntakeBatch = batch_get(user=request.user, pk=pk)
    slots = assessment_slot_list(user=request.user, batch=batch)
    return render(request, "subsidies/batch_notice.html", batch_notice_context(batch=batch, slots=slots))


@login_required
def batch_notice_pdf_view(request, pk):
    batch: IntakeBatch = batch_get(user=request.user, pk=pk)
    pdf = batch_notice_pdf(batch=batch, slots=assessment_slot_list(user=request.user, batch=batch))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="batch-notice-{batch.pk}.pdf"'
    return response


# --- the monthly payment roster of a community or a street -------------------------------------


def _roster(request, month: str, division_id: int) -> Roster:
    try:
        target = Month.parse(month)
    except DomainError as exc:
        raise Http404 from exc
    return roster_build(division=roster_division(user=request.user, division_id=division_id), month=target)


@login_required
def roster_pdf_view(request, month, division_id):
    return document_response(
        roster_pdf(_roster(request, month, division_id)),
        content_type="application/pdf",
        filename=f"roster-{month}-{division_id}.pdf",
        inline=True,
    )


@login_required
def roster_xlsx_view(request, month, division_id):
    return document_response(
        roster_xlsx(_roster(request, month, division_id)),
        content_type=XLSX,
        filename=f"roster-{month}-{division_id}.xlsx",
    )
