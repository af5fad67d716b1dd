"""Supervision: callbacks, visit frequency, community callbacks, surveys and rectifications."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.errors import DomainError
from eldercare.hub import HubSection
from eldercare.models import Role
from eldercare.nav import NavItem, WorkPanel
from eldercare.periods import Month, Quarter
from eldercare.selectors import elder_get

from .. import quality
from ..forms import ContactForm
from ..models import Callback
from .common import run_service

# --- quality --------------------------------------------------------------------------------


@login_required
def callbacks_due(request):
    today = timezone.localdate()
    return render(
        request,
        "providers/callbacks.html",
        {
            "provider_due": quality.provider_callbacks_due(user=request.user, until=today)[:200]
            if request.user.has_role(Role.PROVIDER_ADMIN) or request.user.is_superuser
            else [],
            "district_due": quality.district_callbacks_due(user=request.user)[:200]
            if request.user.has_role(Role.DISTRICT_REVIEWER) or request.user.is_superuser
            else [],
            "source": Callback.Source,
        },
    )


@login_required
def frequency_report(request):
    try:
        month = Month.parse(request.GET.get("month", "")) if request.GET.get("month") else Month.current().previous()
    except DomainError:
        month = Month.current().previous()
    report = quality.visit_frequency_report(user=request.user, month=month)
    return render(request, "providers/frequency.html", {"report": report, "month": month})


@login_required
def community_contacts(request):
    quarter = Month.current().quarter
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        elder = elder_get(user=request.user, pk=d.pop("elder"))
        if run_service(
            request, quality.community_contact_record, _("Callback recorded."), elder=elder, by=request.user, **d
        ):
            return redirect("providers:community_contacts")
    quotas = quality.community_contact_quota(user=request.user, quarter=quarter)
    return render(request, "providers/community_contacts.html", {"quotas": quotas, "quarter": quarter, "form": form})


@login_required
def rectifications(request):
    return render(
        request,
        "providers/rectifications.html",
        {"rows": quality.rectification_list(user=request.user), "today": timezone.localdate(), "quarter": Quarter},
    )


urlpatterns = [
    path("callbacks/", callbacks_due, name="callbacks"),
    path("frequency/", frequency_report, name="frequency"),
    path("community-callbacks/", community_contacts, name="community_contacts"),
    path("rectifications/", rectifications, name="rectifications"),
]

# Menu entries and home-page panels of this area (registered by ProvidersConfig.ready()).
NAV_ITEMS: tuple[NavItem, ...] = ()


def worklist(user) -> list[WorkPanel]:
    return []


def hub_sections(user, elder) -> list[HubSection]:
    """What this area shows on the elder's page (eldercare.hub)."""
    return []
