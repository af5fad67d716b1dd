"""Every named route of the URL configuration, and how to fill its arguments from the seeded demo.

`walk()` lists the routes (pages, the API under /api/v1/, downloads, the Django admin) by their
reversible name. `urls_for(route, user, inside=...)` gives the address of a route for a user: with
objects inside the user's jurisdiction, or with objects outside it (None when the demo has none).

What is inside a user's jurisdiction is decided by `eldercare.scoping.scope_for` (the same
community and provider sets every selector starts from), along a path from each model to its
community, its provider or its elder; elders come from `eldercare.selectors.elder_list`. A volunteer
reaches the households in its care, a partner supermarket's staff the runs of their supermarket.
Models that belong to the whole district (policies, batches, responses, reason codes…) have no
outside in the one-district demo.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, Q
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from eldercare.models import Division, Elder, Role, User
from eldercare.scoping import scope_for
from eldercare.selectors import elder_list
from outreach.models import EmergencyResponse, ResponsiblePerson, TemporaryCaregiver
from outreach.purchases.models import PurchaseRequest, PurchaseRun, SupermarketStaff
from providers.models import (
    Caregiver,
    Contract,
    Provider,
    ReasonCode,
    Rectification,
    RectificationStep,
    SatisfactionSurvey,
    ServiceAgreement,
    ServiceItem,
    ServicePackage,
    SurveyAnswer,
    VisitCorrection,
    WorkOrder,
)
from settlement.models import RepaymentClaim, SettlementReport
from subsidies.applications.models import Application, IntakeBatch, Material, Objection
from subsidies.standards.models import PolicyVersion
from vouchers.models import Account, LedgerTransaction

ADMIN_NAMESPACE = "admin"


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    kwargs: tuple[str, ...]
    api: bool
    # For API viewsets: whether the route answers GET at all (an action may be POST only).
    api_get: bool | None = None
    model: type[Model] | None = field(default=None, compare=False)


def _walk(resolver: URLResolver, prefix: str = "", namespace: str | None = None):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace
            inner = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(p, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{namespace}:{p.name}" if namespace else p.name), prefix + str(p.pattern), p


def walk() -> dict[str, Route]:
    """Every named route, once (the API's format-suffix twins share their route's name)."""
    routes: dict[str, Route] = {}
    for name, pattern, p in _walk(get_resolver()):
        if name in routes:
            continue
        kwargs = tuple(p.pattern.regex.groupindex)
        cls = getattr(p.callback, "cls", None)
        actions = getattr(p.callback, "actions", None)
        model = None
        if cls is not None:
            queryset = getattr(cls, "queryset", None)
            serializer = getattr(cls, "serializer_class", None)
            if queryset is not None:
                model = queryset.model
            elif serializer is not None and hasattr(serializer, "Meta") and hasattr(serializer.Meta, "model"):
                model = serializer.Meta.model
        api = pattern.startswith("api/")
        routes[name] = Route(
            name=name,
            pattern=pattern,
            kwargs=tuple(k for k in kwargs if k != "format"),
            api=api,
            api_get=("get" in actions) if actions else None,
            model=model,
        )
    return routes


# --- Where each model's jurisdiction is read: (community path, provider path, elder path). ------
# None: the model has no such link. A model not listed belongs to the whole district.
SCOPE_PATHS: dict[type[Model], tuple[str | None, str | None, str | None]] = {
    Elder: ("community", None, "pk"),
    Division: ("pk", None, None),
    Application: ("community", None, "elder"),
    Material: ("application__community", None, "application__elder"),
    Objection: ("application__community", None, "application__elder"),
    Provider: (None, "pk", None),
    Contract: (None, "provider", None),
    Caregiver: (None, "provider", None),
    ServiceItem: (None, "provider", None),
    ServicePackage: (None, "provider", None),
    SatisfactionSurvey: (None, "provider", None),
    Rectification: (None, "provider", None),
    RectificationStep: (None, "rectification__provider", None),
    RepaymentClaim: (None, "provider", None),
    ServiceAgreement: ("elder__community", "provider", "elder"),
    WorkOrder: ("elder__community", "provider", "elder"),
    VisitCorrection: ("order__elder__community", "order__provider", "order__elder"),
    SurveyAnswer: ("elder__community", "survey__provider", "elder"),
    Account: ("elder__community", None, "elder"),
    ResponsiblePerson: ("elder__community", None, "elder"),
    TemporaryCaregiver: ("elder__community", None, "elder"),
    PurchaseRequest: ("community", None, "elder"),
    PurchaseRun: ("community", None, None),
}


def _register_more() -> None:
    """Models reached only through the API's viewsets, by their links to a community or elder."""
    from django.apps import apps

    for label, paths in {
        "applications.AssessmentSlot": ("community", None, None),
        "providers.ElderCard": ("elder__community", None, "elder"),
        "providers.HomeLocation": ("elder__community", None, "elder"),
        "outreach.VulnerabilityProfile": ("elder__community", None, "elder"),
        "outreach.Contact": ("elder__community", None, "elder"),
        "outreach.Escalation": ("community", None, "elder"),
        "outreach_calls.CallListEntry": ("elder__community", None, "elder"),
        "outreach_calls.HomeVisitRequest": ("community", None, "elder"),
        "outreach_checkins.CheckinEnrolment": ("elder__community", None, "elder"),
        "outreach_checkins.CheckIn": ("elder__community", None, "elder"),
        "outreach_checkins.MissedCheckin": ("community", None, "elder"),
        "outreach_inspections.Inspection": ("community", "provider", "elder"),
        "outreach_inspections.Problem": ("unit_community", "unit_provider", None),
        "outreach_reports.DailyReport": ("community", "provider", None),
    }.items():
        SCOPE_PATHS[apps.get_model(label)] = paths


