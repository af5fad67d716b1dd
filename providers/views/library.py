"""The provider library and its staff (district, provider admin); the public badge check."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eldercare.hub import HubSection
from eldercare.nav import NavItem, WorkPanel

from .. import pdf, services
from ..forms import ReasonForm
from ..models import Caregiver
from ..selectors import (
    caregiver_get,
    caregiver_list,
    provider_get,
    provider_list,
)
from ..tokens import InvalidBadge, badge_token_caregiver_id
from .common import pdf_response, run_service


@login_required
def provider_list_view(request):
    return render(request, "providers/provider_list.html", {"providers": provider_list(user=request.user)})


@login_required
def provider_detail(request, pk):
    provider = provider_get(user=request.user, pk=pk)
    return render(
        request,
        "providers/provider_detail.html",
        {
            "provider": provider,
            "contracts": provider.contracts.all(),
            "events": provider.status_events.select_related("by"),
            "assessments": provider.assessments.all(),
            "caregivers": caregiver_list(user=request.user).filter(provider=provider),
            "items": provider.items.filter(active=True),
            "packages": provider.packages.prefetch_related("items"),
            "rectifications": provider.rectifications.select_related("survey__street"),
        },
    )


@login_required
def caregiver_list_view(request):
    return render(request, "providers/caregiver_list.html", {"caregivers": caregiver_list(user=request.user)})


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


@login_required
@require_POST
def provider_terminate(request, pk):
    provider = provider_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            services.provider_set_status,
            _("The provider's contract was terminated."),
            provider=provider,
            to=provider.Status.TERMINATED,
            reason=form.cleaned_data["reason"],
            ground=request.POST.get("ground", ""),
            by=request.user,
        )
    return redirect("providers:provider_detail", pk=provider.pk)


urlpatterns = [
    path("", provider_list_view, name="provider_list"),
    path("<int:pk>/", provider_detail, name="provider_detail"),
    path("<int:pk>/terminate/", provider_terminate, name="provider_terminate"),
    path("caregivers/", caregiver_list_view, name="caregiver_list"),
    path("caregivers/<int:pk>/badge.pdf", caregiver_badge, name="caregiver_badge"),
    path("badge/<str:token>/", badge_verify, name="badge_verify"),
]

# Menu entries and home-page panels of this area (registered by ProvidersConfig.ready()).
NAV_ITEMS: tuple[NavItem, ...] = ()


def worklist(user) -> list[WorkPanel]:
    return []


def hub_sections(user, elder) -> list[HubSection]:
    """What this area shows on the elder's page (eldercare.hub)."""
    return []
