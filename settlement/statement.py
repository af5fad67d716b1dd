# ruff: noqa: S608 -- table names come from model metadata and every value is a bound parameter
"""A provider's monthly statement of services (居家养老服务结算单), as PDF and XLSX.

One row per ledger transaction the month's settlement counts for the provider, chosen by the same
attribution rules as `compute.month_figures` (the `Locks` filters): the month's own redeemed
visits, the voids of its own visits booked before it locked (deducted), and the adjustments of
locked months (a visit paid late, a late void). So the statement's total is the provider's total
on the month's settlement to the fen, frozen or live. Repayment claims are deducted on the
quarterly fund settlement, not here.

Who prints it: a provider's administrator for its provider; finance, the district's reviewers and
supervisors for any provider.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
from django.db import connection
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from eldercare.exports import xlsx_bytes
from eldercare.models import Role, User
from eldercare.pdf import render_pdf
from eldercare.periods import Month
from eldercare.scoping import scope_for
from providers.models import Provider, WorkOrder
from subsidies.applications.documents import Verification, document_qr
from subsidies.applications.services.numbering import document_rule_for
from subsidies.applications.tokens import DocumentKind, DocumentRef

from .compute import T_ACCOUNT, T_ENTRY, T_ORDER, T_TX, Locks, _as_date, _dec
from .models import ServiceMonth

# Roles that print any provider's statement; a provider's administrator prints its own.
STATEMENT_ROLES = (Role.FINANCE, Role.DISTRICT_REVIEWER, Role.SUPERVISOR, Role.SYSADMIN)


class Kind:
    VISIT = "visit"  # a visit of the month
    VOID = "void"  # a visit of the month voided before the month locked: deducted
    LATE_VISIT = "late_visit"  # a visit of a locked month paid in this one
    LATE_VOID = "late_void"  # a visit of a locked month voided after it locked: deducted here


KIND_LABELS = {
    Kind.VISIT: "服务",
    Kind.VOID: "作废扣减",
    Kind.LATE_VISIT: "补结算",
    Kind.LATE_VOID: "作废扣减（以前月份）",
}


@dataclass
class StatementRow:
    number: int
    kind: str
    day: datetime.date | None
    elder: str
    id_masked: str
    item: str
    minutes: int
    subsidy: Decimal
    personal: Decimal
    cash: Decimal
    order_id: int
    of_month: str  # the month of the visit, for an adjustment

    @property
    def amount(self) -> Decimal:
        return self.subsidy + self.personal + self.cash

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass
class ItemSubtotal:
    item: str
    visits: int
    minutes: int
    amount: Decimal


@dataclass
class Statement:
    month: Month
    provider: Provider
    issuing_body: str
    locked: bool
    rows: list[StatementRow] = field(default_factory=list)

    def _sum(self, kinds) -> Decimal:
        return sum((r.amount for r in self.rows if r.kind in kinds), Decimal("0"))

    @property
    def visits(self) -> int:
        """Visits paid: the month's and those paid late, less the voided ones."""
        paid = sum(1 for r in self.rows if r.kind in (Kind.VISIT, Kind.LATE_VISIT))
        return paid - sum(1 for r in self.rows if r.kind in (Kind.VOID, Kind.LATE_VOID))

    @property
    def gross(self) -> Decimal:
        return self._sum((Kind.VISIT, Kind.LATE_VISIT))

    @property
    def deductions(self) -> Decimal:
        """The voids (negative)."""
        return self._sum((Kind.VOID, Kind.LATE_VOID))

    @property
    def payable(self) -> Decimal:
        return self.gross + self.deductions

    @property
    def subsidy(self) -> Decimal:
        return sum((r.subsidy for r in self.rows), Decimal("0"))

    @property
    def personal(self) -> Decimal:
        return sum((r.personal for r in self.rows), Decimal("0"))

    @property
    def cash(self) -> Decimal:
        return sum((r.cash for r in self.rows), Decimal("0"))

    @property
    def by_item(self) -> list[ItemSubtotal]:
        lines: dict[str, ItemSubtotal] = {}
        for r in self.rows:
            line = lines.setdefault(r.item, ItemSubtotal(r.item, 0, 0, Decimal("0")))
            sign = -1 if r.kind in (Kind.VOID, Kind.LATE_VOID) else 1
            line.visits += sign
            line.minutes += sign * r.minutes
            line.amount += r.amount
        return sorted(lines.values(), key=lambda x: x.item)

    @property
    def title(self) -> str:
        return f"{self.month.year}年{self.month.month:02d}月居家养老服务结算单"

    @property
    def number(self) -> str:
        return f"{self.month.year}{self.month.month:02d}-{self.provider.pk:04d}"

    @property
    def ref(self) -> DocumentRef:
        return DocumentRef(DocumentKind.STATEMENT, (self.provider.pk,), self.month.first_day)


