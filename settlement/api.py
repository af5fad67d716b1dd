"""REST API of the settlement, scoped through the same selectors as the pages.

Months are addressed by `YYYY-MM`, quarters by `YYYYQn`; a quarter not prepared yet can be read
(its months) and prepared. Refusals: 403 for a role or town that may not act, 404 outside scope,
409 for a state that does not allow the action (locked, approved, sent back, not reconciled),
400 for a missing reason.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from eldercare.errors import DomainError, NotAllowed
from eldercare.exports import XLSX, document_response
from eldercare.models import Division
from eldercare.periods import Month, Quarter

from . import selectors, services
from .models import QuarterSettlement, RepaymentReceipt, ServiceMonth
from .statement import statement_build, statement_pdf, statement_provider, statement_xlsx

MONTH_PATTERN = r"\d{4}-\d{2}"
QUARTER_PATTERN = r"\d{4}Q[1-4]"


def _town(d: Division) -> dict:
    return {"id": d.pk, "name": d.name}


class TownSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ConfirmationSerializer(serializers.Serializer):
    street = serializers.IntegerField(source="street_id")
    street_name = serializers.CharField(source="street.name")
    total = serializers.DecimalField(source="total.amount", max_digits=14, decimal_places=2)
    visits = serializers.IntegerField()
    note = serializers.CharField()
    by = serializers.CharField(source="by.username")
    created_at = serializers.DateTimeField()


class MonthSerializer(serializers.Serializer):
    """A month and where it stands: locked or which towns confirmed and which must still confirm."""

    month = serializers.CharField(source="label")
    status = serializers.SerializerMethodField()
    locked_at = serializers.DateTimeField(source="service_month.locked_at", allow_null=True, default=None)
    ended = serializers.BooleanField()
    confirmed = ConfirmationSerializer(many=True)
    required = TownSerializer(many=True)
    missing = TownSerializer(many=True)

    def get_status(self, obj) -> str:
        return ServiceMonth.Status.LOCKED if obj.locked else ServiceMonth.Status.OPEN

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["required"] = [_town(d) for d in instance.required]
        data["missing"] = [_town(d) for d in instance.missing]
        return data


class MonthListSerializer(serializers.ModelSerializer):
    month = serializers.DateField(format="%Y-%m")

    class Meta:
        model = ServiceMonth
        fields = ["month", "status", "locked_at"]


class QuarterSerializer(serializers.ModelSerializer):
    quarter = serializers.CharField(source="label")
    total = serializers.DecimalField(source="total.amount", max_digits=14, decimal_places=2)
    subsidy = serializers.DecimalField(source="subsidy.amount", max_digits=14, decimal_places=2)
    copay = serializers.DecimalField(source="copay.amount", max_digits=14, decimal_places=2)
    district_share = serializers.DecimalField(source="district_share.amount", max_digits=14, decimal_places=2)
    town_share = serializers.DecimalField(source="town_share.amount", max_digits=14, decimal_places=2)
    adjustments = serializers.DecimalField(source="adjustments.amount", max_digits=14, decimal_places=2)
    need_amount = serializers.DecimalField(source="need_amount.amount", max_digits=14, decimal_places=2)
    prepared_by = serializers.CharField(source="prepared_by.username")
    approved_by = serializers.CharField(source="approved_by.username", allow_null=True, default=None)
    repayments_deducted = serializers.SerializerMethodField(help_text="repayment claims deducted from providers")
    payable = serializers.SerializerMethodField(help_text="total − repayments deducted")

    class Meta:
        model = QuarterSettlement
        fields = [
            "quarter",
            "status",
            "total",
            "repayments_deducted",
            "payable",
            "subsidy",
            "copay",
            "district_share",
            "town_share",
            "adjustments",
            "need_people",
            "need_amount",
            "differences",
            "prepared_by",
            "prepared_at",
            "approved_by",
            "approved_at",
        ]
        read_only_fields = fields

    def _payables(self, obj):
        cache = self.context.setdefault("payables", {})
        if obj.pk not in cache:
            cache[obj.pk] = selectors.quarter_payables(obj)
        return cache[obj.pk]

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_repayments_deducted(self, obj) -> str:
        return f"{self._payables(obj).deducted:.2f}"

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_payable(self, obj) -> str:
        return f"{self._payables(obj).payable:.2f}"


class QuarterEventSerializer(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    from_label = serializers.CharField(source="get_from_status_display")
    to_label = serializers.CharField(source="get_to_status_display")
    note = serializers.CharField()
    by = serializers.CharField(source="by.username")
    created_at = serializers.DateTimeField()


class QuarterDetailSerializer(serializers.Serializer):
    quarter = serializers.CharField()
    status = serializers.CharField(help_text="empty while the quarter is not prepared")
    months = MonthSerializer(many=True)
    settlement = QuarterSerializer(allow_null=True)
    events = QuarterEventSerializer(many=True)


class SettlementMonthConfirmSerializer(serializers.Serializer):
    street = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SettlementQuarterNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SettlementQuarterReasonSerializer(serializers.Serializer):
    # A blank reason reaches the service, which refuses it with its own message.
    reason = serializers.CharField(allow_blank=True)


def _valid(serializer_class, data) -> dict:
    s = serializer_class(data=data)
    s.is_valid(raise_exception=True)
    return s.validated_data


def _check_month_role(user) -> None:
    if not (user.is_superuser or user.has_role(*selectors.MONTH_ROLES)):
        raise NotAllowed(_("Your role does not take part in the monthly settlement."))


def _check_quarter_role(user) -> None:
    if not (user.is_superuser or user.has_role(*selectors.QUARTER_ROLES)):
        raise NotAllowed(_("Your role does not take part in the quarterly fund settlement."))


def _parse(parser, text: str):
    try:
        return parser(text)
    except DomainError as exc:
        raise Http404 from exc


class SettlementMonthViewSet(viewsets.ViewSet):
    """Monthly service settlements: the towns confirm their part; the last one locks the month."""

    lookup_field = "month"
    lookup_value_regex = MONTH_PATTERN

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _check_month_role(request.user)

    def _state(self, month: Month):
        return selectors.month_states(user=self.request.user, months=[month])[0]

    @extend_schema(responses={200: MonthListSerializer(many=True)})
    def list(self, request):
        return Response(MonthListSerializer(selectors.months_for(user=request.user), many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("month", str, OpenApiParameter.PATH, description="YYYY-MM")],
        responses={200: MonthSerializer},
    )
    def retrieve(self, request, month=None):
        return Response(MonthSerializer(self._state(_parse(Month.parse, month))).data)

    @extend_schema(
        parameters=[OpenApiParameter("month", str, OpenApiParameter.PATH, description="YYYY-MM")],
        request=SettlementMonthConfirmSerializer,
        responses={200: MonthSerializer},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, month=None):
        m = _parse(Month.parse, month)
        data = _valid(SettlementMonthConfirmSerializer, request.data)
        street = Division.objects.filter(pk=data["street"], level=Division.Level.STREET).first()
        if street is None:
            raise Http404
        services.month_confirm(month=m, street=street, by=request.user, note=data["note"])
        return Response(MonthSerializer(self._state(m)).data)


class SettlementQuarterViewSet(viewsets.ViewSet):
    """Quarterly fund settlements: finance prepares; another finance user approves or sends back."""

    lookup_field = "quarter"
    lookup_value_regex = QUARTER_PATTERN

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _check_quarter_role(request.user)

    def _detail(self, q: Quarter, code=status.HTTP_200_OK) -> Response:
        user = self.request.user
        settlement = selectors.quarter_find(user=user, quarter=q)
        data = {
            "quarter": str(q),
            "status": settlement.status if settlement else "",
            "months": selectors.month_states(user=user, months=q.months),
            "settlement": settlement,
            "events": list(settlement.events.select_related("by")) if settlement else [],
        }
        return Response(QuarterDetailSerializer(data).data, status=code)

    def _settlement(self, q: Quarter) -> QuarterSettlement:
        return selectors.quarter_get(user=self.request.user, quarter_first_day=q.first_day)

    @extend_schema(responses={200: QuarterSerializer(many=True)})
    def list(self, request):
        return Response(QuarterSerializer(selectors.quarters_for(user=request.user), many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("quarter", str, OpenApiParameter.PATH, description="YYYYQn")],
        responses={200: QuarterDetailSerializer},
    )
    def retrieve(self, request, quarter=None):
        return self._detail(_parse(Quarter.parse, quarter))

    @extend_schema(
        parameters=[OpenApiParameter("quarter", str, OpenApiParameter.PATH, description="YYYYQn")],
        request=None,
        responses={200: QuarterDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def prepare(self, request, quarter=None):
        q = _parse(Quarter.parse, quarter)
        services.quarter_prepare(quarter=q, by=request.user)
        return self._detail(q)

    @extend_schema(
        parameters=[OpenApiParameter("quarter", str, OpenApiParameter.PATH, description="YYYYQn")],
        request=SettlementQuarterNoteSerializer,
        responses={200: QuarterDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, quarter=None):
        q = _parse(Quarter.parse, quarter)
        settlement = self._settlement(q)
        data = _valid(SettlementQuarterNoteSerializer, request.data)
        services.quarter_approve(settlement=settlement, by=request.user, note=data["note"])
        return self._detail(q)

    @extend_schema(
        parameters=[OpenApiParameter("quarter", str, OpenApiParameter.PATH, description="YYYYQn")],
        request=SettlementQuarterReasonSerializer,
        responses={200: QuarterDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, quarter=None):
        q = _parse(Quarter.parse, quarter)
        settlement = self._settlement(q)
        data = _valid(SettlementQuarterReasonSerializer, request.data)
        services.quarter_send_back(settlement=settlement, by=request.user, reason=data["reason"])
        return self._detail(q)


# --- repayment claims against providers ------------------------------------------------------


class RepaymentDeductionSerializer(serializers.Serializer):
    quarter = serializers.CharField(source="settlement.label")
    quarter_status = serializers.CharField(source="settlement.status")
    amount = serializers.DecimalField(source="amount.amount", max_digits=14, decimal_places=2)
    created_at = serializers.DateTimeField()


class RepaymentReceiptSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    amount = serializers.DecimalField(source="amount.amount", max_digits=14, decimal_places=2)
    received_on = serializers.DateField()
    method = serializers.CharField(help_text="transfer, cash or other")
    note = serializers.CharField()
    by = serializers.CharField(source="by.username")
    created_at = serializers.DateTimeField()


class RepaymentClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    provider = serializers.IntegerField(source="provider_id")
    provider_name = serializers.CharField(source="provider.name")
    district = serializers.IntegerField(source="district_id")
    amount = serializers.DecimalField(source="amount.amount", max_digits=14, decimal_places=2)
    ground = serializers.CharField(help_text="fraud or violation")
    reason = serializers.CharField()
    evidence = serializers.CharField()
    deducted = serializers.DecimalField(source="deducted_amount", max_digits=14, decimal_places=2)
    received = serializers.DecimalField(source="received_amount", max_digits=14, decimal_places=2)
    remaining = serializers.DecimalField(max_digits=14, decimal_places=2)
    status = serializers.CharField(help_text="open, partly_settled or settled")
    created_by = serializers.CharField(source="created_by.username")
    created_at = serializers.DateTimeField()


class RepaymentClaimDetailSerializer(RepaymentClaimSerializer):
    deductions = RepaymentDeductionSerializer(many=True, source="deductions.all")
    receipts = RepaymentReceiptSerializer(many=True, source="receipts.all")


class RepaymentClaimCreateSerializer(serializers.Serializer):
    provider = serializers.IntegerField()
    # Text: the service refuses zero, negative and non-numbers (NaN, ∞) with its own message.
    amount = serializers.CharField(help_text="CNY, e.g. 240.00")
    ground = serializers.CharField(help_text="fraud or violation")
    reason = serializers.CharField(allow_blank=True)
    evidence = serializers.CharField(required=False, allow_blank=True, default="")


class RepaymentReceiptCreateSerializer(serializers.Serializer):
    amount = serializers.CharField(help_text="CNY, e.g. 30.00")
    received_on = serializers.DateField()
    method = serializers.CharField(default=RepaymentReceipt.Method.TRANSFER, help_text="transfer, cash or other")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RepaymentClaimViewSet(viewsets.ViewSet):
    """Repayment claims against providers (追缴退赔), of the user's district: the district's
    reviewers and finance make them; finance records what is paid back directly; deductions come
    from the quarterly settlements."""

    lookup_value_regex = r"\d+"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not (request.user.is_superuser or request.user.has_role(*selectors.CLAIM_ROLES)):
            raise NotAllowed(_("Your role does not take part in repayment claims."))

    def _detail(self, pk: int, code=status.HTTP_200_OK) -> Response:
        claim = selectors.claim_get(user=self.request.user, pk=pk)
        return Response(RepaymentClaimDetailSerializer(claim).data, status=code)

    @extend_schema(responses={200: RepaymentClaimSerializer(many=True)})
    def list(self, request):
        return Response(RepaymentClaimSerializer(selectors.claims_for(user=request.user), many=True).data)

    @extend_schema(request=RepaymentClaimCreateSerializer, responses={201: RepaymentClaimDetailSerializer})
    def create(self, request):
        data = _valid(RepaymentClaimCreateSerializer, request.data)
        provider = get_object_or_404(selectors.claim_providers(user=request.user), pk=data["provider"])
        claim = services.claim_create(
            provider=provider,
            amount=data["amount"],
            ground=data["ground"],
            reason=data["reason"],
            evidence=data["evidence"],
            by=request.user,
        )
        return self._detail(claim.pk, status.HTTP_201_CREATED)

    @extend_schema(responses={200: RepaymentClaimDetailSerializer})
    def retrieve(self, request, pk=None):
        return self._detail(int(pk))

    @extend_schema(request=RepaymentReceiptCreateSerializer, responses={201: RepaymentClaimDetailSerializer})
    @action(detail=True, methods=["post"])
    def receipts(self, request, pk=None):
        claim = selectors.claim_get(user=request.user, pk=int(pk))
        data = _valid(RepaymentReceiptCreateSerializer, request.data)
        services.claim_receipt_record(claim=claim, by=request.user, **data)
        return self._detail(claim.pk, status.HTTP_201_CREATED)


STATEMENT_PARAMETERS = [
    OpenApiParameter("month", str, required=True, description="The month, like 2026-12"),
    OpenApiParameter("provider", int, required=True, description="The provider's id"),
]


class ProviderStatementViewSet(viewsets.ViewSet):
    """A provider's monthly statement of services (结算单): its administrator for its provider,
    finance and the district for any. The total is the provider's on the month's settlement."""

    def _statement(self, request):
        try:
            month = Month.parse(request.query_params.get("month", ""))
            provider_id = int(request.query_params.get("provider", ""))
        except (DomainError, ValueError) as exc:
            raise Http404 from exc
        provider = statement_provider(user=request.user, provider_id=provider_id)
        return month, provider_id, statement_build(provider=provider, month=month)

    @extend_schema(parameters=STATEMENT_PARAMETERS, responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"])
    def pdf(self, request):
        month, provider_id, statement = self._statement(request)
        return document_response(
            statement_pdf(statement), content_type="application/pdf", filename=f"statement-{month}-{provider_id}.pdf"
        )

    @extend_schema(parameters=STATEMENT_PARAMETERS, responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"])
    def xlsx(self, request):
        month, provider_id, statement = self._statement(request)
        return document_response(
            statement_xlsx(statement), content_type=XLSX, filename=f"statement-{month}-{provider_id}.xlsx"
        )


def register(router) -> None:
    router.register("provider-statements", ProviderStatementViewSet, basename="provider-statement")
    router.register("settlement-months", SettlementMonthViewSet, basename="settlement-month")
    router.register("settlement-quarters", SettlementQuarterViewSet, basename="settlement-quarter")
    router.register("repayment-claims", RepaymentClaimViewSet, basename="repayment-claim")
