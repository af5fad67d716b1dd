"""Pages of emergency outreach: the register, a screening, the responsible persons, the coverage;
emergency responses, the day's contact list, a contact, and the community's escalations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eldercare.errors import DomainError
from eldercare.exports import XLSX, document_response
from eldercare.forms import ImportForm, add_service_errors
from eldercare.hub import HubAction, HubSection
from eldercare.idnumber import age_on
from eldercare.importing import ImportRejected, read_table
from eldercare.models import Division, Elder, LifeStatus, User
from eldercare.paging import page_of
from eldercare.scoping import scope_for

from . import importing, rules, selectors, services
from .errors import ScreeningInvalid
from .forms import (
    CaregiverForm,
    ContactForm,
    EscalationCloseForm,
    RegisterFilterForm,
    ResponseForm,
    ResponsibleForm,
    ScreeningForm,
)


def _communities(user: User):
    if not selectors.sees_whole_area(user):
        return Division.objects.none()
    qs = Division.objects.filter(level=Division.Level.COMMUNITY)
    scope = scope_for(user)
    return qs if scope.all else qs.filter(pk__any_of=scope.community_ids)


@login_required
def register_list(request):
    """The register of the user's area (a volunteer: the households in their care), filtered."""
    communities = list(_communities(request.user))
    form = RegisterFilterForm(request.GET or None, communities=communities)
    filters = form.cleaned_data if form.is_valid() else {}
    elders = selectors.register_elders(
        user=request.user,
        community=int(filters["community"]) if filters.get("community") else None,
        risk=filters.get("risk", ""),
        flag=filters.get("flag", ""),
        status=filters.get("status", ""),
    )
    page = page_of(request, elders)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "outreach/register.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "area": selectors.sees_whole_area(request.user),
            "can_import": request.user.is_superuser or request.user.has_role(*services.OUTREACH_EDITORS),
        },
    )


@login_required
def screen(request, pk: int):
    elder = selectors.register_elder_get(user=request.user, pk=pk)
    if not services.may_screen(request.user, elder):
        raise PermissionDenied
    profile = selectors.profile_of(elder=elder)
    form = ScreeningForm(request.POST or None, profile=profile)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.profile_screen(elder=elder, data=form.to_data(), by=request.user)
        except ScreeningInvalid as exc:
            form.add_service_errors(exc.params.get("errors", {}))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Screening recorded: %(risk)s.") % {"risk": profile.get_risk_level_display()},
            )
            return redirect("outreach:responsible", elder.pk)
    return render(request, "outreach/screen.html", {"elder": elder, "profile": profile, "form": form})


def _find_login(username: str) -> User | None:
    return User.objects.filter(username__iexact=username.strip(), is_active=True).first()


