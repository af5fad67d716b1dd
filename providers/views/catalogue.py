"""The catalogue: items and packages a provider offers, approved by the district."""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eldercare.hub import HubSection
from eldercare.models import Role, User
from eldercare.nav import NavGroup, NavItem, WorkPanel
from eldercare.paging import page_of
from eldercare.scoping import scope_for

from ..forms.catalogue import DecisionForm, ItemForm, ItemVersionForm, PackageForm
from ..models import Approval, Provider, ServiceItem, ServicePackage
from ..selectors import provider_list
from ..services.catalogue import (
    catalogue_items,
    catalogue_packages,
    entries_pending,
    entry_approve,
    entry_reject,
    item_create,
    item_revise,
    package_create,
    package_revise,
)
from .common import is_district, run_service

VIEWERS = (Role.PROVIDER_ADMIN, Role.DISTRICT_REVIEWER, Role.SUPERVISOR, Role.SYSADMIN)


def _may_view(user: User) -> bool:
    return user.is_superuser or user.has_role(*VIEWERS)


def _own_providers(user: User):
    """The providers whose catalogue the user keeps (a provider admin's own; an administrator's all)."""
    qs = provider_list(user=user).filter(status=Provider.Status.CONTRACTED)
    if user.is_superuser or user.has_role(Role.SYSADMIN):
        return qs
    if not user.has_role(Role.PROVIDER_ADMIN):
        return qs.none()
    return qs.filter(pk__in=scope_for(user).provider_ids)


def _provider_field(form: forms.Form, providers) -> None:
    """A provider admin of one provider adds to it; someone keeping several chooses."""
    if providers.count() != 1:
        form.fields = {
            "provider": forms.ModelChoiceField(label=gettext_lazy("Provider"), queryset=providers),
            **form.fields,
        }


@login_required
def catalogue_list(request):
    if not _may_view(request.user):
        raise PermissionDenied
    state = request.GET.get("state", "")
    items = catalogue_items(user=request.user).order_by("provider__name", "kind", "name", "valid_from")
    packages = catalogue_packages(user=request.user).order_by("provider__name", "name", "valid_from")
    if state in Approval.values:
        items, packages = items.filter(approval=state), packages.filter(approval=state)
    # A district's catalogue grows with its providers: each list pages on its own.
    items_page = page_of(request, items, param="page")
    packages_page = page_of(request, packages, param="packages")
    return render(
        request,
        "providers/catalogue/list.html",
        {
            "items": items_page,
            "packages": packages_page,
            "total": items_page.paginator.count + packages_page.paginator.count,
            "state": state,
            "states": Approval.choices,
            "today": timezone.localdate(),
            "may_add": _own_providers(request.user).exists(),
            "is_district": is_district(request.user),
        },
    )


@login_required
def item_new(request):
    providers = _own_providers(request.user)
    if not providers.exists():
        raise PermissionDenied
    form = ItemForm(request.POST or None)
    _provider_field(form, providers)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        item = run_service(
            request,
            item_create,
            _("The item was added; it can be booked once the district approves it."),
            provider=d.get("provider") or providers.get(),
            kind=d["kind"],
            name=d["name"],
            price=d["price"],
            minutes=d["minutes"],
            certificate_kind=d["certificate_kind"],
            subsidised=d["subsidised"],
            valid_from=d["valid_from"],
            by=request.user,
        )
        if item:
            return redirect("providers:catalogue_item", pk=item.pk)
    return render(
        request,
        "providers/form.html",
        {
            "form": form,
            "title": _("Add a service item"),
            "intro": _("A new item waits for the district's approval before it can be booked."),
            "form_id": "item-form",
            "cancel_url": reverse("providers:catalogue"),
        },
    )


@login_required
def package_new(request):
    providers = _own_providers(request.user)
    if not providers.exists():
        raise PermissionDenied
    items = (
        catalogue_items(user=request.user)
        .filter(provider__in=providers, active=True, valid_until__isnull=True)
        .exclude(approval=Approval.REJECTED)
        .order_by("provider__name", "kind", "name")
    )
    form = PackageForm(request.POST or None, items=items)
    _provider_field(form, providers)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        package = run_service(
            request,
            package_create,
            _("The package was added; it can be booked once the district approves it."),
            provider=d.get("provider") or providers.get(),
            name=d["name"],
            items=list(d["items"]),
            price=d["price"],
            valid_from=d["valid_from"],
            by=request.user,
        )
        if package:
            return redirect("providers:catalogue_package", pk=package.pk)
    return render(
        request,
        "providers/form.html",
        {
            "form": form,
            "title": _("Add a package"),
            "intro": _("A package holds your own items at one package price; each item is its own visit."),
            "form_id": "package-form",
            "cancel_url": reverse("providers:catalogue"),
        },
    )


def _decide(request, entry) -> None:
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return
    note = form.cleaned_data["note"]
    if request.POST.get("action") == "approve":
        run_service(
            request,
            entry_approve,
            _("Approved: the entry can be booked from its date."),
            entry=entry,
            note=note,
            by=request.user,
        )
    elif request.POST.get("action") == "reject":
        run_service(
            request, entry_reject, _("Rejected; the provider sees your note."), entry=entry, note=note, by=request.user
        )


def _versions(entry) -> list:
    """The entry's line of versions, oldest first: what it replaced and what replaced it."""
    model = type(entry)
    line = [entry]
    while line[0].replaces_id is not None:
        line.insert(0, model.objects.get(pk=line[0].replaces_id))
    nxt = model.objects.filter(replaces=line[-1]).first()
    while nxt is not None:
        line.append(nxt)
        nxt = model.objects.filter(replaces=nxt).first()
    return line


