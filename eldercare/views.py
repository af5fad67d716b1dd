"""Pages of the shared core. Thin: validate input, call one service or selector, render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from . import audit, textsize, workdays
from .errors import DomainError, ValidationFailed
from .exports import XLSX, document_response, xlsx_bytes
from .forms import (
    MASKED_NUMBERS,
    AuditFilterForm,
    CalendarYearForm,
    ElderForm,
    ImportForm,
    OfficeContactsForm,
    RevealForm,
    add_service_errors,
)
from .hub import HubAction, HubSection, sections_for
from .idnumber import age_on
from .importing import ImportRejected, elders_export_frame, elders_import, elders_import_template, read_table
from .models import REVEAL_REASONS_OFFERED, CalendarYear, Division, Elder, LifeStatus, Role, User
from .nav import work_panels_for
from .paging import CappedPaginator, page_of
from .params import text_param
from .pickers import elder_choice_row
from .searching import refuse_number_in_url, search_by_post, search_text
from .selectors import (
    division_list,
    elder_get,
    elder_list,
    elder_search,
    notification_get,
    notification_list,
    saved_filter_list,
)
from .services import (
    REGISTRY_EDITORS,
    can_reveal,
    division_can_edit,
    division_contacts_update,
    elder_create,
    elder_reveal,
    elder_update,
    notification_mark_read,
    notifications_mark_all_read,
    saved_filter_delete,
    saved_filter_save,
)
from .tables import ElderFilter, ElderTable


def _communities(user):
    return division_list(user=user).filter(level=Division.Level.COMMUNITY)


@login_required
def home(request):
    panels = work_panels_for(request.user)
    notices = request.user.notifications.all()[:10]
    return render(request, "eldercare/home.html", {"panels": panels, "notices": notices})


NOTICES_PER_PAGE = 30


@login_required
def notice_list(request):
    """The user's notices, newest first, unread ones marked."""
    notices = notification_list(user=request.user)
    page = page_of(request, notices, per_page=NOTICES_PER_PAGE)
    unread = notices.filter(read_at__isnull=True).count()
    return render(request, "eldercare/notice_list.html", {"page": page, "unread": unread})


@login_required
def notice_open(request, pk: int):
    """Mark the notice read and go where it points (only a path of this site; otherwise the list)."""
    notice = notification_get(user=request.user, pk=pk)
    notification_mark_read(notice=notice)
    url = notice.url
    if url and url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return redirect(url)
    return redirect("notice_list")


@login_required
@require_POST
def notices_read_all(request):
    n = notifications_mark_all_read(user=request.user)
    messages.success(request, _("%(n)d notices marked read.") % {"n": n})
    return redirect("notice_list")


def text_size_set(request):
    """The A− / A / A+ buttons without JavaScript: keep the size chosen in its cookie and go back to
    the page (a path of this site only). Open to all: the login page has the buttons too."""
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not (back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts=None)):
        back = reverse("home")
    response = redirect(back)
    size = request.POST.get("size")
    if request.method == "POST" and size in textsize.TEXT_SIZES:
        response.set_cookie(
            textsize.COOKIE, size, max_age=textsize.COOKIE_AGE, samesite="Lax", secure=request.is_secure()
        )
    return response


@login_required
@search_by_post
def elder_list_view(request):
    """The registry's list; the search box posts its text (see `eldercare.searching`)."""
    q = search_text(request)
    qs = elder_list(user=request.user, search=q)
    flt = ElderFilter(request.GET, queryset=qs, communities=_communities(request.user))
    table = ElderTable(flt.qs)
    RequestConfig(request, paginate={"per_page": 25, "paginator_class": CappedPaginator}).configure(table)
    if request.GET.get("export") == "xlsx":
        return _xlsx(elders_export_frame(flt.qs), "elders.xlsx")
    can_edit = request.user.is_superuser or request.user.has_role(*REGISTRY_EDITORS)
    template = "eldercare/_elder_table.html" if request.htmx else "eldercare/elder_list.html"
    return render(request, template, {"table": table, "filter": flt, "q": q, "can_edit": can_edit})


