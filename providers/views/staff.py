"""The providers' staff (provider admin): caregivers with their photo, training, certificates and
login, the badge and its public check."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eldercare.errors import DomainError, ValidationFailed
from eldercare.forms import RevealForm
from eldercare.hub import HubSection
from eldercare.models import REVEAL_REASONS_OFFERED, Role
from eldercare.nav import NavItem, WorkPanel
from eldercare.paging import page_of
from eldercare.searching import search_by_post, search_text

from .. import pdf
from ..forms.library import CaregiverForm, CertificateForm, LoginForm, PasswordForm, TrainingForm
from ..models import Caregiver
from ..selectors import (
    caregiver_get,
    caregiver_list,
    caregiver_search_q,
    certificates_expiring,
    orders_to_reassign,
    provider_get,
)
from ..services import library as services
from ..tokens import InvalidBadge, badge_token_caregiver_id
from .common import administered_providers, administers, pdf_response, run_service, with_phone


@login_required
@search_by_post
def caregiver_list_view(request):
    """The caregivers the user may see, a page at a time; the search box posts a name's or a staff
    number's beginning, or part of the provider's name. `?cert=expiring` narrows them to those with
    a certificate expired or ending within 30 days (the work list's panel)."""
    user, today = request.user, timezone.localdate()
    caregivers = caregiver_list(user=user)
    cert = request.GET.get("cert", "")
    if cert == "expiring":
        caregivers = caregivers.filter(pk__in=certificates_expiring(user=user, today=today).values("caregiver_id"))
    else:
        cert = ""
    q = search_text(request)
    if q:
        caregivers = caregivers.filter(caregiver_search_q(q))
    page = page_of(request, caregivers.order_by("provider_id", "staff_number"))
    page.object_list = with_phone(page.object_list, user)
    return render(
        request,
        "providers/caregiver_list.html",
        {"page": page, "cert": cert, "q": q, "own_providers": administered_providers(user), "today": today},
    )


@login_required
def caregiver_create_view(request, pk):
    provider = provider_get(user=request.user, pk=pk)
    if not administers(request.user, provider.pk):
        raise PermissionDenied
    form = CaregiverForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        caregiver = run_service(
            request,
            services.caregiver_create,
            _("The caregiver was added. Record the training before assigning visits."),
            provider=provider,
            by=request.user,
            **form.cleaned_data,
        )
        if caregiver is not None:
            return redirect("providers:caregiver_detail", pk=caregiver.pk)
    return render(
        request,
        "providers/library/form.html",
        {"form": form, "title": _("Add a caregiver to %(name)s") % {"name": provider.name}, "multipart": True},
    )


@login_required
def caregiver_detail(request, pk):
    caregiver = caregiver_get(user=request.user, pk=pk)
    manage = administers(request.user, caregiver.provider_id)
    today = timezone.localdate()
    return render(
        request,
        "providers/library/caregiver_detail.html",
        {
            "caregiver": caregiver,
            "masked": caregiver.phone_masked,
            "can_reveal": services.can_reveal_caregiver_phone(request.user, caregiver),
            "reveal_reasons": REVEAL_REASONS_OFFERED,
            "certificates": caregiver.certificates.all(),
            "trainings": caregiver.trainings.all(),
            "may_manage": manage,
            "today": today,
            "soon": today + datetime.timedelta(days=30),
            "training_form": TrainingForm(initial={"completed_on": today}),
            "certificate_form": CertificateForm(),
            "login_form": PasswordForm() if caregiver.user_id else LoginForm(),
        },
    )


@login_required
def caregiver_edit(request, pk):
    caregiver = caregiver_get(user=request.user, pk=pk)
    if not administers(request.user, caregiver.provider_id):
        raise PermissionDenied
    form = CaregiverForm(request.POST or None, request.FILES or None, instance=caregiver)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k in ("name", "phone", "photo")}
        if fields.get("photo") is False:  # "clear" ticked: a badge keeps its photo until a new one
            fields.pop("photo")
        caregiver.refresh_from_db()
        done = run_service(
            request,
            services.caregiver_update,
            _("The caregiver was saved."),
            caregiver=caregiver,
            by=request.user,
            **fields,
        )
        if done is not None:
            return redirect("providers:caregiver_detail", pk=caregiver.pk)
    return render(
        request,
        "providers/library/form.html",
        {"form": form, "title": _("Edit %(name)s") % {"name": caregiver.name}, "multipart": True},
    )


