"""Pages: policy versions (list, new version with a preview) and monthly runs (list, report, PDF, XLSX)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from eldercare.errors import DomainError
from eldercare.models import DifficultyCategory, Division
from eldercare.money import cny
from eldercare.paging import page_of
from eldercare.periods import Month
from eldercare.scoping import scope_for
from subsidies.standards.models import CareLevel, SubsidyRun
from subsidies.standards.reports import report_pdf, report_xlsx
from subsidies.standards.rules import FUNDING_SHARES_TOTAL, MIN_AGE, shares_complete
from subsidies.standards.selectors import (
    POLICY_ROLES,
    REPORT_ROLES,
    RUN_ROLES,
    VERSION_ROLES,
    policy_versions_for,
    run_report,
    runs_for,
    withdrawable_versions,
)
from subsidies.standards.services.entitlements import fraud_record
from subsidies.standards.services.policies import (
    ALL_LEVELS,
    DIFFICULTY,
    RowInput,
    policy_version_create,
    policy_version_preview,
    policy_version_withdraw,
    rows_of,
)
from subsidies.standards.services.starts import run_request
from vouchers.forms import FraudForm
from vouchers.views import account_status_action


def _require(request, roles):
    if not (request.user.is_superuser or request.user.has_role(*roles)):
        raise PermissionDenied


class RowForm(forms.Form):
    label = forms.CharField(label=_("label"), max_length=80)
    amount = forms.DecimalField(label=_("monthly amount"), min_value=0, max_digits=10, decimal_places=2)
    min_age = forms.IntegerField(label=_("minimum age"), min_value=0, max_value=120, initial=MIN_AGE)
    categories_any = forms.MultipleChoiceField(
        label=_("any of the categories"),
        required=False,
        choices=[(c, DifficultyCategory(c).label) for c in DIFFICULTY],
        widget=forms.CheckboxSelectMultiple,
    )
    low_income = forms.NullBooleanField(label=_("low-income (低保)"), required=False)
    care_levels = forms.MultipleChoiceField(
        label=_("care levels"),
        required=False,
        choices=[(c, CareLevel(c).label) for c in ALL_LEVELS],
        widget=forms.CheckboxSelectMultiple,
    )
    last_month = forms.CharField(
        label=_("paid until (end of the transition)"),
        required=False,
        max_length=7,
        help_text=_("like 2027-03; empty: as long as the version"),
    )

    def clean_last_month(self) -> Month | None:
        text = self.cleaned_data["last_month"].strip()
        if not text:
            return None
        try:
            return Month.parse(text)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc


RowFormSet = forms.formset_factory(RowForm, extra=1, can_delete=True)


class VersionForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "name"), max_length=120)
    month = forms.CharField(label=_("first month"), help_text=_("like 2027-01"))
    district_percent = forms.DecimalField(label=_("district share (%)"), min_value=0, max_value=100)
    town_percent = forms.DecimalField(label=_("town share (%)"), min_value=0, max_value=100)
    local = forms.BooleanField(label=_("local standard of my district"), required=False)

    def clean(self):
        data = super().clean()
        district, town = data.get("district_percent"), data.get("town_percent")
        if district is not None and town is not None and not shares_complete(district, town):
            raise forms.ValidationError(
                _("The district's and the town's shares must add up to %(whole)s%% (now %(district)s%% + %(town)s%%).")
                % {"whole": FUNDING_SHARES_TOTAL, "district": district, "town": town}
            )
        return data


class RunStartForm(forms.Form):
    month = forms.CharField(label=_("month to pay"), max_length=7, help_text=_("like 2027-01"))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("why it is withdrawn"), max_length=300)


@login_required
def policy_list(request):
    _require(request, POLICY_ROLES)
    may_create = request.user.is_superuser or request.user.has_role(*VERSION_ROLES)
    versions = list(policy_versions_for(request.user))
    return render(
        request,
        "subsidies/policies/list.html",
        {
            "versions": versions,
            "may_create": may_create,
            "withdrawable": withdrawable_versions(versions) if may_create else set(),
            "withdraw_form": WithdrawForm(),
        },
    )


@login_required
@require_POST
def policy_version_withdraw_view(request, pk: int):
    """Take back a version no month was paid under; the one before it is in force again."""
    _require(request, VERSION_ROLES)
    version = get_object_or_404(policy_versions_for(request.user), pk=pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the version is withdrawn."))
        return redirect("policy_list")
    try:
        policy_version_withdraw(version=version, reason=form.cleaned_data["reason"], by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The version “%(name)s” was withdrawn.") % {"name": version.name})
    return redirect("policy_list")


@login_required
def policy_version_new(request, pk: int):
    """A new version based on an existing one: edit the rows, preview the effect, then create."""
    _require(request, VERSION_ROLES)
    base = get_object_or_404(policy_versions_for(request.user), pk=pk)
    preview = None
    if request.method == "POST":
        form = VersionForm(request.POST)
        formset = RowFormSet(request.POST)
        if form.is_valid() and formset.is_valid():
            rows = [
                RowInput(
                    label=f.cleaned_data["label"],
                    amount=f.cleaned_data["amount"],
                    min_age=f.cleaned_data["min_age"],
                    categories_any=tuple(f.cleaned_data["categories_any"]),
                    low_income=f.cleaned_data["low_income"],
                    care_levels=tuple(f.cleaned_data["care_levels"]),
                    last_month=f.cleaned_data["last_month"],
                )
                for f in formset
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            district = None
            if form.cleaned_data["local"]:
                district = Division.objects.filter(pk__in=_district_ids(request.user)).first()
            try:
                month = Month.parse(form.cleaned_data["month"])
                kwargs = {
                    "scheme": base.scheme,
                    "district": district,
                    "month": month,
                    "rows": rows,
                    "district_percent": form.cleaned_data["district_percent"],
                    "town_percent": form.cleaned_data["town_percent"],
                    "by": request.user,
                }
                if request.POST.get("action") == "create":
                    policy_version_create(name=form.cleaned_data["name"], **kwargs)
                    return redirect("policy_list")
                preview = policy_version_preview(**kwargs)
            except DomainError as exc:
                form.add_error(None, exc.message)
    else:
        next_month = Month.current().next()
        form = VersionForm(
            initial={
                "name": f"{base.name}（{next_month}起）",
                "month": str(next_month),
                "district_percent": base.district_percent,
                "town_percent": base.town_percent,
                "local": base.district_id is not None,
            }
        )
        formset = RowFormSet(
            initial=[
                {
                    "label": r.label,
                    "amount": Decimal(r.amount),
                    "min_age": r.min_age,
                    "categories_any": list(r.categories_any),
                    "low_income": r.low_income,
                    "care_levels": list(r.care_levels),
                    "last_month": str(r.last_month) if r.last_month else "",
                }
                # A transition already over by the new version's first month is not carried over.
                for r in rows_of(base)
                if r.last_month is None or r.last_month >= next_month
            ]
        )
    return render(
        request, "subsidies/policies/new.html", {"base": base, "form": form, "formset": formset, "preview": preview}
    )


def _district_ids(user):
    return scope_for(user).district_ids


@login_required
def run_list(request):
    _require(request, REPORT_ROLES)
    may_start = request.user.is_superuser or request.user.has_role(*RUN_ROLES)
    form = RunStartForm(initial={"month": str(Month.current())}) if may_start else None
    if request.method == "POST":
        if not may_start:
            raise PermissionDenied
        form = RunStartForm(request.POST)
        if form.is_valid():
            try:
                run = run_request(month=Month.parse(form.cleaned_data["month"]), by=request.user)
            except DomainError as exc:
                form.add_error("month", exc.message)
            else:
                messages.success(
                    request,
                    _("The run of %(month)s has started; this page shows its progress.")
                    % {"month": Month.of(run.month)},
                )
                return redirect("subsidy_run_list")
    runs = page_of(request, runs_for(request.user))
    return render(request, "subsidies/run/list.html", {"runs": runs, "active": _active(runs), "form": form})


def _active(runs) -> bool:
    return any(r.status in (SubsidyRun.Status.QUEUED, SubsidyRun.Status.RUNNING) for r in runs)


@login_required
def run_rows(request):
    """The runs' rows, polled by the page while a run waits or runs."""
    _require(request, REPORT_ROLES)
    runs = page_of(request, runs_for(request.user))
    return render(request, "subsidies/run/_rows.html", {"runs": runs, "active": _active(runs)})