_register_more()


def _model(label: str) -> type[Model]:
    from django.apps import apps

    return apps.get_model(label)


# --- Which model (or fixed value) fills each argument of a page route. --------------------------
# A callable takes (user, inside) and returns the value (None: nothing fits).
def _month(user, inside):
    from subsidies.standards.models import SubsidyRun

    run = SubsidyRun.objects.order_by("-month").first()
    return run.month.strftime("%Y-%m") if run else "2026-11"


def _settlement_month(user, inside):
    from settlement.models import ServiceMonth

    m = ServiceMonth.objects.order_by("-month").first()
    return m.month.strftime("%Y-%m") if m else "2026-11"


def _quarter(user, inside):
    from settlement.models import QuarterSettlement

    q = QuarterSettlement.objects.order_by("-pk").first()
    return str(q.quarter) if q and getattr(q, "quarter", None) else "2026Q4"


def _today(user, inside):
    return datetime.date(2026, 12, 3).isoformat()


PAGE_ARGS: dict[str, dict[str, Any]] = {
    "elder_detail": {"pk": Elder},
    "elder_edit": {"pk": Elder},
    "elder_reveal": {"pk": Elder, "field": "id_number"},
    "office_edit": {"pk": Division},
    "subsidy_run_report": {"month": _month},
    "subsidy_run_pdf": {"month": _month},
    "subsidy_run_xlsx": {"month": _month},
    "voucher_fraud": {"elder_pk": Elder},
    "policy_version_new": {"pk": PolicyVersion},
    "policy_version_withdraw": {"pk": PolicyVersion},
    "subsidies:roster_pdf": {"month": _month, "division_id": Division},
    "subsidies:roster_xlsx": {"month": _month, "division_id": Division},
    "settlement_statement_pdf": {"month": _settlement_month, "provider_id": Provider},
    "settlement_statement_xlsx": {"month": _settlement_month, "provider_id": Provider},
    "providers:caregiver_phone_reveal": {"pk": Caregiver},
    "notice_open": {"pk": "eldercare.Notification"},
    "saved_filter_delete": {"pk": "eldercare.SavedFilter"},
    "document_verify": {"token": "not-a-token"},
    "subsidies:application_detail": {"pk": Application},
    "subsidies:application_act": {"pk": Application, "action": "forward"},
    "subsidies:material_upload": {"pk": Application},
    "subsidies:objection_record": {"pk": Application},
    "subsidies:assessment": {"pk": Application},
    "subsidies:decision_download": {"pk": Application},
    "subsidies:approval_form": {"pk": Application},
    "subsidies:material_download": {"pk": Material},
    "subsidies:objection_resolve": {"pk": Objection},
    "subsidies:batch_detail": {"pk": IntakeBatch},
    "subsidies:batch_schedule": {"pk": IntakeBatch},
    "subsidies:batch_notice": {"pk": IntakeBatch},
    "subsidies:batch_notice_pdf": {"pk": IntakeBatch},
    "subsidies:notice_list_pdf": {"pk": IntakeBatch, "community_id": Division},
    "providers:provider_detail": {"pk": Provider},
    "providers:provider_edit": {"pk": Provider},
    "providers:contract_create": {"pk": Provider},
    "providers:contract_renew": {"pk": Contract},
    "providers:provider_status": {"pk": Provider},
    "providers:provider_terminate": {"pk": Provider},
    "providers:scorecard": {"pk": Provider, "quarter": "2026Q3"},
    "providers:provider_admin_login": {"pk": Provider},
    "providers:caregiver_create": {"pk": Provider},
    "providers:caregiver_detail": {"pk": Caregiver},
    "providers:caregiver_edit": {"pk": Caregiver},
    "providers:caregiver_training": {"pk": Caregiver},
    "providers:caregiver_certificate": {"pk": Caregiver},
    "providers:caregiver_deactivate": {"pk": Caregiver},
    "providers:caregiver_login": {"pk": Caregiver},
    "providers:caregiver_photo": {"pk": Caregiver},
    "providers:caregiver_badge": {"pk": Caregiver},
    "providers:badge_verify": {"token": "not-a-token"},
    "providers:catalogue_item": {"pk": ServiceItem},
    "providers:catalogue_package": {"pk": ServicePackage},
    "providers:agreement_end": {"pk": ServiceAgreement},
    "providers:agreement_change": {"pk": ServiceAgreement},
    "providers:elder_agreements": {"elder_pk": Elder},
    "providers:elder_card_issue": {"elder_pk": Elder},
    "providers:elder_card": {"elder_pk": Elder},
    "providers:order_detail": {"pk": WorkOrder},
    "providers:visit": {"pk": WorkOrder},
    "providers:correction": {"pk": WorkOrder},
    "providers:correction_evidence": {"pk": VisitCorrection},
    "providers:visit_signature": {"pk": WorkOrder},
    "providers:reason_code_retire": {"pk": ReasonCode},
    "providers:reason_code_reinstate": {"pk": ReasonCode},
    "providers:home_location": {"elder_pk": Elder},
    "providers:survey_detail": {"pk": SatisfactionSurvey},
    "providers:survey_import": {"pk": SatisfactionSurvey},
    "providers:survey_submit": {"pk": SatisfactionSurvey},
    "providers:survey_answer_remove": {"pk": SatisfactionSurvey, "answer_pk": SurveyAnswer},
    "providers:rectification_detail": {"pk": Rectification},
    "providers:rectification_answer": {"pk": Rectification},
    "providers:rectification_decide": {"pk": Rectification},
    "providers:rectification_evidence": {"pk": RectificationStep},
    "life_event_verify": {"pk": Elder},
    "voucher_account": {"pk": Account},
    "voucher_elder": {"elder_pk": Elder},
    "voucher_statement_pick": {"elder_pk": Elder},
    "voucher_statement": {"elder_pk": Elder, "month": _month},
    "voucher_freeze": {"elder_pk": Elder},
    "voucher_unfreeze": {"elder_pk": Elder},
    "voucher_cancel": {"elder_pk": Elder},
    "voucher_counter": {"elder_pk": Elder, "action": "deposit"},
    "voucher_receipt": {"elder_pk": Elder, "pk": "receipt"},
    "settlement_month": {"month": _settlement_month},
    "settlement_month_confirm": {"month": _settlement_month},
    "settlement_quarter": {"quarter": _quarter},
    "settlement_quarter_approve": {"quarter": _quarter},
    "settlement_quarter_send_back": {"quarter": _quarter},
    "settlement_report_request": {"quarter": _quarter},
    "settlement_claim": {"pk": RepaymentClaim},
    "settlement_claim_receipt": {"pk": RepaymentClaim},
    "settlement_report_status": {"pk": SettlementReport},
    "settlement_report_download": {"pk": SettlementReport},
    "outreach:screen": {"pk": Elder},
    "outreach:responsible": {"pk": Elder},
    "outreach:responsible_end": {"pk": ResponsiblePerson},
    "outreach:caregivers": {"pk": Elder},
    "outreach:caregiver_end": {"pk": TemporaryCaregiver},
    "outreach:response_end": {"pk": EmergencyResponse},
    "outreach:contact": {"response": EmergencyResponse, "pk": Elder},
    "outreach:escalation_close": {"pk": "outreach.Escalation"},
    "outreach_purchases:request": {"pk": Elder},
    "outreach_purchases:order": {"pk": PurchaseRequest},
    "outreach_purchases:order_cancel": {"pk": PurchaseRequest},
    "outreach_purchases:order_deliver": {"pk": PurchaseRequest},
    "outreach_purchases:order_pay": {"pk": PurchaseRequest},
    "outreach_purchases:run": {"pk": PurchaseRun},
    "outreach_purchases:pack": {"pk": PurchaseRun, "order": PurchaseRequest},
    "outreach_purchases:hand_over": {"pk": PurchaseRun},
    "outreach_calls:call": {"pk": "outreach_calls.CallListEntry"},
    "outreach_calls:plan_end": {"pk": "outreach_calls.CallPlan"},
    "outreach_calls:visit": {"pk": "outreach_calls.HomeVisitRequest"},
    "outreach_checkins:enrolment": {"pk": "outreach_checkins.CheckinEnrolment"},
    "outreach_checkins:reissue": {"pk": "outreach_checkins.CheckinEnrolment"},
    "outreach_checkins:end": {"pk": "outreach_checkins.CheckinEnrolment"},
    "outreach_checkins:alert": {"pk": "outreach_checkins.MissedCheckin"},
    "outreach_checkins:page": {"token": "not-a-token"},
    "outreach_inspections:inspection": {"pk": "outreach_inspections.Inspection"},
    "outreach_inspections:problem": {"pk": "outreach_inspections.Problem"},
    "outreach_reports:submit": {"response": EmergencyResponse, "kind": "community", "pk": Division},
    "outreach_reports:rollup": {"pk": EmergencyResponse},
    "outreach_reports:history": {"pk": EmergencyResponse},
    "outreach_reports:pdf": {"pk": EmergencyResponse, "day": _today},
    "outreach_reports:xlsx": {"pk": EmergencyResponse, "day": _today},
    "outreach_reports:report": {"pk": "outreach_reports.DailyReport"},
}