def statement_provider(*, user: User, provider_id: int) -> Provider:
    """The provider whose statement `user` asks for, if the user may print it (404 otherwise)."""
    provider = Provider.objects.select_related("district").filter(pk=provider_id).first()
    if provider is None:
        raise Http404
    if user.is_superuser or user.has_role(*STATEMENT_ROLES):
        scope = scope_for(user)
        if scope.all or provider.district_id in scope.district_ids:
            return provider
        raise Http404
    if user.has_role(Role.PROVIDER_ADMIN) and scope_for(user).covers_provider(provider.pk):
        return provider
    raise Http404


_MONEY = """
    SUM(CASE WHEN a.kind = 'subsidy' THEN -le.amount ELSE 0 END),
    SUM(CASE WHEN a.kind = 'personal' THEN -le.amount ELSE 0 END),
    SUM(CASE WHEN a.kind = 'external' THEN -le.amount ELSE 0 END)"""


def _transactions(where: tuple[str, list] | None, order_column: str, provider_id: int) -> list[tuple]:
    """(order id, transaction month, subsidy, personal, cash) of the transactions `where` selects,
    joined to the provider's work orders by `order_column` (redemption_id or reversal_id)."""
    if where is None:
        return []
    sql = f"""
        SELECT w.id, r.month, {_MONEY}
        FROM {T_TX} r
        JOIN {T_ORDER} w ON w.{order_column} = r.id
        JOIN {T_ENTRY} le ON le.transaction_id = r.id
        JOIN {T_ACCOUNT} a ON a.id = le.account_id
        WHERE ({where[0]}) AND w.provider_id = %s AND a.kind IN ('subsidy', 'personal', 'external')
        GROUP BY w.id, r.month
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*where[1], provider_id])
        return cursor.fetchall()


def statement_build(*, provider: Provider, month: Month) -> Statement:
    """The statement of `provider` for `month`. Call `statement_provider` first: it checks who asks."""
    locks = Locks.for_month(month)
    found: list[tuple[str, tuple]] = []
    found += [(Kind.VISIT, row) for row in _transactions(locks.own_filter("r"), "redemption_id", provider.pk)]
    found += [(Kind.LATE_VISIT, row) for row in _transactions(locks.late_filter("r"), "redemption_id", provider.pk)]
    for row in _transactions(locks.reversal_filter("r"), "reversal_id", provider.pk):
        found.append((Kind.VOID if _as_date(row[1]) == month.first_day else Kind.LATE_VOID, row))
    orders = {
        o.pk: o
        for o in WorkOrder.objects.filter(pk__in={row[0] for _k, row in found}).select_related(
            "elder", "item", "redemption"
        )
    }
    order_rank = {Kind.VISIT: 0, Kind.VOID: 1, Kind.LATE_VISIT: 2, Kind.LATE_VOID: 3}

    def sort_key(entry):
        kind, row = entry
        order = orders[row[0]]
        return (order_rank[kind], order.checked_in_at or order.scheduled_at, order.pk)

    service_month = ServiceMonth.objects.filter(month=month.first_day).first()
    statement = Statement(
        month=month,
        provider=provider,
        issuing_body=document_rule_for(district=provider.district).issuing_body,
        locked=service_month is not None and service_month.status == ServiceMonth.Status.LOCKED,
    )
    for number, (kind, row) in enumerate(sorted(found, key=sort_key), start=1):
        order = orders[row[0]]
        minutes = 0
        if order.checked_in_at and order.checked_out_at:
            minutes = int((order.checked_out_at - order.checked_in_at).total_seconds() // 60)
        served = timezone.localdate(order.checked_in_at) if order.checked_in_at else None
        statement.rows.append(
            StatementRow(
                number=number,
                kind=kind,
                day=served,
                elder=order.elder.name,
                id_masked=order.elder.id_masked,
                item=order.item.name,
                minutes=minutes,
                subsidy=_dec(row[2]),
                personal=_dec(row[3]),
                cash=_dec(row[4]),
                order_id=order.pk,
                of_month=f"{order.redemption.month:%Y-%m}" if order.redemption else "",
            )
        )
    return statement


def statement_pdf(statement: Statement) -> bytes:
    with translation.override("zh-hans"):  # official documents are written in Chinese
        return render_pdf(
            "settlement/pdf/statement.html",
            {"statement": statement, "today": timezone.localdate(), **document_qr(statement.ref)},
        )


def statement_xlsx(statement: Statement) -> bytes:
    with translation.override("zh-hans"):
        columns = [
            _("No."),
            _("Kind"),
            _("Date of service"),
            _("Elder"),
            _("ID number"),
            _("Service item"),
            _("Minutes"),
            _("Subsidy account"),
            _("Personal account"),
            _("Cash co-pay"),
            _("Amount (CNY)"),
            _("Work order"),
        ]
        rows: list[list] = [
            [
                r.number,
                r.kind_label,
                f"{r.day:%Y-%m-%d}" if r.day else "",
                r.elder,
                r.id_masked,
                r.item,
                r.minutes,
                float(r.subsidy),
                float(r.personal),
                float(r.cash),
                float(r.amount),
                r.order_id,
            ]
            for r in statement.rows
        ]
        rows.append(
            [
                None,
                _("Amount payable: %(visits)s visits") % {"visits": statement.visits},
                None,
                None,
                None,
                None,
                None,
                float(statement.subsidy),
                float(statement.personal),
                float(statement.cash),
                float(statement.payable),
                None,
            ]
        )
        items = pd.DataFrame(
            [[s.item, s.visits, s.minutes, float(s.amount)] for s in statement.by_item],
            columns=[_("Service item"), _("Visits"), _("Minutes"), _("Amount (CNY)")],
        )
        about = pd.DataFrame(
            [
                [_("Title"), statement.title],
                [_("Number"), statement.number],
                [_("Provider"), statement.provider.name],
                [_("Month"), str(statement.month)],
                [_("Services"), f"{statement.gross:.2f}"],
                [_("Deductions"), f"{statement.deductions:.2f}"],
                [_("Amount payable"), f"{statement.payable:.2f}"],
                [_("Verification"), document_qr(statement.ref)["verify_url"]],
            ],
            columns=[_("Item"), _("Value")],
        )
        return xlsx_bytes(
            {
                _("Statement"): pd.DataFrame(rows, columns=columns),
                _("By service item"): items,
                _("About"): about,
            }
        )


def statement_verification(ref: DocumentRef) -> Verification | None:
    """What the public page says of a statement: provider, month, visits and amount, no elders."""
    if len(ref.ids) != 1 or ref.day is None:
        return None
    provider = Provider.objects.select_related("district").filter(pk=ref.ids[0]).first()
    if provider is None:
        return None
    statement = statement_build(provider=provider, month=Month.of(ref.day))
    return Verification(
        kind=statement.title,
        number=f"{statement.number} {provider.name}",
        date=None,
        issuing_body=statement.issuing_body,
        month=str(statement.month),
        count=statement.visits,
        total=statement.payable,
    )


def provider_month_totals(lines) -> dict[int, Decimal]:
    """The month's settled total of each provider, from the month's lines (frozen or live)."""
    totals: dict[int, Decimal] = defaultdict(lambda: Decimal("0"))
    for x in lines:
        total = x.total.amount if hasattr(x.total, "amount") else x.total
        totals[x.provider_id] += total
    return dict(totals)
