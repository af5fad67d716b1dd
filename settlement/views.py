"""Settlement pages. Thin: a scoped selector or one service, then render."""

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from eldercare.errors import DomainError
from eldercare.exports import XLSX, document_response
from eldercare.forms import DateInput
from eldercare.models import Division, Role
from eldercare.money import cny
from eldercare.periods import Month, Quarter
from eldercare.scoping import scope_for

from . import selectors, services
from .models import QuarterSettlement, RepaymentClaim, RepaymentReceipt, SettlementReport
from .reports import bar_chart_svg, provider_month_quality, provider_names
from .selectors import REPORT_ROLES
from .statement import (
    STATEMENT_ROLES,
    provider_month_totals,
    statement_build,
    statement_pdf,
    statement_provider,
    statement_xlsx,
)


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except DomainError as exc:
        raise Http404 from exc


def _quarter(text: str) -> Quarter:
    try:
        return Quarter.parse(text)
    except DomainError as exc:
        raise Http404 from exc


def _amount(line) -> Decimal:
    total = line.total
    return total.amount if hasattr(total, "amount") else total


@login_required
def dashboard_view(request):
    """The current quarter by month, provider and town (finance, supervisors, district)."""
    if not (request.user.is_superuser or request.user.has_role(*selectors.QUARTER_ROLES)):
        raise Http404
    quarter = _quarter(request.GET["q"]) if request.GET.get("q") else Month.current().quarter
    by_month, by_provider, by_town = [], defaultdict(Decimal), defaultdict(Decimal)
    for _sm, lines in selectors.months_lines(user=request.user, months=quarter.months):
        by_month.append(sum((_amount(x) for x in lines), Decimal("0")))
        for x in lines:
            by_provider[x.provider_id] += _amount(x)
            by_town[x.street_id] += _amount(x)
    names = provider_names(by_provider)
    towns = dict(Division.objects.filter(pk__in=by_town).values_list("pk", "name"))
    charts = {
        "month": bar_chart_svg([str(m) for m in quarter.months], by_month),
        "provider": bar_chart_svg([names[k] for k in by_provider], list(by_provider.values()), width=720),
        "town": bar_chart_svg([towns[k] for k in by_town], list(by_town.values())),
    }
    return render(
        request,
        "settlement/dashboard.html",
        {
            "quarter": quarter,
            "charts": charts,
            "total": sum(by_month, Decimal("0")),
            "quarters": selectors.quarters_for(user=request.user)[:8],
            "to_settle": selectors.quarters_to_settle(user=request.user),
            "months": selectors.months_for(user=request.user)[:12],
            "can_settle": request.user.is_superuser or request.user.has_role(Role.FINANCE, Role.SYSADMIN),
            "suggested": quarter.months[0].previous().quarter,
        },
    )


@login_required
def month_view(request, month):
    m = _month(month)
    service_month, lines = selectors.month_lines(user=request.user, month=m)
    confirmed = {c.street_id: c for c in service_month.confirmations.all()} if service_month else {}
    scope = scope_for(request.user)
    my_streets = []
    if request.user.has_role(Role.STREET_REVIEWER):
        my_streets = list(Division.objects.filter(pk__in=scope.street_ids).order_by("code"))
    streets = sorted({x.street_id for x in lines})
    street_names = dict(Division.objects.filter(pk__in=streets).values_list("pk", "name"))
    names = provider_names({x.provider_id for x in lines})
    communities = dict(Division.objects.filter(pk__in={x.community_id for x in lines}).values_list("pk", "name"))
    money = ("subsidy", "personal", "cash", "total")
    rows = [
        {
            "line": x,
            # Live figures are Decimals, locked lines Money: shown alike, in yuan.
            "money": {
                k: cny(getattr(x, k).amount if hasattr(getattr(x, k), "amount") else getattr(x, k)) for k in money
            },
            "provider": names.get(x.provider_id, ""),
            "community": communities.get(x.community_id, ""),
            "street": street_names.get(x.street_id, ""),
        }
        for x in lines
    ]
    quality = provider_month_quality(list(names), m.first_day, m.last_day)
    # One statement of services per provider (the provider's admin sees only its own lines).
    may_print = request.user.is_superuser or request.user.has_role(*STATEMENT_ROLES, Role.PROVIDER_ADMIN)
    provider_totals = provider_month_totals(lines)
    statements = [
        {"provider_id": pid, "name": names.get(pid, ""), "total": cny(total)}
        for pid, total in sorted(provider_totals.items(), key=lambda kv: names.get(kv[0], ""))
    ]
    totals: dict = {k: cny(sum((r["money"][k].amount for r in rows), Decimal("0"))) for k in money}
    totals["visits"] = sum(x.visits for x in lines)
    return render(
        request,
        "settlement/month.html",
        {
            "month": m,
            "service_month": service_month,
            "rows": rows,
            "totals": totals,
            "confirmations": [{"street": street_names.get(s, ""), "confirmation": confirmed.get(s)} for s in streets],
            "to_confirm": [s for s in my_streets if s.pk not in confirmed],
            "locked": bool(service_month and service_month.status == "locked"),
            "quarter": m.quarter
            if request.user.is_superuser or request.user.has_role(*selectors.QUARTER_ROLES)
            else None,
            "quality": [{"name": names[k], **v} for k, v in quality.items()],
            "statements": statements if may_print else [],
        },
    )