# API viewsets whose model the walk cannot read, and lookups that are not a primary key.
API_MODELS: dict[str, Any] = {
    "application": Application,
    "settlement-month": _settlement_month,
    "settlement-quarter": _quarter,
    "repayment-claim": RepaymentClaim,
    "purchase-request": PurchaseRequest,
    "purchase-run": PurchaseRun,
    "calendar-year": lambda user, inside: "2026",
    "policy-version": PolicyVersion,
    "subsidy-run": "standards.SubsidyRun",
    "notification": "eldercare.Notification",
    "saved-filter": "eldercare.SavedFilter",
    "home-location": Elder,  # looked up by the elder
}


# --- Jurisdiction ---------------------------------------------------------------------------------
def _cared_elder_ids(user: User) -> set[int]:
    return set(ResponsiblePerson.objects.filter(user=user, ends_on__isnull=True).values_list("elder_id", flat=True))


def inside_q(model: type[Model], user: User) -> Q | None:
    """What of `model` lies inside the user's jurisdiction (None: no jurisdiction applies, the
    model belongs to the whole district or the user sees everything)."""
    scope = scope_for(user)
    if scope.all:
        return None
    paths = SCOPE_PATHS.get(model)
    if paths is None:
        return None
    community, provider, elder = paths
    if user.has_role(Role.VOLUNTEER) or user.has_role(Role.SUPERMARKET):
        q = Q(pk__in=[])
        if elder is not None:
            q |= Q(**{f"{elder}__in": _cared_elder_ids(user)})
        if model is PurchaseRun or model is PurchaseRequest:
            markets = SupermarketStaff.objects.filter(user=user).values_list("supermarket_id", flat=True)
            path = "supermarket" if model is PurchaseRun else "run__supermarket"
            q |= Q(**{f"{path}__in": list(markets)})
        return q
    if scope.provider_ids:
        if model is Elder:
            return Q(pk__in=elder_list(user=user).values("pk"))
        if provider is not None:
            return Q(**{f"{provider}__in": scope.provider_ids})
        return Q(pk__in=[])
    if community is not None:
        return Q(**{f"{community}__in": scope.community_ids})
    return None  # a provider-owned model: the library is public to the tree