@login_required
@require_POST
def caregiver_phone_reveal_view(request, pk):
    """The caregiver's full phone, after the provider admin said why (the reveal is logged). htmx
    gets the number (or the form with its error) in place of the masked one; a plain post, a page."""
    caregiver = caregiver_get(user=request.user, pk=pk)
    form = RevealForm(request.POST)
    value, error, status = "", "", 200
    try:
        if not form.is_valid():
            raise ValidationFailed(_("Choose why you need the full number."))
        value = services.caregiver_phone_reveal(
            caregiver=caregiver, by=request.user, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"]
        )
    except DomainError as exc:
        error, status = exc.message, exc.http_status
    context = {
        "caregiver": caregiver,
        "masked": caregiver.phone_masked,
        "value": value,
        "error": error,
        "reason": request.POST.get("reason", ""),
        "note": request.POST.get("note", ""),
        "can_reveal": services.can_reveal_caregiver_phone(request.user, caregiver),
        "reveal_reasons": REVEAL_REASONS_OFFERED,
    }
    template = "providers/library/_phone_reveal.html" if request.htmx else "providers/library/phone_reveal.html"
    return render(request, template, context, status=status)


def _post_on_caregiver(request, pk, form_class, service, done: str, invalid: str, field_names=None):
    """A form posted on the caregiver's page: its service with the form's fields, then back there."""
    caregiver = caregiver_get(user=request.user, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if field_names is None or k in field_names}
        run_service(request, service, done, caregiver=caregiver, by=request.user, **fields)
    else:
        messages.error(request, invalid)
    return redirect("providers:caregiver_detail", pk=caregiver.pk)


@login_required
@require_POST
def caregiver_training(request, pk):
    return _post_on_caregiver(
        request,
        pk,
        TrainingForm,
        services.training_add,
        _("The training was recorded."),
        _("Check the training's course, date and hours."),
    )


@login_required
@require_POST
def caregiver_certificate(request, pk):
    return _post_on_caregiver(
        request,
        pk,
        CertificateForm,
        services.certificate_add,
        _("The certificate was recorded."),
        _("Check the certificate's kind, number and date."),
    )


@login_required
@require_POST
def caregiver_login(request, pk):
    """Create the caregiver's login, or set a new password for it."""
    if caregiver_get(user=request.user, pk=pk).user_id:
        return _post_on_caregiver(
            request,
            pk,
            PasswordForm,
            services.caregiver_password_set,
            _("The new password is set; tell it to the caregiver."),
            _("Enter the new password."),
        )
    return _post_on_caregiver(
        request,
        pk,
        LoginForm,
        services.caregiver_login_create,
        _("The login is created; tell the caregiver the login name and the first password."),
        _("Enter the login name and the first password."),
        field_names=("username", "password"),
    )


@login_required
@require_POST
def caregiver_deactivate(request, pk):
    caregiver = caregiver_get(user=request.user, pk=pk)
    run_service(
        request,
        services.caregiver_deactivate,
        _("The caregiver was deactivated."),
        caregiver=caregiver,
        by=request.user,
    )
    return redirect("providers:caregiver_detail", pk=caregiver.pk)


@login_required
def caregiver_photo(request, pk):
    caregiver = caregiver_get(user=request.user, pk=pk)
    if not caregiver.photo:
        raise Http404
    return FileResponse(caregiver.photo.open("rb"))


@login_required
def caregiver_badge(request, pk):
    caregiver = caregiver_get(user=request.user, pk=pk)
    return pdf_response(
        pdf.badge_pdf(caregiver=caregiver, verify_url=pdf.badge_verify_url(request, caregiver)),
        f"badge-{caregiver.staff_number}.pdf",
    )


