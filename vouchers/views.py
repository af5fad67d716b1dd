"""Pages of the voucher ledger. Thin: a scoped selector or one service, then render."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eldercare.errors import DomainError, ValidationFailed
from eldercare.money import cny
from eldercare.paging import page_of
from eldercare.pdf import render_pdf
from eldercare.periods import Month
from eldercare.searching import search_by_post, search_text

from . import services
from .forms import CounterForm, FraudForm, FreezeForm, ReasonForm
from .models import Account, LedgerTransaction
from .selectors import account_get, account_list, elder_accounts, elder_for_accounts, entry_list, month_statement
from .services.accounts import CANCEL_ROLES, DISTRICT_ROLES, FREEZE_ROLES
from .services.deposits import COUNTER_KINDS, counter_closed_reason


@login_required
@search_by_post
def account_list_view(request):
    """The accounts; the search box posts its text (see `eldercare.searching`)."""
    kind = request.GET.get("kind", "")
    if kind not in Account.Kind.values:
        kind = ""
    status = request.GET.get("status", "")
    if status not in Account.Status.values:
        status = ""
    q = search_text(request)
    qs = account_list(user=request.user, kind=kind, search=q)
    if status:
        qs = qs.filter(status=status)
    page = page_of(request, qs)
    return render(
        request,
        "vouchers/account_list.html",
        {
            "page": page,
            "kinds": Account.Kind.choices,
            "kind": kind,
            "statuses": Account.Status.choices,
            "status": status,
            "q": q,
            "s": request.GET.get("s", ""),
        },
    )


@login_required
def account_detail_view(request, pk):
    account = account_get(user=request.user, pk=pk)
    if account.elder_id:
        return redirect("voucher_elder", account.elder_id)
    page = page_of(request, entry_list(accounts=[account]))
    return render(request, "vouchers/account_detail.html", {"account": account, "page": page})


def _actions(user, account: Account | None) -> dict[str, bool]:
    def can(*roles):
        return user.is_superuser or user.has_role(*roles)

    status = account.status if account else Account.Status.ACTIVE
    return {
        "freeze": status == Account.Status.ACTIVE and can(*FREEZE_ROLES),
        "unfreeze": status == Account.Status.FROZEN and can(*DISTRICT_ROLES),
        "cancel": status != Account.Status.ARCHIVED and can(*CANCEL_ROLES),
        "fraud": can(*DISTRICT_ROLES),
    }


@login_required
def elder_accounts_view(request, elder_pk):
    elder = elder_for_accounts(user=request.user, pk=elder_pk)
    accounts = elder_accounts(elder=elder)
    opened = [a for a in accounts.values() if a is not None]
    page = page_of(request, entry_list(accounts=opened), per_page=30)
    subsidy = accounts[Account.Kind.SUBSIDY]
    personal = accounts[Account.Kind.PERSONAL]
    current = Month.current()
    return render(
        request,
        "vouchers/elder_accounts.html",
        {
            "elder": elder,
            "subsidy": subsidy,
            "personal": personal,
            "page": page,
            "months": [current.plus(-i) for i in range(12)],
            "actions": _actions(request.user, subsidy),
            "counter": services.counter_allowed(user=request.user, elder=elder),
            "counter_closed": counter_closed_reason(elder, personal),
            "events": subsidy.events.select_related("by")[:10] if subsidy else [],
            "freeze_form": FreezeForm(),
            "reason_form": ReasonForm(),
            "fraud_form": FraudForm(),
        },
    )


@login_required
def statement_pick_view(request, elder_pk):
    """The month chosen on the account page (a plain GET form) → that month's statement."""
    elder = elder_for_accounts(user=request.user, pk=elder_pk)
    try:
        period = Month.parse(request.GET.get("month", ""))
    except ValidationFailed as exc:
        raise Http404(exc.message) from exc
    return redirect("voucher_statement", elder.pk, str(period))


@login_required
def statement_pdf_view(request, elder_pk, month):
    elder = elder_for_accounts(user=request.user, pk=elder_pk)
    try:
        period = Month.parse(month)
    except ValidationFailed as exc:
        raise Http404(exc.message) from exc
    statement = month_statement(elder=elder, month=period)
    pdf = render_pdf("vouchers/pdf/statement.html", {"s": statement}, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="statement-{elder.pk}-{period}.pdf"'
    return response


def account_status_action(request, elder_pk, form_class, call):
    elder = elder_for_accounts(user=request.user, pk=elder_pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please fill in the form completely."))
    else:
        try:
            call(elder, form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The account was updated."))
    return redirect("voucher_elder", elder.pk)


@login_required
@require_POST
def freeze_view(request, elder_pk):
    return account_status_action(
        request,
        elder_pk,
        FreezeForm,
        lambda elder, d: services.account_freeze(elder=elder, reason=d["cause"], note=d["reason"], by=request.user),
    )


@login_required
@require_POST
def unfreeze_view(request, elder_pk):
    return account_status_action(
        request,
        elder_pk,
        ReasonForm,
        lambda elder, d: services.account_unfreeze(elder=elder, reason=d["reason"], by=request.user),
    )


@login_required
@require_POST
def cancel_view(request, elder_pk):
    return account_status_action(
        request,
        elder_pk,
        ReasonForm,
        lambda elder, d: services.account_cancel(elder=elder, reason=d["reason"], by=request.user),
    )


# --------------------------------------------------------------------------------------------
# The personal account at the community's counter: deposits, refunds and their receipts

COUNTER_ACTIONS = {
    "deposit": services.personal_counter_deposit,
    "refund": services.personal_counter_refund,
}


@login_required
def counter_view(request, elder_pk, action):
    """The form of a deposit or a refund; once booked, the printable receipt."""
    elder = elder_for_accounts(user=request.user, pk=elder_pk)
    book = COUNTER_ACTIONS.get(action)
    if book is None:
        raise Http404
    if not services.counter_allowed(user=request.user, elder=elder):
        raise PermissionDenied(
            _("Only the community worker of the elder's community may take deposits or pay refunds.")
        )
    closed = counter_closed_reason(elder, elder_accounts(elder=elder)[Account.Kind.PERSONAL])
    if closed:
        messages.error(request, closed)
        return redirect("voucher_elder", elder.pk)
    if request.method == "POST":
        form = CounterForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                receipt = book(
                    elder=elder,
                    amount=cny(data["amount"]),
                    method=data["method"],
                    note=data["note"],
                    request_id=data["request_id"],
                    by=request.user,
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Saved. Print the receipt for the elder."))
                return redirect("voucher_receipt", elder.pk, receipt.transaction.pk)
    else:
        form = CounterForm(initial={"request_id": uuid.uuid4().hex, "method": services.PaymentMethod.CASH})
    personal = elder_accounts(elder=elder)[Account.Kind.PERSONAL]
    return render(
        request,
        "vouchers/counter_form.html",
        {"elder": elder, "form": form, "refund": action == "refund", "personal": personal},
    )


@login_required
def receipt_view(request, elder_pk, pk):
    """The printable receipt of a deposit or a refund of the elder's personal account."""
    elder = elder_for_accounts(user=request.user, pk=elder_pk)
    tx = get_object_or_404(
        LedgerTransaction.objects.select_related("created_by").filter(
            kind__in=COUNTER_KINDS,
            entries__account__elder=elder,
            entries__account__kind=Account.Kind.PERSONAL,
        ),
        pk=pk,
    )
    return render(request, "vouchers/receipt.html", {"receipt": services.counter_receipt(tx=tx, elder=elder)})