def pick(model: type[Model], user: User, inside: bool) -> int | None:
    """The id of an object of `model` inside (or outside) the user's jurisdiction."""
    q = inside_q(model, user)
    qs = model._default_manager.order_by("pk")
    if model is Division:
        qs = qs.filter(level=Division.Level.COMMUNITY)  # the routes of a division take a community
    if q is None:
        return qs.values_list("pk", flat=True).first() if inside else None
    if inside:
        return qs.filter(q).values_list("pk", flat=True).first()
    community, provider, elder = SCOPE_PATHS[model]
    outside = qs.exclude(q)
    # Clearly outside: linked to some other community or provider (not an unlinked row).
    # A tree role's outside is another community's; a provider's, another provider's.
    path = provider if scope_for(user).provider_ids else community
    links = Q(pk__in=[]) if path is None else (Q() if path == "pk" else Q(**{f"{path}__isnull": False}))
    if user.has_role(Role.VOLUNTEER) or user.has_role(Role.SUPERMARKET):
        links = Q()
    return outside.filter(links).values_list("pk", flat=True).first()


def _value(spec: Any, user: User, inside: bool, chosen: dict[str, Any]) -> Any:
    if isinstance(spec, str) and "." in spec:
        spec = _model(spec)
    if isinstance(spec, type) and issubclass(spec, Model):
        return pick(spec, user, inside)
    if callable(spec):
        return spec(user, inside)
    if spec == "receipt":
        tx = LedgerTransaction.objects.filter(entries__account__elder_id=chosen.get("elder_pk")).first()
        return tx.pk if tx else 1
    return spec