@login_required
def responsible(request, pk: int):
    """A household's profile and responsible persons, and naming a new one."""
    elder = selectors.register_elder_get(user=request.user, pk=pk)
    can_assign = services.may_assign(request.user, elder)
    form = ResponsibleForm(request.POST or None) if can_assign else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            login = _find_login(d["login"]) if d["login"] else None
            if d["login"] and login is None:
                form.add_error("login", _("No login of this name."))
            else:
                try:
                    services.responsible_assign(
                        elder=elder,
                        duty=d["duty"],
                        kind=d["kind"],
                        starts_on=d["starts_on"],
                        by=request.user,
                        user=login,
                        name=d["name"],
                        phone=d["phone"],
                    )
                except DomainError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, _("Responsible person assigned."))
                    return redirect("outreach:responsible", elder.pk)
    return render(
        request,
        "outreach/responsible.html",
        {
            "elder": elder,
            "profile": selectors.profile_of(elder=elder),
            "persons": selectors.responsible_list(user=request.user, elder=elder),
            "form": form,
            "can_assign": can_assign,
            "can_screen": services.may_screen(request.user, elder),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def responsible_end(request, pk: int):
    person = selectors.responsible_get(user=request.user, pk=pk)
    try:
        services.responsible_end(person=person, ends_on=timezone.localdate(), by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Responsibility ended."))
    return redirect("outreach:responsible", person.elder_id)


@login_required
def caregivers(request, pk: int):
    """A household's temporary caregivers, and naming one while its family carers are away."""
    elder = selectors.register_elder_get(user=request.user, pk=pk)
    can_assign = services.may_assign(request.user, elder)
    form = CaregiverForm(request.POST or None) if can_assign else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.caregiver_name(elder=elder, by=request.user, **form.cleaned_data)
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Temporary caregiver named."))
                return redirect("outreach:caregivers", elder.pk)
    today = timezone.localdate()
    periods = selectors.caregiver_list(user=request.user, elder=elder)
    profile = selectors.profile_of(elder=elder)
    return render(
        request,
        "outreach/caregivers.html",
        {
            "elder": elder,
            "caregivers": periods,
            "form": form,
            "today": today,
            "gap": rules.carer_gap(
                bool(profile and profile.carers_absent), [(c.starts_on, c.ends_on) for c in periods], today
            ),
        },
    )


@login_required
@require_POST
def caregiver_end(request, pk: int):
    caregiver = selectors.caregiver_get(user=request.user, pk=pk)
    try:
        services.caregiver_end(caregiver=caregiver, ends_on=timezone.localdate(), by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The caregiver's period ends today."))
    return redirect("outreach:caregivers", caregiver.elder_id)


@login_required
def screening_import(request):
    """Screenings typed in a spreadsheet: all rows recorded, or none and the errors by row."""
    if not (request.user.is_superuser or request.user.has_role(*services.OUTREACH_EDITORS)):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = importing.screenings_import(frame=read_table(upload, upload.name), by=request.user)
        except ImportRejected as exc:
            errors = exc.errors
            messages.error(request, exc.message)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(n)d screenings were recorded.") % {"n": result.screened})
            return redirect("outreach:register")
    return render(
        request,
        "outreach/import.html",
        {"form": form, "errors": errors, "columns": "、".join(importing.COLUMNS)},
    )


@login_required
def screening_import_template(request):
    """The screening import's spreadsheet template, for those who may import."""
    if not (request.user.is_superuser or request.user.has_role(*services.OUTREACH_EDITORS)):
        raise PermissionDenied
    return document_response(
        importing.screenings_import_template(today=timezone.localdate()),
        content_type=XLSX,
        filename="screenings-template.xlsx",
    )


@login_required
def coverage(request):
    """Per community: screened and not, without a responsible person, by risk; streets summed."""
    if not selectors.sees_whole_area(request.user):
        raise PermissionDenied
    rows = selectors.coverage(user=request.user)
    streets: dict[int, dict] = {}
    for row in rows:
        group = streets.setdefault(row["street"].pk, {"street": row["street"], "rows": []})
        group["rows"].append(row)
    for group in streets.values():
        group["totals"] = selectors.coverage_totals(group["rows"])
    return render(
        request,
        "outreach/coverage.html",
        {"streets": list(streets.values()), "totals": selectors.coverage_totals(rows)},
    )


def hub_sections(user: User, elder: Elder) -> list[HubSection]:
    """The elder's screening and responsible persons on the elder's page (eldercare.hub)."""
    if not selectors.sees_whole_area(user):
        return []
    if (
        elder.life_status != LifeStatus.ACTIVE
        or age_on(elder.birth_date, timezone.localdate()) < rules.OUTREACH_MIN_AGE
    ):
        return []
    profile = selectors.profile_of(elder=elder)
    page = reverse("outreach:responsible", args=[elder.pk])
    rows = []
    if profile is not None:
        rows.append(
            {
                "label": profile.get_risk_level_display(),
                "url": page,
                "detail": _("screened %(on)s") % {"on": profile.screened_on.isoformat()},
                "flag": profile.risk_level == rules.HIGH,
            }
        )
        for person in selectors.responsible_list(user=user, current=True, elder=elder):
            rows.append({"label": person.display_name, "url": "", "detail": person.get_duty_display(), "flag": False})
    actions = []
    if services.may_screen(user, elder):
        label = _("Screen") if profile is None else _("Screen again")
        actions.append(HubAction(label, reverse("outreach:screen", args=[elder.pk])))
    if services.may_assign(user, elder):
        actions.append(HubAction(_("Responsible persons"), page))
    return [
        HubSection(
            _("Vulnerability screening"),
            order=60,
            rows=rows,
            actions=actions,
            empty=_("Not yet screened."),
        )
    ]


@login_required
def responses(request):
    """The emergency responses of the user's district; its reviewers declare one here."""
    district = selectors.declarable_districts(request.user).first()
    form = None
    if district is not None:
        streets = Division.objects.filter(parent=district, level=Division.Level.STREET)
        form = ResponseForm(request.POST or None, streets=streets)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.response_declare(
                    by=request.user,
                    district=district,
                    kind=d["kind"],
                    name=d["name"],
                    starts_on=d["starts_on"],
                    ends_on=d["ends_on"],
                    streets=d["streets"],
                    interval_high=d["interval_high"],
                    interval_medium=d["interval_medium"],
                    interval_low=d["interval_low"],
                    temperature_required=d["temperature_required"],
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Emergency response declared."))
                return redirect("outreach:responses")
    today = timezone.localdate()
    rows = [
        {
            "response": r,
            "active": r.is_active(today),
            "can_end": r.ended_at is None and services.may_declare(request.user, r.district),
        }
        for r in selectors.response_list(user=request.user)
    ]
    return render(request, "outreach/responses.html", {"rows": rows, "form": form})


@login_required
@require_POST
def response_end(request, pk: int):
    response = selectors.response_get(user=request.user, pk=pk)
    try:
        services.response_end(response=response, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Emergency response ended."))
    return redirect("outreach:responses")


@login_required
def today(request):
    """The households in the user's care due for a contact today, high risk first."""
    return render(request, "outreach/today.html", {"rows": selectors.today_list(user=request.user)})


@login_required
def contact(request, response: int, pk: int):
    """Record a contact with a household under a response (a phone page)."""
    emergency = selectors.response_get(user=request.user, pk=response)
    elder = selectors.contact_elder_get(user=request.user, response=emergency, pk=pk)
    if not services.may_contact(request.user, elder):
        raise PermissionDenied
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.contact_record(
                response=emergency,
                elder=elder,
                by=request.user,
                method=d["method"],
                result=d["result"],
                temperature=d["temperature"],
                needs=d["needs"],
                note=d["note"],
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Contact recorded: %(name)s.") % {"name": elder.name})
            open_escalation = selectors.open_escalation_of(response=emergency, elder=elder)
            if open_escalation is not None:
                messages.warning(
                    request,
                    _("%(name)s is escalated to the community (%(reason)s), to act on by %(deadline)s.")
                    % {
                        "name": elder.name,
                        "reason": open_escalation.get_reason_display(),
                        "deadline": f"{timezone.localtime(open_escalation.deadline):%m-%d %H:%M}",
                    },
                )
            return redirect("outreach:today")
    return render(
        request,
        "outreach/contact.html",
        {
            "response": emergency,
            "elder": elder,
            "profile": selectors.profile_of(elder=elder),
            "form": form,
            "recent": selectors.contact_list(user=request.user, response=emergency, elder=elder)[:5],
        },
    )


@login_required
def escalations(request):
    """Escalated households: open ones first by deadline (the work list's), or the closed ones."""
    closed = request.GET.get("status") == "closed"
    rows = selectors.escalation_list(user=request.user, open_only=not closed)
    if closed:
        rows = rows.order_by("-closed_at", "-id")
    page = page_of(request, rows)
    return render(request, "outreach/escalations.html", {"page": page, "closed": closed, "now": timezone.now()})


@login_required
def escalation_close(request, pk: int):
    escalation = selectors.escalation_get(user=request.user, pk=pk)
    if not services.may_close_escalation(request.user, escalation):
        raise PermissionDenied
    form = EscalationCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.escalation_close(escalation=escalation, by=request.user, note=form.cleaned_data["note"])
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Escalation closed."))
            return redirect("outreach:escalations")
    return render(request, "outreach/escalation_close.html", {"escalation": escalation, "form": form})
