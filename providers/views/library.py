"""The provider library (district) and the providers' staff (provider admin); the public badge check."""

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

from eldercare.errors import DomainError
from eldercare.hub import HubSection
from eldercare.masking import mask_phone
from eldercare.models import Division, Role, User
from eldercare.nav import NavItem, WorkPanel
from eldercare.periods import Month, Quarter
from eldercare.scoping import scope_for

from .. import pdf, scorecard
from ..forms.library import (
    CaregiverForm,
    CertificateForm,
    ContractForm,
    LoginForm,
    PasswordForm,
    ProviderForm,
    RenewForm,
    StatusForm,
    TerminateForm,
    TrainingForm,
)
from ..models import Caregiver, Provider, QuarterlyAssessment
from ..selectors import (
    caregiver_get,
    caregiver_list,
    certificates_expiring,
    contract_get,
    contracts_expiring,
    orders_to_reassign,
    provider_get,
    provider_list,
)
from ..services import library as services
from ..services.termination import provider_terminate as terminate_service
from ..tokens import InvalidBadge, badge_token_caregiver_id
from .common import pdf_response, run_service


def is_district(user: User) -> bool:
    return user.is_superuser or user.has_role(Role.DISTRICT_REVIEWER, Role.SYSADMIN)


def administers(user: User, provider_id: int) -> bool:
    """The provider admin of this provider (or a system administrator) manages its staff."""
    if user.is_superuser or user.has_role(Role.SYSADMIN):
        return True
    return user.has_role(Role.PROVIDER_ADMIN) and provider_id in scope_for(user).provider_ids


def _district_of(user: User) -> Division:
    ids = scope_for(user).district_ids
    district = Division.objects.filter(level=Division.Level.DISTRICT)
    district = district.filter(pk__in=ids) if ids else district
    found = district.order_by("pk").first()
    if found is None:
        raise PermissionDenied
    return found


def last_quarter(today: datetime.date) -> Quarter:
    """The quarter before the one `today` is in (the one to assess now)."""
    return Month.of(Month.of(today).quarter.first_day - datetime.timedelta(days=1)).quarter


def recent_quarters(today: datetime.date, n: int = 4) -> list[Quarter]:
    quarters = [last_quarter(today)]
    while len(quarters) < n:
        quarters.append(last_quarter(quarters[-1].first_day))
    return quarters


def _with_phone(caregivers, user: User):
    """Phones are listed masked; only the caregiver's own provider admin sees them in full."""
    rows = list(caregivers)
    for c in rows:
        c.phone_display = c.phone if administers(user, c.provider_id) else mask_phone(c.phone)
    return rows


# --- providers ------------------------------------------------------------------------------


@login_required
def provider_list_view(request):
    return render(
        request,
        "providers/provider_list.html",
        {"providers": provider_list(user=request.user), "may_manage": is_district(request.user)},
    )


@login_required
def provider_create_view(request):
    if not is_district(request.user):
        raise PermissionDenied
    district = _district_of(request.user)
    form = ProviderForm(request.POST or None, district=district)
    if request.method == "POST" and form.is_valid():
        provider = run_service(
            request,
            services.provider_create,
            _("The provider was registered. Sign its contract to start the service."),
            district=district,
            streets=list(form.cleaned_data["streets"]),
            by=request.user,
            **form.service_fields(),
        )
        if provider is not None:
            return redirect("providers:provider_detail", pk=provider.pk)
    return render(request, "providers/library/form.html", {"form": form, "title": _("Register a provider")})


@login_required
def provider_edit(request, pk):
    provider = provider_get(user=request.user, pk=pk)
    if not is_district(request.user):
        raise PermissionDenied
    form = ProviderForm(request.POST or None, instance=provider, district=provider.district)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        provider.refresh_from_db()  # the form wrote into the instance; the service writes the row
        done = run_service(
            request,
            services.provider_update,
            _("The provider's particulars were saved."),
            provider=provider,
            streets=list(form.cleaned_data["streets"]),
            by=request.user,
            **fields,
        )
        if done is not None:
            return redirect("providers:provider_detail", pk=provider.pk)
    return render(
        request,
        "providers/library/form.html",
        {"form": form, "title": _("Edit %(name)s") % {"name": provider.name}, "back": provider},
    )


