"""Service agreements, changes of provider, the elders to re-home and the elders' service cards."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from eldercare.errors import DomainError
from eldercare.hub import HubAction, HubSection
from eldercare.models import Role
from eldercare.nav import NavGroup, NavItem, WorkPanel
from eldercare.paging import page_of
from eldercare.selectors import elder_get

from .. import pdf
from ..forms.agreements import CardIssueForm, ChangeProviderForm, EndForm, SignForm
from ..models import ServiceAgreement
from ..services import agreements as svc
from .common import pdf_response, run_service

# Roles that work with agreements on the pages (caregivers never do).
AGREEMENT_ROLES = (
    Role.COMMUNITY_WORKER,
    Role.PROVIDER_ADMIN,
    Role.STREET_REVIEWER,
    Role.DISTRICT_REVIEWER,
    Role.SUPERVISOR,
    Role.SYSADMIN,
)


def _sees_agreements(user) -> bool:
    return user.is_superuser or user.has_role(*AGREEMENT_ROLES)


def _provider_side(user, elder=None) -> bool:
    """Does the user enter agreements as a provider (consent needed) rather than as the community?"""
    if elder is not None and svc.is_elder_community_worker(user, elder):
        return False
    return user.has_role(Role.PROVIDER_ADMIN) and not (user.is_superuser or user.has_role(Role.COMMUNITY_WORKER))


@login_required
def agreement_list(request):
    if not _sees_agreements(request.user):
        raise PermissionDenied
    state = request.GET.get("state", "open")
    qs = svc.agreement_list(user=request.user)
    if state == "rehome":
        # The community's to-do: for each elder whose provider ended and who has none now, the
        # last agreement ended that way (one row per elder, as the work list counts them).
        last = (
            svc.agreement_list(user=request.user)
            .filter(elder=OuterRef("elder"), end_reason=ServiceAgreement.EndReason.PROVIDER_TERMINATED)
            .order_by("-ends_on", "-id")
            .values("id")[:1]
        )
        qs = qs.filter(elder__in=svc.elders_to_rehome(user=request.user), id=Subquery(last))
    elif state == "open":
        qs = qs.filter(ends_on__isnull=True)
    else:
        qs = qs.filter(ends_on__isnull=False)
    return render(
        request,
        "providers/agreements/list.html",
        {
            "agreements": page_of(request, qs.order_by("-signed_on", "-id")),
            "state": state,
            "may_sign": request.user.has_role(Role.COMMUNITY_WORKER, Role.PROVIDER_ADMIN) or request.user.is_superuser,
        },
    )


@login_required
def elder_agreements(request, elder_pk):
    """Everything about one elder's agreements and card, with the actions the user may take."""
    elder = elder_get(user=request.user, pk=elder_pk)
    if not _sees_agreements(request.user):
        raise PermissionDenied
    user = request.user
    agreements = list(svc.agreements_of(user=user, elder=elder))
    card = svc.card_of(elder=elder)
    may_card = svc.may_handle_card(user, elder)
    today = timezone.localdate()
    return render(
        request,
        "providers/agreements/elder.html",
        {
            "elder": elder,
            "open": [a for a in agreements if a.ends_on is None],
            "ended": [a for a in agreements if a.ends_on is not None],
            "may_sign": svc.may_sign(user, elder),
            "may_change": svc.may_change_provider(user, elder),
            "may_end": {a.pk for a in agreements if a.ends_on is None and svc.may_end(user, a)},
            "end_form": EndForm(initial={"ends_on": today}),
            "card": card if may_card else None,
            "issues": svc.card_issues_of(card=card) if (card and may_card) else [],
            "may_card": may_card,
            "card_form": CardIssueForm(),
        },
    )


