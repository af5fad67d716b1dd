"""The monthly payment roster (居家养老服务补贴发放花名册) of a community or a street, as PDF and XLSX.

One row per grant of the month that was not recovered, the same grants the run report counts, so
the roster's count and totals are the run report's for that community or street to the fen. The
issuing body is the district's (DocumentRule); the verification code names the division and month.

Who prints it: a community worker for its community, a street reviewer for its street or any of
its communities, the district's reviewers, finance and supervisors for any.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from eldercare.exports import xlsx_bytes
from eldercare.models import Division, Role, User
from eldercare.pdf import render_pdf
from eldercare.periods import Month
from eldercare.scoping import scope_for
from subsidies.standards.models import Grant, SubsidyRun
from subsidies.standards.rules import CARE_SHORT, HIGH_AGE, age_in_month

from .documents import Verification, document_qr
from .services.numbering import document_rule_for
from .tokens import DocumentKind, DocumentRef

ROSTER_ROLES = (
    Role.COMMUNITY_WORKER,
    Role.STREET_REVIEWER,
    Role.DISTRICT_REVIEWER,
    Role.FINANCE,
    Role.SUPERVISOR,
    Role.SYSADMIN,
)


@dataclass
class RosterRow:
    number: int
    name: str
    id_masked: str
    community: str
    categories: str
    care_level: str
    amount: Decimal
    district_share: Decimal
    town_share: Decimal
    remarks: str


@dataclass
class Roster:
    month: Month
    division: Division  # a community or a street
    district: Division
    issuing_body: str
    upper_label: str  # the names of the two funding levels, from the policy version (区, 镇（街道）)
    lower_label: str
    rows: list[RosterRow] = field(default_factory=list)

    @property
    def people(self) -> int:
        return len(self.rows)

    @property
    def total(self) -> Decimal:
        return sum((r.amount for r in self.rows), Decimal("0"))

    @property
    def district_share(self) -> Decimal:
        return sum((r.district_share for r in self.rows), Decimal("0"))

    @property
    def town_share(self) -> Decimal:
        return sum((r.town_share for r in self.rows), Decimal("0"))

    @property
    def title(self) -> str:
        return f"{self.month.year}年{self.month.month:02d}月居家养老服务补贴发放花名册"

    @property
    def place(self) -> str:
        """The street and community the roster covers, as printed under its title."""
        if self.division.level == Division.Level.COMMUNITY and self.division.parent is not None:
            return f"{self.division.parent.name} {self.division.name}"
        return self.division.name

    @property
    def ref(self) -> DocumentRef:
        return DocumentRef(DocumentKind.ROSTER, (self.division.pk,), self.month.first_day)


def _district_of(division: Division) -> Division:
    node = division
    while node.parent is not None and node.level != Division.Level.DISTRICT:
        node = node.parent
    return node


def _month_was_run(month: Month) -> bool:
    return SubsidyRun.objects.filter(month=month.first_day, status=SubsidyRun.Status.DONE).exists()


def roster_division(*, user: User, division_id: int) -> Division:
    """The community or street `user` asks a roster of, if the user may print it (404 outside)."""
    if not (user.is_superuser or user.has_role(*ROSTER_ROLES)):
        raise PermissionDenied
    division = Division.objects.select_related("parent__parent").filter(pk=division_id).first()
    if division is None:
        raise Http404
    scope = scope_for(user)
    if division.level == Division.Level.COMMUNITY:
        allowed = scope.covers_community(division.pk)
    elif division.level == Division.Level.STREET:
        allowed = scope.covers_street(division.pk)
    else:
        allowed = False
    if not allowed:
        raise Http404
    return division


def _remarks(grant: Grant, month: Month) -> str:
    notes = []
    if age_in_month(grant.elder.birth_date, month) >= HIGH_AGE:
        notes.append("高龄")
    if grant.entitlement.start_month == month.first_day:
        notes.append("首月")
    return "、".join(notes)


def roster_build(*, division: Division, month: Month) -> Roster:
    """The roster of a community or street for a month that was run (404 for a month not run).
    Call `roster_division` first: it checks who asks."""
    if not _month_was_run(month):
        raise Http404
    where = Q(community=division) if division.level == Division.Level.COMMUNITY else Q(community__parent=division)
    grants = (
        Grant.objects.filter(where, month=month.first_day, recovery__isnull=True)
        .select_related("elder", "community", "entitlement", "policy_version")
        .order_by("community__code", "elder__name", "elder_id")
    )
    district = _district_of(division)
    roster = Roster(
        month=month,
        division=division,
        district=district,
        issuing_body=document_rule_for(district=district).issuing_body,
        upper_label="区",
        lower_label="镇（街道）",
    )
    for number, g in enumerate(grants, start=1):
        if number == 1:
            roster.upper_label = g.policy_version.upper_level_label
            roster.lower_label = g.policy_version.lower_level_label
        roster.rows.append(
            RosterRow(
                number=number,
                name=g.elder.name,
                id_masked=g.elder.id_masked,
                community=g.community.name,
                categories=g.categories or "—",
                care_level=CARE_SHORT.get(g.care_level, g.care_level or "—"),
                amount=g.amount.amount,
                district_share=g.district_share.amount,
                town_share=g.town_share.amount,
                remarks=_remarks(g, month),
            )
        )
    return roster


def roster_pdf(roster: Roster) -> bytes:
    with translation.override("zh-hans"):  # official documents are written in Chinese
        return render_pdf(
            "subsidies/pdf/roster.html",
            {"roster": roster, "today": timezone.localdate(), **document_qr(roster.ref)},
        )


def roster_xlsx(roster: Roster) -> bytes:
    with translation.override("zh-hans"):
        columns = [
            _("No."),
            _("Name"),
            _("ID number"),
            _("Community"),
            _("Category of difficulty"),
            _("Care level"),
            _("Subsidy standard (CNY)"),
            f"{roster.upper_label}{_('share')}",
            f"{roster.lower_label}{_('share')}",
            _("Remarks"),
        ]
        rows = [
            [
                r.number,
                r.name,
                r.id_masked,
                r.community,
                r.categories,
                r.care_level,
                float(r.amount),
                float(r.district_share),
                float(r.town_share),
                r.remarks,
            ]
            for r in roster.rows
        ]
        total_label = _("Total: %(people)s people") % {"people": roster.people}
        rows.append(
            [
                None,
                total_label,
                None,
                None,
                None,
                None,
                float(roster.total),
                float(roster.district_share),
                float(roster.town_share),
                None,
            ]
        )
        about = pd.DataFrame(
            [
                [_("Title"), roster.title],
                [_("Issued by"), roster.issuing_body],
                [_("Street / community"), roster.place],
                [_("Month"), str(roster.month)],
                [_("People"), roster.people],
                [_("Total (CNY)"), f"{roster.total:.2f}"],
                [_("Verification"), document_qr(roster.ref)["verify_url"]],
            ],
            columns=[_("Item"), _("Value")],
        )
        return xlsx_bytes({_("Roster"): pd.DataFrame(rows, columns=columns), _("About"): about})


def roster_verification(ref: DocumentRef) -> Verification | None:
    """What the public page says of a roster: the division, month, count and total, no names."""
    if len(ref.ids) != 1 or ref.day is None:
        return None
    division = Division.objects.select_related("parent__parent").filter(pk=ref.ids[0]).first()
    if division is None or division.level not in (Division.Level.COMMUNITY, Division.Level.STREET):
        return None
    month = Month.of(ref.day)
    if not _month_was_run(month):
        return None
    roster = roster_build(division=division, month=month)
    return Verification(
        kind=roster.title,
        number=roster.place,
        date=None,
        issuing_body=roster.issuing_body,
        month=str(month),
        count=roster.people,
        total=roster.total,
    )