@login_required
def provider_detail(request, pk):
    provider = provider_get(user=request.user, pk=pk)
    today = timezone.localdate()
    contracts = list(provider.contracts.all())
    latest = max(contracts, key=lambda c: c.starts_on, default=None)
    events = [
        {"event": e, "ground": ground, "reason": reason}
        for e in provider.status_events.select_related("by")
        for ground, reason in [services.event_ground(e.reason)]
    ]
    district = is_district(request.user)
    return render(
        request,
        "providers/provider_detail.html",
        {
            "provider": provider,
            "contracts": contracts,
            "latest_contract": latest,
            "renewable": latest is not None and latest.terminated_on is None and provider.status != "terminated",
            "expiring": latest is not None and today <= latest.ends_on <= today + datetime.timedelta(days=30),
            "events": events,
            "assessments": provider.assessments.all(),
            "caregivers": _with_phone(caregiver_list(user=request.user).filter(provider=provider), request.user),
            "items": provider.items.filter(active=True),
            "packages": provider.packages.prefetch_related("items"),
            "rectifications": provider.rectifications.select_related("survey__street"),
            "may_manage": district,
            "may_staff": administers(request.user, provider.pk),
            "quarters": recent_quarters(today) if district or request.user.has_role(Role.SUPERVISOR) else [],
            "status_form": StatusForm(),
            "terminate_form": TerminateForm(),
            "contract_form": ContractForm(initial={"starts_on": today}),
            "admins": services.provider_admins(provider) if district else [],
            "admin_login_form": LoginForm(with_name=True),
        },
    )


