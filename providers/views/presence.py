"""Presence at the door: the district's verification rules and the elder's home location."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from eldercare.errors import DomainError
from eldercare.hub import HubAction, HubSection
from eldercare.models import Division, Elder, Role, User
from eldercare.nav import NavGroup, NavItem, WorkPanel
from eldercare.scoping import scope_for
from eldercare.selectors import elder_get

from ..forms.presence import HomeLocationForm, ReasonCodeForm, VisitPolicyForm
from ..models import HomeLocation, Provider, ReasonCode, VisitPolicy
from ..services import presence as svc
from ..services.access import in_community_scope, is_admin

# Who reads the district's rules on the page; the district reviewer (and an administrator) sets them.
POLICY_VIEWERS = (Role.DISTRICT_REVIEWER, Role.SUPERVISOR, Role.SYSADMIN)
# Who sees where an elder's home is: the public side, never a provider.
HOME_VIEWERS = (
    Role.COMMUNITY_WORKER,
    Role.STREET_REVIEWER,
    Role.DISTRICT_REVIEWER,
    Role.SUPERVISOR,
    Role.SYSADMIN,
)


def district_of(user: User) -> Division | None:
    """The district whose rules the user works under: the district of their division or of their
    provider. A system administrator works in the first district."""
    scope = scope_for(user)
    districts = Division.objects.filter(level=Division.Level.DISTRICT).order_by("code")
    if scope.all:
        return districts.first()
    q = Q(pk__in=scope.district_ids)
    if scope.street_ids:
        q |= Q(pk__in=Division.objects.filter(pk__in=scope.street_ids).values("parent_id"))
    if scope.community_ids:
        q |= Q(pk__in=Division.objects.filter(pk__any_of=scope.community_ids).values("parent__parent_id"))
    if scope.provider_ids:
        q |= Q(pk__in=Provider.objects.filter(pk__any_of=scope.provider_ids).values("district_id"))
    return districts.filter(q).first()


def may_set_policy(user: User) -> bool:
    return is_admin(user) or user.has_role(Role.DISTRICT_REVIEWER)


def may_locate(user: User, elder: Elder) -> bool:
    """The community worker of the elder's community records where the home is."""
    return is_admin(user) or (user.has_role(Role.COMMUNITY_WORKER) and in_community_scope(user, elder))


def _sees_homes(user: User) -> bool:
    return user.is_superuser or user.has_role(*HOME_VIEWERS)


def _initial(policy: VisitPolicy) -> dict:
    return {name: getattr(policy, name) for name in svc.POLICY_FIELDS}


def _policy_district(user: User) -> Division:
    if not (user.is_superuser or user.has_role(*POLICY_VIEWERS)):
        raise PermissionDenied
    district = district_of(user)
    if district is None:
        raise PermissionDenied
    return district


def _render_policy(request, district: Division, *, form=None, reason_form=None):
    user = request.user
    editable = may_set_policy(user)
    policy = svc.policy_of_district(district)
    if form is None:
        form = VisitPolicyForm(initial=_initial(policy), read_only=not editable)
    changes = VisitPolicy.history.filter(district=district).select_related("history_user").order_by("-history_date")
    return render(
        request,
        "providers/presence/policy.html",
        {
            "district": district,
            "form": form,
            "editable": editable,
            "saved": policy.pk is not None,
            "changes": changes[:10],
            # Every code, retired ones too: a retired code is still named by past corrections.
            "reason_codes": ReasonCode.objects.all(),
            "reason_form": (reason_form or ReasonCodeForm()) if editable else None,
        },
    )


@login_required
def policy_page(request):
    """The district's rules for verifying a visit at the door (read-only for the supervisor)."""
    user = request.user
    district = _policy_district(user)
    if request.method == "POST":
        if not may_set_policy(user):
            raise PermissionDenied
        policy = svc.policy_of_district(district)
        form = VisitPolicyForm(request.POST, initial=_initial(policy))
        if form.is_valid():
            try:
                svc.policy_set(district=district, by=user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, _("The visit verification rules of %(district)s are saved.") % {"district": district}
                )
                return redirect("providers:visit_policy")
        return _render_policy(request, district, form=form)
    return _render_policy(request, district)