def badge_verify(request, token):
    """Public: anyone scanning a badge sees whether it is valid today (no login)."""
    caregiver, problem = None, ""
    try:
        caregiver = Caregiver.objects.select_related("provider").get(pk=badge_token_caregiver_id(token))
    except (InvalidBadge, Caregiver.DoesNotExist) as exc:
        problem = getattr(exc, "message", "") or _("This badge is not genuine.")
    else:
        if not caregiver.active:
            problem = _("This person no longer works for the provider.")
        elif caregiver.provider.status != caregiver.provider.Status.CONTRACTED:
            problem = _("The provider is not contracted at the moment.")
        elif caregiver.trained_on is None:
            problem = _("This person has not completed the training.")
    return render(
        request,
        "providers/badge_verify.html",
        {"caregiver": caregiver, "problem": problem, "today": timezone.localdate(), "valid": not problem},
        status=200 if not problem else 410,
    )


urlpatterns = [
    path("<int:pk>/caregivers/new/", caregiver_create_view, name="caregiver_create"),
    path("caregivers/", caregiver_list_view, name="caregiver_list"),
    path("caregivers/<int:pk>/", caregiver_detail, name="caregiver_detail"),
    path("caregivers/<int:pk>/edit/", caregiver_edit, name="caregiver_edit"),
    path("caregivers/<int:pk>/reveal/", caregiver_phone_reveal_view, name="caregiver_phone_reveal"),
    path("caregivers/<int:pk>/trainings/", caregiver_training, name="caregiver_training"),
    path("caregivers/<int:pk>/certificates/", caregiver_certificate, name="caregiver_certificate"),
    path("caregivers/<int:pk>/deactivate/", caregiver_deactivate, name="caregiver_deactivate"),
    path("caregivers/<int:pk>/login/", caregiver_login, name="caregiver_login"),
    path("caregivers/<int:pk>/photo/", caregiver_photo, name="caregiver_photo"),
    path("caregivers/<int:pk>/badge.pdf", caregiver_badge, name="caregiver_badge"),
    path("badge/<str:token>/", badge_verify, name="badge_verify"),
]

# Menu entries and home-page panels of this area; the "Caregivers" menu entry is in providers/nav.py.
NAV_ITEMS: tuple[NavItem, ...] = ()


def _row(label: str, url: str, detail: str = "", flag: bool = False) -> dict:
    return {"label": label, "url": url, "detail": detail, "flag": flag}


def worklist(user) -> list[WorkPanel]:
    panels: list[WorkPanel] = []
    today = timezone.localdate()
    if user.has_role(Role.DISTRICT_REVIEWER, Role.PROVIDER_ADMIN):
        certificates = certificates_expiring(user=user, today=today)
        panels.append(
            WorkPanel(
                _("Certificates expired or ending within 30 days"),
                [
                    _row(
                        f"{c.caregiver.name} · {c.get_kind_display()}",
                        reverse("providers:caregiver_detail", args=[c.caregiver_id]),
                        (
                            _("%(provider)s · expired on %(date)s")
                            if c.valid_until < today
                            else _("%(provider)s · valid until %(date)s")
                        )
                        % {"provider": c.caregiver.provider.name, "date": c.valid_until},
                        (c.valid_until - today).days <= 7,
                    )
                    for c in certificates[:8]
                ],
                reverse("providers:caregiver_list") + "?cert=expiring",
                # The list it opens shows caregivers: one with two certificates ending counts once.
                certificates.values("caregiver_id").distinct().count(),
            )
        )
    if user.has_role(Role.PROVIDER_ADMIN):
        orders = orders_to_reassign(user=user)
        panels.append(
            WorkPanel(
                _("Visits to reassign (certificate not valid on the visit day)"),
                [
                    _row(
                        f"#{o.pk} {o.elder.name} · {o.item.name}",
                        reverse("providers:order_detail", args=[o.pk]),
                        f"{timezone.localtime(o.scheduled_at):%m-%d %H:%M} · {o.caregiver.name if o.caregiver else ''}",
                        True,
                    )
                    for o in orders[:8]
                ],
                reverse("providers:order_list") + "?reassign=1",
                len(orders),
            )
        )
    return panels


def hub_sections(user, elder) -> list[HubSection]:
    """What this area shows on the elder's page (eldercare.hub)."""
    return []