@login_required
@require_POST
def month_confirm_view(request, month):
    m = _month(month)
    street = Division.objects.filter(pk=request.POST.get("street"), level=Division.Level.STREET).first()
    if street is None or street.pk not in scope_for(request.user).street_ids and not request.user.is_superuser:
        raise Http404
    try:
        services.month_confirm(month=m, street=street, by=request.user, note=request.POST.get("note", ""))
        messages.success(request, _("%(street)s confirmed %(month)s.") % {"street": street, "month": m})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("settlement_month", month=str(m))


@login_required
def quarter_view(request, quarter):
    """The quarter: its three months (locked or which towns must still confirm), then the
    settlement once prepared, with the actions finance may take."""
    q = _quarter(quarter)
    user = request.user
    settlement = selectors.quarter_find(user=user, quarter=q)
    months = selectors.month_states(user=user, months=q.months)
    can_settle = user.is_superuser or user.has_role(Role.FINANCE, Role.SYSADMIN)
    status = settlement.status if settlement else ""
    S = QuarterSettlement.Status
    labels = dict(S.choices)
    return render(
        request,
        "settlement/quarter.html",
        {
            "q": q,
            "s": settlement,
            "months": months,
            "open_months": [m for m in months if not m.locked],
            "returned": selectors.quarter_last_return(settlement) if status == S.RETURNED else None,
            "lines": settlement.lines.select_related("provider", "street") if settlement else [],
            "needs": settlement.needs.select_related("community") if settlement else [],
            "events": [
                {"e": e, "from": labels.get(e.from_status, "—"), "to": labels.get(e.to_status, e.to_status)}
                for e in (settlement.events.select_related("by") if settlement else [])
            ],
            "payables": selectors.quarter_payables(settlement),
            "reports": selectors.reports_for(user=user).filter(quarter=q.first_day)[:12],
            "report_kinds": SettlementReport.Kind.choices,
            "can_settle": can_settle,
            "can_prepare": can_settle and status != S.APPROVED,
            "can_review": can_settle and status == S.PREPARED and settlement.prepared_by_id != user.pk,
            "own_preparation": status == S.PREPARED and settlement.prepared_by_id == user.pk,
            "can_report": settlement is not None and (user.is_superuser or user.has_role(*REPORT_ROLES)),
            "approved": status == S.APPROVED,
        },
    )