def _report(request, month: str):
    _require(request, REPORT_ROLES)
    try:
        target = Month.parse(month)
    except DomainError as exc:
        raise PermissionDenied from exc
    return run_report(user=request.user, month=target)


@login_required
def run_report_view(request, month: str):
    report = _report(request, month)
    # The street rosters the viewer may print (a community worker sees its street's line, not its roster).
    scope = scope_for(request.user)
    roster_streets = {line.division_id for line in report.by_street if scope.covers_street(line.division_id)}
    # The changes and the refusals can run to every elder of the district: a page of each.
    changes = page_of(request, report.changes, param="changes")
    refusals = page_of(request, report.refusals, param="refused")
    return render(
        request,
        "subsidies/run/report.html",
        {"report": report, "roster_streets": roster_streets, "changes": changes, "refusals": refusals},
    )


@login_required
def run_report_pdf(request, month: str):
    response = HttpResponse(report_pdf(_report(request, month)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="subsidy-run-{month}.pdf"'
    return response


@login_required
def run_report_xlsx(request, month: str):
    response = HttpResponse(
        report_xlsx(_report(request, month)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="subsidy-run-{month}.xlsx"'
    return response


# --- voucher fraud: the ledger's repayment and the end of the entitlement ------------------------


@login_required
@require_POST
def fraud_view(request, elder_pk):
    return account_status_action(
        request,
        elder_pk,
        FraudForm,
        lambda elder, d: fraud_record(elder=elder, amount=cny(d["amount"]), reason=d["reason"], by=request.user),
    )