def _xlsx(frame, filename):
    response = HttpResponse(
        xlsx_bytes({"Sheet1": frame}), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Who may report a death or a move away (the page of `life_event_verify` checks it again).
LIFE_EVENT_REPORTERS = (
    Role.COMMUNITY_WORKER,
    Role.STREET_REVIEWER,
    Role.DISTRICT_REVIEWER,
    Role.SYSADMIN,
    Role.PROVIDER_ADMIN,
    Role.CAREGIVER,
)


def _life_status_section(user: User, elder: Elder) -> HubSection:
    """The core's own section of the elder's page: life status and the report of a death or move."""
    status = elder.get_life_status_display()
    if elder.life_status_date:
        status = f"{status}（{elder.life_status_date:%Y-%m-%d}）"
    rows = [{"label": _("life status"), "url": "", "detail": status, "flag": elder.life_status != LifeStatus.ACTIVE}]
    if elder.disqualified_at:
        rows.append(
            {
                "label": _("Disqualified for life"),
                "url": "",
                "detail": f"{elder.disqualified_at:%Y-%m-%d} {elder.disqualified_reason}",
                "flag": True,
            }
        )
    actions = []
    if elder.life_status == LifeStatus.ACTIVE and (user.is_superuser or user.has_role(*LIFE_EVENT_REPORTERS)):
        actions.append(
            HubAction(label=_("Report a death or a move away"), url=reverse("life_event_verify", args=[elder.pk]))
        )
    return HubSection(title=_("Life status"), order=10, rows=rows, actions=actions)


@login_required
def elder_detail(request, pk):
    elder = elder_get(user=request.user, pk=pk)
    history = elder.history.select_related("history_user")[:20]
    sections = sorted(
        [_life_status_section(request.user, elder), *sections_for(request.user, elder)], key=lambda s: s.order
    )
    return render(
        request,
        "eldercare/elder_detail.html",
        {
            "elder": elder,
            "age": age_on(elder.birth_date, timezone.localdate()),
            "history": history,
            "sections": sections,
            "can_edit": request.user.is_superuser or request.user.has_role(*REGISTRY_EDITORS),
            "can_reveal": can_reveal(request.user),
            "reveal_reasons": REVEAL_REASONS_OFFERED,
        },
    )


@login_required
def elder_pick(request):
    """The picker's search: JSON matches within the user's scope, at most 20. The text is posted
    (`q`); a short one may come by GET `?q=`, never a personal number. `?active=0` also finds
    elders no longer served, for registry work."""
    try:
        text = (
            text_param(request.POST.get("q"))
            if request.method == "POST"
            else refuse_number_in_url(request.GET.get("q"))
        )
    except DomainError as exc:
        return JsonResponse({"detail": exc.message, "code": exc.code}, status=exc.http_status)
    found, more = elder_search(user=request.user, text=text, active_only=request.GET.get("active", "1") != "0")
    today = timezone.localdate()
    return JsonResponse({"results": [elder_choice_row(e, today) for e in found], "more": more})


@login_required
def elder_create_view(request):
    if not (request.user.is_superuser or request.user.has_role(*REGISTRY_EDITORS)):
        raise PermissionDenied
    form = ElderForm(request.POST or None, communities=_communities(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            elder = elder_create(data=form.to_data(), by=request.user)
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The elder was registered."))
            return redirect(elder)
    return render(request, "eldercare/elder_form.html", {"form": form, "title": _("Register an elder")})


@login_required
def elder_edit_view(request, pk):
    elder = elder_get(user=request.user, pk=pk)
    if not (request.user.is_superuser or request.user.has_role(*REGISTRY_EDITORS)):
        raise PermissionDenied
    form = ElderForm(request.POST or None, elder=elder, communities=_communities(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            elder = elder_update(elder=elder, data=form.to_data(), by=request.user)
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect(elder)
    return render(
        request, "eldercare/elder_form.html", {"form": form, "title": _("Edit %(name)s") % {"name": elder.name}}
    )


@login_required
@require_POST
def elder_reveal_view(request, pk, field):
    """The full number, after the user said why (the reveal is logged with the reason). htmx gets
    the number (or the form with its error) in place of the masked one; a plain post, a page."""
    elder = elder_get(user=request.user, pk=pk)
    if field not in MASKED_NUMBERS:
        return HttpResponse(_("This field cannot be revealed."), status=400)
    form = RevealForm(request.POST)
    value, error, status = "", "", 200
    try:
        if not form.is_valid():
            raise ValidationFailed(_("Choose why you need the full number."))
        value = elder_reveal(
            elder=elder,
            field=field,
            by=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        error, status = exc.message, exc.http_status
    context = {
        "elder": elder,
        "field": field,
        "label": Elder._meta.get_field(field).verbose_name,
        "masked": getattr(elder, MASKED_NUMBERS[field]),
        "value": value,
        "error": error,
        "reason": request.POST.get("reason", ""),
        "note": request.POST.get("note", ""),
        "can_reveal": can_reveal(request.user),
        "reveal_reasons": REVEAL_REASONS_OFFERED,
    }
    template = "eldercare/_reveal.html" if request.htmx else "eldercare/reveal.html"
    return render(request, template, context, status=status)


@login_required
def elder_import_view(request):
    if not (request.user.is_superuser or request.user.has_role(*REGISTRY_EDITORS)):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = elders_import(frame=read_table(upload, upload.name), by=request.user)
        except ImportRejected as exc:
            errors = exc.errors
            messages.error(request, exc.message)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(n)d elders were imported.") % {"n": result.created})
            return redirect("elder_list")
    return render(request, "eldercare/elder_import.html", {"form": form, "errors": errors})


@login_required
def elder_import_template(request):
    """The elder import's spreadsheet template, for those who may import."""
    if not (request.user.is_superuser or request.user.has_role(*REGISTRY_EDITORS)):
        raise PermissionDenied
    return document_response(
        elders_import_template(by=request.user), content_type=XLSX, filename="elders-template.xlsx"
    )


def _audit_query(request) -> tuple[AuditFilterForm, audit.AuditQuery]:
    if not audit.can_audit(request.user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET)
    form.is_valid()
    return form, audit.audit_records_for(request.user, form.audit_filter())


@login_required
def audit_log(request):
    """Changes to personal data and money, and reveals of personal numbers, newest first, within
    the viewer's scope, filtered by date, user, kind of record and action."""
    form, records = _audit_query(request)
    return render(
        request,
        "eldercare/audit_log.html",
        {"form": form, "page": page_of(request, records), "export_limit": audit.EXPORT_LIMIT},
    )


@login_required
def audit_log_xlsx(request):
    """The filtered trail as a spreadsheet, its first EXPORT_LIMIT rows."""
    _form, records = _audit_query(request)
    return _xlsx(audit.audit_export_frame(records[: audit.EXPORT_LIMIT]), "audit-trail.xlsx")


@login_required
def calendar_view(request):
    """The official calendars: the years known and, for a year the library lacks, the form."""
    if not (request.user.is_superuser or request.user.has_role(*workdays.CALENDAR_ROLES)):
        raise PermissionDenied
    next_year = timezone.localdate().year + 1
    form = CalendarYearForm(request.POST or None, initial={"year": next_year})
    if request.method == "POST" and form.is_valid():
        try:
            workdays.calendar_year_enter(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The official calendar of %(year)s is saved.") % form.cleaned_data)
            return redirect("calendar")
    entered = CalendarYear.objects.prefetch_related("days")
    return render(
        request,
        "eldercare/calendar.html",
        {
            "form": form,
            "library_years": sorted(workdays.library_years())[-3:],
            "entered": entered,
            "next_year": next_year,
            "next_known": workdays.year_is_known(next_year),
        },
    )


def _offices_seen(user: User):
    return division_list(user=user).order_by("code")


@login_required
def office_list_view(request):
    """The offices in the user's part of the tree with where the public reaches them, and the
    ones the user keeps. A community without an address prints a notice list without one."""
    offices = list(_offices_seen(request.user))
    if not offices:
        raise PermissionDenied
    for office in offices:
        office.editable = division_can_edit(request.user, office)
    missing = sum(1 for o in offices if o.level == Division.Level.COMMUNITY and not (o.address and o.phone))
    return render(request, "eldercare/office_list.html", {"offices": offices, "missing": missing})


@login_required
def office_edit_view(request, pk: int):
    office = _offices_seen(request.user).filter(pk=pk).first()
    if office is None:
        raise Http404
    if not division_can_edit(request.user, office):
        raise PermissionDenied
    form = OfficeContactsForm(request.POST or None, initial={"address": office.address, "phone": office.phone})
    if request.method == "POST" and form.is_valid():
        try:
            division_contacts_update(division=office, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The contacts of %(office)s are saved.") % {"office": office.name})
            return redirect("office_list")
    return render(request, "eldercare/office_form.html", {"form": form, "office": office})


@login_required
@require_POST
def saved_filter_create(request):
    """Save the list's current filters under a name, then show the list filtered by them."""
    view_name = request.POST.get("view_name", "")
    try:
        saved = saved_filter_save(
            user=request.user,
            view_name=view_name,
            name=request.POST.get("name", ""),
            query=request.POST.get("query", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        try:
            return redirect(reverse(view_name))
        except NoReverseMatch:
            return redirect("home")
    messages.success(request, _("The filters are saved as “%(name)s”.") % {"name": saved.name})
    url = reverse(saved.view_name)
    return redirect(f"{url}?{saved.query}" if saved.query else url)


@login_required
@require_POST
def saved_filter_delete_view(request, pk: int):
    saved = saved_filter_list(user=request.user).filter(pk=pk).first()
    if saved is None:
        raise Http404
    saved_filter_delete(saved=saved, by=request.user)
    messages.success(request, _("The saved filter “%(name)s” is deleted.") % {"name": saved.name})
    return redirect(saved.view_name)


def locked_out(request, credentials=None, *args, **kwargs):
    """What a login locked out after too many wrong passwords answers (django-axes), in the user's
    language: JSON to the API, the login page with the reason to a browser. Status 429."""
    message = _(
        "Too many wrong passwords for this account from this address: signing in is locked for %(hours)s hour. "
        "Try again later or ask your system administrator to unlock it."
    ) % {"hours": settings.AXES_COOLOFF_TIME}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "locked_out"}, status=429)
    return render(request, "registration/login.html", {"locked_out": message}, status=429)