@login_required
def contract_create_view(request, pk):
    provider = provider_get(user=request.user, pk=pk)
    if not is_district(request.user):
        raise PermissionDenied
    form = ContractForm(request.POST or None, initial={"starts_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        contract = run_service(
            request,
            services.contract_create,
            _("The contract was signed for one year."),
            provider=provider,
            by=request.user,
            **form.cleaned_data,
        )
        if contract is not None:
            return redirect("providers:provider_detail", pk=provider.pk)
    return render(
        request,
        "providers/library/form.html",
        {"form": form, "title": _("Sign a contract with %(name)s") % {"name": provider.name}, "back": provider},
    )


@login_required
def contract_renew_view(request, pk):
    contract = contract_get(user=request.user, pk=pk)
    if not is_district(request.user):
        raise PermissionDenied
    form = RenewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        renewed = run_service(
            request,
            services.contract_renew,
            _("The contract was renewed for one more year."),
            contract=contract,
            number=form.cleaned_data["number"],
            by=request.user,
        )
        if renewed is not None:
            return redirect("providers:provider_detail", pk=contract.provider_id)
    return render(
        request,
        "providers/library/form.html",
        {
            "form": form,
            "title": _("Renew contract %(number)s (ends on %(date)s)")
            % {"number": contract.number, "date": contract.ends_on},
            "back": contract.provider,
        },
    )


@login_required
@require_POST
def provider_status(request, pk):
    provider = provider_get(user=request.user, pk=pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            services.provider_set_status,
            _("The provider's status was changed."),
            provider=provider,
            to=form.cleaned_data["to"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    else:
        messages.error(request, _("Give the reason for this change."))
    return redirect("providers:provider_detail", pk=provider.pk)


@login_required
@require_POST
def provider_terminate(request, pk):
    provider = provider_get(user=request.user, pk=pk)
    form = TerminateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a ground and give the reason for the termination."))
        return redirect("providers:provider_detail", pk=provider.pk)
    try:
        result = terminate_service(
            provider=provider, ground=form.cleaned_data["ground"], reason=form.cleaned_data["reason"], by=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "The provider's qualification was terminated: %(agreements)s service agreements ended, "
                "%(orders)s open work orders cancelled."
            )
            % {"agreements": result.agreements_ended, "orders": result.orders_cancelled},
        )
    return redirect("providers:provider_detail", pk=provider.pk)


@login_required
def scorecard_view(request, pk, quarter):
    provider = provider_get(user=request.user, pk=pk)
    if not (is_district(request.user) or request.user.has_role(Role.SUPERVISOR)):
        raise PermissionDenied
    try:
        q = Quarter.parse(quarter)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    if request.method == "POST":
        run_service(
            request,
            services.assessment_confirm,
            _("The scorecard was confirmed."),
            provider=provider,
            quarter=q,
            notes=request.POST.get("notes", ""),
            by=request.user,
        )
        return redirect("providers:scorecard", pk=provider.pk, quarter=str(q))
    confirmed = QuarterlyAssessment.objects.filter(
        provider=provider, quarter=q.first_day, confirmed_at__isnull=False
    ).first()
    card = scorecard.scorecard_for(provider=provider, quarter=q, user=request.user)
    return render(
        request,
        "providers/library/scorecard.html",
        {
            "provider": provider,
            "quarter": q,
            "card": card,
            "confirmed": confirmed,
            "weights": scorecard.WEIGHTS,
            "bands": scorecard.BANDS,
            "may_confirm": is_district(request.user)
            and confirmed is None
            and q.last_day < timezone.localdate()
            and any(p.value is not None for p in card.parts),
        },
    )


# --- staff ----------------------------------------------------------------------------------


@login_required
def caregiver_list_view(request):
    user = request.user
    caregivers = caregiver_list(user=user).prefetch_related("certificates")
    own = [p for p in provider_list(user=user).exclude(status="terminated") if administers(user, p.pk)]
    return render(
        request,
        "providers/caregiver_list.html",
        {"caregivers": _with_phone(caregivers, user), "own_providers": own, "today": timezone.localdate()},
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
            "phone": caregiver.phone if manage else mask_phone(caregiver.phone),
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
def caregiver_training(request, pk):
    caregiver = caregiver_get(user=request.user, pk=pk)
    form = TrainingForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            services.training_add,
            _("The training was recorded."),
            caregiver=caregiver,
            by=request.user,
            **form.cleaned_data,
        )
    else:
        messages.error(request, _("Check the training's course, date and hours."))
    return redirect("providers:caregiver_detail", pk=caregiver.pk)


@login_required
@require_POST
def caregiver_certificate(request, pk):
    caregiver = caregiver_get(user=request.user, pk=pk)
    form = CertificateForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            services.certificate_add,
            _("The certificate was recorded."),
            caregiver=caregiver,
            by=request.user,
            **form.cleaned_data,
        )
    else:
        messages.error(request, _("Check the certificate's kind, number and date."))
    return redirect("providers:caregiver_detail", pk=caregiver.pk)


@login_required
@require_POST
def caregiver_login(request, pk):
    """Create the caregiver's login, or set a new password for it."""
    caregiver = caregiver_get(user=request.user, pk=pk)
    if caregiver.user_id:
        form = PasswordForm(request.POST)
        if form.is_valid():
            run_service(
                request,
                services.caregiver_password_set,
                _("The new password is set; tell it to the caregiver."),
                caregiver=caregiver,
                password=form.cleaned_data["password"],
                by=request.user,
            )
        else:
            messages.error(request, _("Enter the new password."))
    else:
        form = LoginForm(request.POST)
        if form.is_valid():
            run_service(
                request,
                services.caregiver_login_create,
                _("The login is created; tell the caregiver the login name and the first password."),
                caregiver=caregiver,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                by=request.user,
            )
        else:
            messages.error(request, _("Enter the login name and the first password."))
    return redirect("providers:caregiver_detail", pk=caregiver.pk)


@login_required
@require_POST
def provider_admin_login(request, pk):
    provider = provider_get(user=request.user, pk=pk)
    form = LoginForm(request.POST, with_name=True)
    if form.is_valid():
        run_service(
            request,
            services.provider_admin_login_create,
            _("The administrator's login is created; tell them the login name and the first password."),
            provider=provider,
            by=request.user,
            **form.cleaned_data,
        )
    else:
        messages.error(request, _("Enter the name, the login name and the first password."))
    return redirect("providers:provider_detail", pk=provider.pk)


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
    path("", provider_list_view, name="provider_list"),
    path("new/", provider_create_view, name="provider_create"),
    path("<int:pk>/", provider_detail, name="provider_detail"),
    path("<int:pk>/edit/", provider_edit, name="provider_edit"),
    path("<int:pk>/contracts/new/", contract_create_view, name="contract_create"),
    path("contracts/<int:pk>/renew/", contract_renew_view, name="contract_renew"),
    path("<int:pk>/status/", provider_status, name="provider_status"),
    path("<int:pk>/terminate/", provider_terminate, name="provider_terminate"),
    path("<int:pk>/scorecard/<str:quarter>/", scorecard_view, name="scorecard"),
    path("<int:pk>/caregivers/new/", caregiver_create_view, name="caregiver_create"),
    path("caregivers/", caregiver_list_view, name="caregiver_list"),
    path("caregivers/<int:pk>/", caregiver_detail, name="caregiver_detail"),
    path("caregivers/<int:pk>/edit/", caregiver_edit, name="caregiver_edit"),
    path("caregivers/<int:pk>/trainings/", caregiver_training, name="caregiver_training"),
    path("caregivers/<int:pk>/certificates/", caregiver_certificate, name="caregiver_certificate"),
    path("caregivers/<int:pk>/deactivate/", caregiver_deactivate, name="caregiver_deactivate"),
    path("caregivers/<int:pk>/login/", caregiver_login, name="caregiver_login"),
    path("<int:pk>/admin-login/", provider_admin_login, name="provider_admin_login"),
    path("caregivers/<int:pk>/photo/", caregiver_photo, name="caregiver_photo"),
    path("caregivers/<int:pk>/badge.pdf", caregiver_badge, name="caregiver_badge"),
    path("badge/<str:token>/", badge_verify, name="badge_verify"),
]