def _may_revise(user: User, entry) -> bool:
    return (
        _own_providers(user).filter(pk=entry.provider_id).exists()
        and entry.approval == Approval.APPROVED
        and entry.active
        and entry.valid_until is None
        and not entry.versions.exists()
    )


def _entry_page(request, entry, *, version_form, bound_form, revise, url_name: str, is_item: bool):
    """An item's or a package's page: its versions, the district's decision, and for its provider a
    new version from a date (`bound_form` binds the posted form, `revise` makes the version)."""
    may_revise = _may_revise(request.user, entry)
    if request.method == "POST":
        if request.POST.get("action") != "revise":
            _decide(request, entry)
            return redirect(url_name, pk=entry.pk)
        if not may_revise:
            raise PermissionDenied
        version_form = bound_form(request.POST)
        if version_form.is_valid():
            new = run_service(
                request,
                revise,
                _("The new version waits for the district's approval; the current one stays in force until then."),
                by=request.user,
                **version_form.cleaned_data,
            )
            if new:
                return redirect(url_name, pk=new.pk)
    return render(
        request,
        "providers/catalogue/entry.html",
        {
            "entry": entry,
            "is_item": is_item,
            "versions": _versions(entry),
            "may_decide": is_district(request.user) and entry.approval == Approval.PENDING,
            "decision_form": DecisionForm(),
            "may_revise": may_revise,
            "version_form": version_form,
        },
    )


@login_required
def item_detail(request, pk):
    if not _may_view(request.user):
        raise PermissionDenied
    item = get_object_or_404(catalogue_items(user=request.user), pk=pk)
    return _entry_page(
        request,
        item,
        version_form=ItemVersionForm(initial={"name": item.name, "price": item.price.amount, "minutes": item.minutes}),
        bound_form=ItemVersionForm,
        revise=lambda **d: item_revise(item=item, **d),
        url_name="providers:catalogue_item",
        is_item=True,
    )


@login_required
def package_detail(request, pk):
    if not _may_view(request.user):
        raise PermissionDenied
    package = get_object_or_404(catalogue_packages(user=request.user), pk=pk)
    items = (
        catalogue_items(user=request.user)
        .filter(provider=package.provider, active=True, valid_until__isnull=True)
        .exclude(approval=Approval.REJECTED)
    )
    return _entry_page(
        request,
        package,
        version_form=PackageForm(
            initial={"name": package.name, "price": package.price.amount, "items": list(package.items.all())},
            items=items,
        ),
        bound_form=lambda data: PackageForm(data, items=items),
        revise=lambda items, **d: package_revise(package=package, items=list(items), **d),
        url_name="providers:catalogue_package",
        is_item=False,
    )


urlpatterns = [
    path("catalogue/", catalogue_list, name="catalogue"),
    path("catalogue/items/new/", item_new, name="catalogue_item_new"),
    path("catalogue/items/<int:pk>/", item_detail, name="catalogue_item"),
    path("catalogue/packages/new/", package_new, name="catalogue_package_new"),
    path("catalogue/packages/<int:pk>/", package_detail, name="catalogue_package"),
]

# Menu entries and home-page panels of this area (registered by ProvidersConfig.ready()).
NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(gettext_lazy("Service catalogue"), "providers:catalogue", VIEWERS, 39, NavGroup.SERVICES),
)


def _rows(items: list[ServiceItem], packages: list[ServicePackage], *, flag: bool = False) -> list[dict]:
    rows = []
    for entry in [*items, *packages]:
        is_item = isinstance(entry, ServiceItem)
        label = f"{entry.provider.name} · {entry.name} · {entry.price}"
        if entry.replaces_id:
            label += " · " + _("new version from %(day)s") % {"day": entry.valid_from.isoformat()}
        if not is_item:
            label = _("Package") + " · " + label
        url_name = "providers:catalogue_item" if is_item else "providers:catalogue_package"
        detail = entry.approval_note if entry.approval == Approval.REJECTED else entry.get_approval_display()
        rows.append({"label": label, "url": reverse(url_name, args=[entry.pk]), "detail": detail, "flag": flag})
    return rows


def worklist(user) -> list[WorkPanel]:
    panels: list[WorkPanel] = []
    if user.has_role(Role.DISTRICT_REVIEWER):
        items, packages = entries_pending(user=user)
        panels.append(
            WorkPanel(
                _("Catalogue entries awaiting approval"),
                _rows(items[:8], packages[:8]),
                reverse("providers:catalogue") + "?state=pending",
                len(items) + len(packages),
            )
        )
    if user.has_role(Role.PROVIDER_ADMIN):
        items, packages = entries_pending(user=user)
        recent = timezone.now() - datetime.timedelta(days=30)
        rejected_items = catalogue_items(user=user).filter(approval=Approval.REJECTED, approved_at__gte=recent)
        rejected_packages = catalogue_packages(user=user).filter(approval=Approval.REJECTED, approved_at__gte=recent)
        rows = _rows(list(rejected_items[:5]), list(rejected_packages[:5]), flag=True) + _rows(items[:8], packages[:8])
        panels.append(
            WorkPanel(
                _("Your catalogue: awaiting the district or rejected"),
                rows,
                reverse("providers:catalogue") + "?state=pending",
                len(items) + len(packages),
            )
        )
    return panels


def hub_sections(user, elder) -> list[HubSection]:
    """What this area shows on the elder's page (eldercare.hub): the visits are in views/orders."""
    return []