@login_required
def agreement_sign(request):
    user = request.user
    if not (user.is_superuser or user.has_role(Role.COMMUNITY_WORKER, Role.PROVIDER_ADMIN)):
        raise PermissionDenied
    elder = None
    raw = request.GET.get("elder") or request.POST.get("preselected")
    if raw:
        if not str(raw).isdigit():
            raise PermissionDenied
        elder = elder_get(user=user, pk=int(raw))
    provider_side = _provider_side(user, elder)
    form = SignForm(
        request.POST or None,
        user=user,
        elder=elder,
        provider_side=provider_side,
        providers=svc.providers_to_offer(user=user, elder=elder),
        initial={"signed_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            chosen = elder or form.cleaned_data.get("elder")
            if chosen is None:
                chosen = svc.elder_by_id_number(user=user, id_number=form.cleaned_data["id_number"])
            agreement = svc.agreement_sign(
                elder=chosen,
                provider=form.cleaned_data["provider"],
                signed_on=form.cleaned_data["signed_on"],
                consent=form.cleaned_data.get("consent", ""),
                by=user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("The agreement with %(provider)s was signed.") % {"provider": agreement.provider}
            )
            return redirect("providers:elder_agreements", elder_pk=agreement.elder_id)
    return render(
        request,
        "providers/agreements/form.html",
        {
            "title": _("Sign a service agreement"),
            "form": form,
            "elder": elder,
            "button": _("Sign the agreement"),
            "back": reverse("providers:elder_agreements", args=[elder.pk])
            if elder
            else reverse("providers:agreement_list"),
        },
    )


def _agreement_get(user, pk) -> ServiceAgreement:
    return get_object_or_404(svc.agreement_list(user=user), pk=pk)


def _back_to(agreement: ServiceAgreement, user):
    """The elder's agreements page, or the list when the user no longer sees the elder (a provider
    that ended its own agreement)."""
    if _elder_visible(user, agreement):
        return redirect("providers:elder_agreements", elder_pk=agreement.elder_id)
    return redirect("providers:agreement_list")


def _elder_visible(user, agreement: ServiceAgreement) -> bool:
    try:
        elder_get(user=user, pk=agreement.elder_id)
    except Http404:
        return False
    return True


@login_required
@require_POST
def agreement_end(request, pk):
    agreement = _agreement_get(request.user, pk)
    form = EndForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back_to(agreement, request.user)
    run_service(
        request,
        svc.agreement_end,
        _("The agreement was ended."),
        agreement=agreement,
        ends_on=form.cleaned_data["ends_on"],
        reason=form.cleaned_data["reason"],
        note=form.cleaned_data["note"],
        by=request.user,
    )
    return _back_to(agreement, request.user)


@login_required
def agreement_change(request, pk):
    agreement = _agreement_get(request.user, pk)
    if agreement.ends_on is not None or not svc.may_change_provider(request.user, agreement.elder):
        raise PermissionDenied
    providers = svc.providers_for_elder(elder=agreement.elder).exclude(pk=agreement.provider_id)
    form = ChangeProviderForm(request.POST or None, providers=providers, initial={"starts_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            new = svc.agreement_change_provider(
                agreement=agreement,
                provider=form.cleaned_data["provider"],
                starts_on=form.cleaned_data["starts_on"],
                consent=form.cleaned_data["consent"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("The elder changed from %(old)s to %(new)s.") % {"old": agreement.provider, "new": new.provider},
            )
            return redirect("providers:elder_agreements", elder_pk=agreement.elder_id)
    return render(
        request,
        "providers/agreements/form.html",
        {
            "title": _("Change provider"),
            "intro": _("The agreement with %(provider)s (signed %(date)s) ends the day before the new one starts.")
            % {"provider": agreement.provider, "date": agreement.signed_on.isoformat()},
            "form": form,
            "elder": agreement.elder,
            "button": _("Change provider"),
            "back": reverse("providers:elder_agreements", args=[agreement.elder_id]),
        },
    )


@login_required
@require_POST
def elder_card_issue(request, elder_pk):
    """Issue or re-issue the elder's card (POST with a reason; recorded in the card's history)."""
    elder = elder_get(user=request.user, pk=elder_pk)
    if not svc.may_handle_card(request.user, elder):
        raise PermissionDenied
    form = CardIssueForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            svc.card_issue,
            _("A new card was issued: print it and hand it to the elder; the old card no longer works."),
            elder=elder,
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    else:
        messages.error(request, _("Say why the card is issued (for example: first card, card lost)."))
    return redirect("providers:elder_agreements", elder_pk=elder.pk)


@login_required
def elder_card(request, elder_pk):
    """Print the elder's current card (never issues or re-issues one)."""
    elder = elder_get(user=request.user, pk=elder_pk)
    if not svc.may_handle_card(request.user, elder):
        raise PermissionDenied
    try:
        card = svc.card_for_print(elder=elder, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("providers:elder_agreements", elder_pk=elder.pk)
    return pdf_response(pdf.elder_card_pdf(card=card), f"card-{elder.pk}-v{card.version}.pdf")


urlpatterns = [
    path("agreements/", agreement_list, name="agreement_list"),
    path("agreements/sign/", agreement_sign, name="agreement_sign"),
    path("agreements/<int:pk>/end/", agreement_end, name="agreement_end"),
    path("agreements/<int:pk>/change-provider/", agreement_change, name="agreement_change"),
    path("elders/<int:elder_pk>/agreements/", elder_agreements, name="elder_agreements"),
    path("elders/<int:elder_pk>/card/issue/", elder_card_issue, name="elder_card_issue"),
    path("elders/<int:elder_pk>/card.pdf", elder_card, name="elder_card"),
]

# Menu entries and home-page panels of this area (registered by ProvidersConfig.ready()).
NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(gettext_lazy("Service agreements"), "providers:agreement_list", AGREEMENT_ROLES, 47, NavGroup.SERVICES),
)


def worklist(user) -> list[WorkPanel]:
    """The community's list of elders whose provider's qualification ended, to choose another."""
    if not user.has_role(Role.COMMUNITY_WORKER):
        return []
    elders = svc.elders_to_rehome(user=user)
    return [
        WorkPanel(
            _("Elders whose provider ended, to choose another"),
            [
                {
                    "label": e.name,
                    "url": reverse("providers:elder_agreements", args=[e.pk]),
                    "detail": e.community.name,
                    "flag": True,
                }
                for e in elders[:10]
            ],
            reverse("providers:agreement_list") + "?state=rehome",
            elders.count(),
        )
    ]


def _agreement_row(a: ServiceAgreement) -> dict:
    if a.ends_on is None:
        detail = _("signed %(date)s, open") % {"date": a.signed_on.isoformat()}
    else:
        detail = _("%(start)s – %(end)s, %(reason)s") % {
            "start": a.signed_on.isoformat(),
            "end": a.ends_on.isoformat(),
            "reason": a.get_end_reason_display() or "—",
        }
    return {
        "label": a.provider.name,
        "url": reverse("providers:elder_agreements", args=[a.elder_id]),
        "detail": detail,
        "flag": a.ends_on is not None,
    }


def hub_sections(user, elder) -> list[HubSection]:
    """What this area shows on the elder's page (eldercare.hub): agreements, and the card."""
    if not _sees_agreements(user):
        return []  # caregivers see neither agreements nor the card
    page = reverse("providers:elder_agreements", args=[elder.pk])
    agreements = list(svc.agreements_of(user=user, elder=elder))
    actions = [HubAction(_("Agreements and card"), page)]
    if svc.may_sign(user, elder) and elder.life_status == "active":
        actions.append(HubAction(_("Sign an agreement"), reverse("providers:agreement_sign") + f"?elder={elder.pk}"))
    for a in agreements:
        if a.ends_on is None and svc.may_change_provider(user, elder):
            actions.append(
                HubAction(
                    _("Change provider (%(provider)s)") % {"provider": a.provider.name},
                    reverse("providers:agreement_change", args=[a.pk]),
                )
            )
        if a.ends_on is None and svc.may_end(user, a):
            actions.append(HubAction(_("End an agreement (%(provider)s)") % {"provider": a.provider.name}, page))
    sections = [
        HubSection(
            _("Service agreements"),
            order=30,
            rows=[_agreement_row(a) for a in agreements],
            actions=actions,
            empty=_("No service agreement."),
        )
    ]
    if svc.may_handle_card(user, elder):
        card = svc.card_of(elder=elder)
        rows = []
        card_actions = []
        if card is not None:
            rows.append(
                {
                    "label": _("Current card: version %(version)s") % {"version": card.version},
                    "url": reverse("providers:elder_card", args=[elder.pk]),
                    "detail": _("issued %(at)s")
                    % {"at": timezone.localtime(card.issued_at).strftime("%Y-%m-%d %H:%M")},
                    "flag": False,
                }
            )
            rows.extend(
                {
                    "label": _("Version %(version)s") % {"version": i.version},
                    "url": "",
                    "detail": f"{timezone.localtime(i.created_at):%Y-%m-%d} · {i.by} · {i.reason}",
                    "flag": False,
                }
                for i in svc.card_issues_of(card=card)
            )
            card_actions.append(HubAction(_("Print the card"), reverse("providers:elder_card", args=[elder.pk])))
        card_actions.append(
            HubAction(
                _("Re-issue the card") if card else _("Issue the card"),
                reverse("providers:elder_card_issue", args=[elder.pk]),
                method="post",
                reason=True,
            )
        )
        sections.append(
            HubSection(_("Service card"), order=31, rows=rows, actions=card_actions, empty=_("No card issued yet."))
        )
    return sections