@login_required
@require_POST
def quarter_settle_view(request):
    try:
        q = Quarter.parse(request.POST.get("quarter", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("settlement_dashboard")
    try:
        services.quarter_prepare(quarter=q, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The quarter %(q)s is settled; another finance user approves it.") % {"q": q})
    return redirect("settlement_quarter", quarter=str(q))


@login_required
@require_POST
def quarter_approve_view(request, quarter):
    q = _quarter(quarter)
    settlement = selectors.quarter_get(user=request.user, quarter_first_day=q.first_day)
    try:
        services.quarter_approve(settlement=settlement, by=request.user, note=request.POST.get("note", ""))
        messages.success(request, _("The quarter %(q)s is approved.") % {"q": q})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("settlement_quarter", quarter=str(q))


@login_required
@require_POST
def quarter_send_back_view(request, quarter):
    q = _quarter(quarter)
    settlement = selectors.quarter_get(user=request.user, quarter_first_day=q.first_day)
    try:
        services.quarter_send_back(settlement=settlement, by=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("The quarter %(q)s is sent back to be prepared again.") % {"q": q})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("settlement_quarter", quarter=str(q))


@login_required
@require_POST
def report_request_view(request, quarter):
    q = _quarter(quarter)
    kind = request.POST.get("kind", "")
    if kind not in SettlementReport.Kind.values:
        raise Http404
    try:
        services.report_request(quarter=q, kind=kind, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("settlement_quarter", quarter=str(q))


@login_required
def report_status_view(request, pk):
    """The htmx fragment polled while the report is produced."""
    report = selectors.report_get(user=request.user, pk=pk)
    return render(request, "settlement/_report.html", {"r": report})


@login_required
def report_download_view(request, pk):
    report = selectors.report_get(user=request.user, pk=pk)
    if report.status != SettlementReport.Status.DONE or not report.path or not Path(report.path).exists():
        raise Http404
    name = f"{Month.of(report.quarter).quarter}-{report.kind}{Path(report.path).suffix}"
    return FileResponse(open(report.path, "rb"), as_attachment=True, filename=name)  # noqa: SIM115


# --- repayment claims against providers (追缴退赔) ---------------------------------------------


class ClaimForm(forms.Form):
    provider = forms.ModelChoiceField(queryset=None, label=gettext_lazy("provider"))
    amount = forms.DecimalField(
        label=gettext_lazy("amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    ground = forms.ChoiceField(label=gettext_lazy("ground"), choices=RepaymentClaim.Ground.choices)
    reason = forms.CharField(label=gettext_lazy("reason"), widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.CharField(label=gettext_lazy("evidence reference"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = selectors.claim_providers(user=user)


class ReceiptForm(forms.Form):
    amount = forms.DecimalField(
        label=gettext_lazy("amount received"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    received_on = forms.DateField(label=gettext_lazy("received on"), widget=DateInput)
    method = forms.ChoiceField(label=gettext_lazy("payment method"), choices=RepaymentReceipt.Method.choices)
    note = forms.CharField(label=gettext_lazy("note"), required=False)


def _may_create_claim(user) -> bool:
    return user.is_superuser or user.has_role(Role.FINANCE, Role.DISTRICT_REVIEWER, Role.SYSADMIN)


def _may_receive(user) -> bool:
    return user.is_superuser or user.has_role(Role.FINANCE, Role.SYSADMIN)


@login_required
def claims_view(request):
    """Repayment claims of the user's district, and the form to make one."""
    user = request.user
    if not (user.is_superuser or user.has_role(*selectors.CLAIM_ROLES)):
        raise Http404
    form = ClaimForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_create(
                provider=form.cleaned_data["provider"],
                amount=form.cleaned_data["amount"],
                ground=form.cleaned_data["ground"],
                reason=form.cleaned_data["reason"],
                evidence=form.cleaned_data["evidence"],
                by=user,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The repayment claim is recorded."))
            return redirect("settlement_claim", pk=claim.pk)
    # `?open=1`: the work list's claims with money still to recover.
    claims = list(selectors.claims_open(user=user) if request.GET.get("open") else selectors.claims_for(user=user))
    return render(
        request,
        "settlement/claims.html",
        {"claims": claims, "total": len(claims), "form": form, "can_create": _may_create_claim(user)},
    )


@login_required
def claim_view(request, pk):
    claim = selectors.claim_get(user=request.user, pk=pk)
    return render(
        request,
        "settlement/claim.html",
        {
            "c": claim,
            "deductions": selectors.claim_deductions(claim),
            "receipts": selectors.claim_receipts(claim),
            "form": ReceiptForm(initial={"received_on": timezone.localdate(), "amount": claim.remaining}),
            "can_receive": _may_receive(request.user) and claim.remaining > 0,
        },
    )


@login_required
@require_POST
def claim_receipt_view(request, pk):
    claim = selectors.claim_get(user=request.user, pk=pk)
    form = ReceiptForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the amount and the day the money was received."))
        return redirect("settlement_claim", pk=claim.pk)
    try:
        services.claim_receipt_record(claim=claim, by=request.user, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The repayment is recorded."))
    return redirect("settlement_claim", pk=claim.pk)


def today():
    return timezone.localdate()


# --- a provider's monthly statement of services ----------------------------------------------


def _statement(request, month: str, provider_id: int):
    return statement_build(provider=statement_provider(user=request.user, provider_id=provider_id), month=_month(month))


@login_required
def statement_pdf_view(request, month, provider_id):
    return document_response(
        statement_pdf(_statement(request, month, provider_id)),
        content_type="application/pdf",
        filename=f"statement-{month}-{provider_id}.pdf",
        inline=True,
    )


@login_required
def statement_xlsx_view(request, month, provider_id):
    return document_response(
        statement_xlsx(_statement(request, month, provider_id)),
        content_type=XLSX,
        filename=f"statement-{month}-{provider_id}.xlsx",
    )