# Menu entries and home-page panels of this area (registered by ProvidersConfig.ready()); the
# "Providers" and "Caregivers" menu entries are in providers/nav.py.
NAV_ITEMS: tuple[NavItem, ...] = ()


def _row(label: str, url: str, detail: str = "", flag: bool = False) -> dict:
    return {"label": label, "url": url, "detail": detail, "flag": flag}


def worklist(user) -> list[WorkPanel]:
    panels: list[WorkPanel] = []
    today = timezone.localdate()
    if is_district(user) and user.has_role(Role.DISTRICT_REVIEWER):
        candidates = provider_list(user=user).filter(status=Provider.Status.CANDIDATE)
        panels.append(
            WorkPanel(
                _("Providers awaiting their contract"),
                [
                    _row(p.name, reverse("providers:contract_create", args=[p.pk]), p.licence_number)
                    for p in candidates[:8]
                ],
                reverse("providers:provider_list"),
                candidates.count(),
            )
        )
        expiring = contracts_expiring(user=user, today=today)
        panels.append(
            WorkPanel(
                _("Contracts ending within 30 days"),
                [
                    _row(
                        f"{c.provider.name} · {c.number}",
                        reverse("providers:contract_renew", args=[c.pk]),
                        _("ends on %(date)s") % {"date": c.ends_on},
                        (c.ends_on - today).days <= 7,
                    )
                    for c in expiring[:8]
                ],
                reverse("providers:provider_list"),
                expiring.count(),
            )
        )
        quarter = last_quarter(today)
        to_assess = (
            provider_list(user=user)
            .filter(status__in=(Provider.Status.CONTRACTED, Provider.Status.SUSPENDED))
            .exclude(assessments__quarter=quarter.first_day, assessments__confirmed_at__isnull=False)
            .filter(scorecard.has_figures(quarter))
        )
        panels.append(
            WorkPanel(
                _("Scorecards of %(quarter)s to confirm") % {"quarter": quarter},
                [_row(p.name, reverse("providers:scorecard", args=[p.pk, str(quarter)])) for p in to_assess[:8]],
                reverse("providers:provider_list"),
                to_assess.count(),
            )
        )
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
                reverse("providers:caregiver_list"),
                certificates.count(),
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
                reverse("providers:order_list") + "?status=assigned",
                len(orders),
            )
        )
    return panels


def hub_sections(user, elder) -> list[HubSection]:
    """What this area shows on the elder's page (eldercare.hub)."""
    return []