def arguments(route: Route) -> dict[str, Any]:
    if route.name in PAGE_ARGS:
        return PAGE_ARGS[route.name]
    if route.api and route.kwargs:
        base = route.name.rsplit("-", 1)[0]
        for prefix, spec in API_MODELS.items():
            if route.name.startswith(prefix + "-"):
                return {k: spec for k in route.kwargs}
        if route.model is not None:
            return {k: route.model for k in route.kwargs}
        raise KeyError(f"no model known for the API route {route.name} ({base})")
    if route.kwargs:
        raise KeyError(f"no arguments known for the route {route.name}: add it to PAGE_ARGS")
    return {}


def _is_model(spec: Any) -> bool:
    return (isinstance(spec, str) and "." in spec) or (isinstance(spec, type) and issubclass(spec, Model))


def url_for(route: Route, user: User, inside: bool) -> str | None:
    """The route's address with objects inside (or outside) the user's jurisdiction; None when
    the demo has no such object. Outside: at least one object argument is outside."""
    specs = arguments(route)
    if not specs:
        return reverse(route.name) if inside else None
    chosen: dict[str, Any] = {}
    any_outside = False
    for key, spec in specs.items():
        value = _value(spec, user, inside, chosen)
        if not inside and _is_model(spec):
            if value is None:
                value = _value(spec, user, True, chosen)
            else:
                any_outside = True
        if value is None:
            return None
        chosen[key] = value
    if not inside and not any_outside:
        return None
    return reverse(route.name, kwargs=chosen)