@login_required
@require_POST
def reason_code_add(request):
    """The district adds a reason code; an invalid one shows the page again with the errors."""
    district = _policy_district(request.user)
    if not may_set_policy(request.user):
        raise PermissionDenied
    form = ReasonCodeForm(request.POST)
    if form.is_valid():
        try:
            reason = svc.reason_code_create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("The reason code “%(name)s” is added: providers can choose it now.") % {"name": reason.name},
            )
            return redirect("providers:visit_policy")
    return _render_policy(request, district, reason_form=form)


@login_required
@require_POST
def reason_code_active(request, pk, active: bool):
    """Retire a reason code (providers no longer choose it) or reinstate it; never deleted."""
    _policy_district(request.user)
    if not may_set_policy(request.user):
        raise PermissionDenied
    reason = get_object_or_404(ReasonCode, pk=pk)
    try:
        reason = svc.reason_code_update(reason=reason, by=request.user, active=active)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if active:
            text = _("The reason code “%(name)s” is reinstated: providers can choose it again.")
        else:
            text = _("The reason code “%(name)s” is retired: providers can no longer choose it.")
        messages.success(request, text % {"name": reason.name})
    return redirect("providers:visit_policy")


@login_required
def home_location(request, elder_pk):
    """Where the elder's home is, the reference of the geofence; the elder's community records it."""
    elder = elder_get(user=request.user, pk=elder_pk)
    if not _sees_homes(request.user):
        raise PermissionDenied
    editable = may_locate(request.user, elder)
    home = svc.home_of(elder.pk)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        form = HomeLocationForm(request.POST)
        if form.is_valid():
            try:
                svc.home_locate(elder=elder, by=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The location of %(name)s's home is saved.") % {"name": elder.name})
                return redirect("providers:home_location", elder_pk=elder.pk)
    else:
        form = HomeLocationForm(initial={"lat": home.lat, "lng": home.lng} if home else None)
    return render(
        request,
        "providers/presence/home.html",
        {
            "elder": elder,
            "home": home,
            "form": form,
            "editable": editable,
            "policy": svc.policy_for(elder),
        },
    )


urlpatterns = [
    path("visit-verification/", policy_page, name="visit_policy"),
    path("visit-verification/reason-codes/", reason_code_add, name="reason_code_add"),
    path(
        "visit-verification/reason-codes/<int:pk>/retire/",
        reason_code_active,
        {"active": False},
        name="reason_code_retire",
    ),
    path(
        "visit-verification/reason-codes/<int:pk>/reinstate/",
        reason_code_active,
        {"active": True},
        name="reason_code_reinstate",
    ),
    path("elders/<int:elder_pk>/home-location/", home_location, name="home_location"),
]

# Menu entries and home-page panels of this area (registered by ProvidersConfig.ready()).
NAV_ITEMS: tuple[NavItem, ...] = (
    # A district setting, beside the holiday calendar (95).
    NavItem(gettext_lazy("Visit verification"), "providers:visit_policy", POLICY_VIEWERS, 94, NavGroup.ADMINISTRATION),
)


def worklist(user) -> list[WorkPanel]:
    # Nothing waits here: a home nobody located is learnt from its first verified visit.
    return []


def _located_detail(home: HomeLocation) -> str:
    when = timezone.localtime(home.updated_at).strftime("%Y-%m-%d %H:%M")
    if home.source == HomeLocation.Source.COMMUNITY and home.set_by is not None:
        return f"{home.get_source_display()} · {home.set_by} · {when}"
    if home.order_id:
        return f"{home.get_source_display()} · #{home.order_id} · {when}"
    return f"{home.get_source_display()} · {when}"


def hub_sections(user, elder) -> list[HubSection]:
    """The elder's page: whether the home is located for the geofence, and who located it."""
    if not _sees_homes(user):
        return []
    page = reverse("providers:home_location", args=[elder.pk])
    home = HomeLocation.objects.select_related("set_by").filter(elder=elder).first()
    rows = []
    if home is not None:
        rows.append(
            {
                "label": _("Located: %(lat)s, %(lng)s") % {"lat": home.lat, "lng": home.lng},
                "url": page,
                "detail": _located_detail(home),
                "flag": False,
            }
        )
    actions = []
    if may_locate(user, elder):
        actions.append(HubAction(_("Correct the location") if home else _("Locate the home"), page))
    elif home is None:
        actions.append(HubAction(_("Details"), page))
    return [
        HubSection(
            _("Home location"),
            order=32,
            rows=rows,
            actions=actions,
            empty=_("Not located yet: visits are not compared with the home's location until it is."),
        )
    ]
