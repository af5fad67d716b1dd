"""The provider library (district): providers, contracts, statuses and termination, the quarterly
scorecard, the provider administrator's login."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from eldercare.errors import DomainError
from eldercare.hub import HubSection
from eldercare.models import Division, Role, User
from eldercare.nav import NavItem, WorkPanel
from eldercare.paging import page_of
from eldercare.periods import Month, Quarter
from eldercare.scoping import scope_for
from eldercare.searching import search_by_post, search_text

from .. import scorecard
from ..forms.library import (
    ContractForm,
    LoginForm,
    ProviderForm,
    RenewForm,
    StatusForm,
    TerminateForm,
)
from ..models import Provider, QuarterlyAssessment
from ..selectors import (
    caregiver_list,
    contract_get,
    contracts_expiring,
    provider_admins,
    provider_get,
    provider_list,
)
from ..services import library as services
from ..services.termination import provider_terminate as terminate_service
from .common import administers, is_district, run_service, with_phone


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


# --- providers ------------------------------------------------------------------------------


# The provider library's `?due=` filters: the district's work-list panels open these.
DUE_FILTERS = {
    "contract": gettext_lazy("Awaiting their contract"),
    "renew": gettext_lazy("Contract ending within 30 days"),
    "assess": gettext_lazy("Scorecard of last quarter to confirm"),
}


def _providers_due(user, due: str, today: datetime.date):
    """The providers of one of the district's to-dos (the panel and the filtered library share it)."""
    providers = provider_list(user=user)
    if due == "contract":
        return providers.filter(status=Provider.Status.CANDIDATE)
    if due == "renew":
        return providers.filter(pk__in=contracts_expiring(user=user, today=today).values("provider_id"))
    quarter = last_quarter(today)
    return (
        providers.filter(status__in=(Provider.Status.CONTRACTED, Provider.Status.SUSPENDED))
        .exclude(assessments__quarter=quarter.first_day, assessments__confirmed_at__isnull=False)
        .filter(scorecard.has_figures(quarter))
    )


@login_required
@search_by_post
def provider_list_view(request):
    """The providers the user may see, a page at a time, by name; the search box posts part of a
    name or a licence number's beginning."""
    due = request.GET.get("due", "")
    if due in DUE_FILTERS:
        providers = _providers_due(request.user, due, timezone.localdate())
    else:
        due, providers = "", provider_list(user=request.user)
    q = search_text(request)
    if q:
        providers = providers.filter(Q(name__icontains=q) | Q(licence_number__startswith=q))
    return render(
        request,
        "providers/provider_list.html",
        {
            "page": page_of(request, providers.order_by("name", "pk")),
            "q": q,
            "due": due,
            "due_filters": DUE_FILTERS.items() if is_district(request.user) else (),
            "may_manage": is_district(request.user),
        },
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
            "caregivers": with_phone(caregiver_list(user=request.user).filter(provider=provider), request.user),
            "items": provider.items.filter(active=True),
            "packages": provider.packages.prefetch_related("items"),
            "rectifications": provider.rectifications.select_related("survey__street"),
            "may_manage": district,
            "may_staff": administers(request.user, provider.pk),
            "quarters": recent_quarters(today) if district or request.user.has_role(Role.SUPERVISOR) else [],
            "status_form": StatusForm(),
            "terminate_form": TerminateForm(),
            "contract_form": ContractForm(initial={"starts_on": today}),
            "admins": provider_admins(provider) if district else [],
            "admin_login_form": LoginForm(with_name=True),
            "statement_months": _statement_months(request.user, provider, today),
        },
    )


# Who prints a provider's monthly statement of services (settlement.statement decides; these only
# choose whether the page shows the links): the provider's administrators, finance and the district.
STATEMENT_VIEWERS = (Role.FINANCE, Role.DISTRICT_REVIEWER, Role.SUPERVISOR, Role.SYSADMIN)
STATEMENT_MONTHS_SHOWN = 6


def _statement_months(user: User, provider: Provider, today: datetime.date) -> list[str]:
    if not (user.is_superuser or user.has_role(*STATEMENT_VIEWERS) or administers(user, provider.pk)):
        return []
    current = Month.of(today)
    return [str(current.plus(-n)) for n in range(STATEMENT_MONTHS_SHOWN)]


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
    path("<int:pk>/admin-login/", provider_admin_login, name="provider_admin_login"),
]

# Menu entries and home-page panels of this area (registered by ProvidersConfig.ready()); the
# "Providers" menu entry is in providers/nav.py.
NAV_ITEMS: tuple[NavItem, ...] = ()


def _row(label: str, url: str, detail: str = "", flag: bool = False) -> dict:
    return {"label": label, "url": url, "detail": detail, "flag": flag}


def worklist(user) -> list[WorkPanel]:
    panels: list[WorkPanel] = []
    today = timezone.localdate()
    if is_district(user) and user.has_role(Role.DISTRICT_REVIEWER):
        candidates = _providers_due(user, "contract", today)
        panels.append(
            WorkPanel(
                _("Providers awaiting their contract"),
                [
                    _row(p.name, reverse("providers:contract_create", args=[p.pk]), p.licence_number)
                    for p in candidates[:8]
                ],
                reverse("providers:provider_list") + "?due=contract",
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
                reverse("providers:provider_list") + "?due=renew",
                _providers_due(user, "renew", today).count(),
            )
        )
        quarter = last_quarter(today)
        to_assess = _providers_due(user, "assess", today)
        panels.append(
            WorkPanel(
                _("Scorecards of %(quarter)s to confirm") % {"quarter": quarter},
                [_row(p.name, reverse("providers:scorecard", args=[p.pk, str(quarter)])) for p in to_assess[:8]],
                reverse("providers:provider_list") + "?due=assess",
                to_assess.count(),
            )
        )
    return panels


def hub_sections(user, elder) -> list[HubSection]:
    """What this area shows on the elder's page (eldercare.hub)."""
    return []
