"""REST API of buy-on-behalf, scoped through the same selectors as the pages.

Refusals: 404 outside what the user may see, 403 for a role that may not act, 409 when the order
or the run is not in a state for the step (or a payment reference is already recorded), 400 for
invalid input.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from eldercare.models import Division, Elder

from . import selectors, services
from .models import (
    Delivery,
    Necessity,
    OrderEvent,
    OrderStatus,
    PartnerSupermarket,
    Payment,
    PaymentMethod,
    PurchaseItem,
    PurchaseRequest,
    PurchaseRun,
)


def _amount(source: str, **kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(source=source, max_digits=10, decimal_places=2, read_only=True, **kwargs)


class NecessitySerializer(serializers.ModelSerializer):
    typical_price = _amount("typical_price.amount", help_text="CNY.")

    class Meta:
        model = Necessity
        fields = ["id", "name", "unit", "typical_price", "active"]


class NecessityViewSet(viewsets.ReadOnlyModelViewSet):
    """The catalogue of daily necessities households order from."""

    serializer_class = NecessitySerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.necessity_list()


class PartnerSupermarketSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartnerSupermarket
        fields = ["id", "name", "district", "streets", "address", "phone", "payment_qr", "active"]


class PartnerSupermarketViewSet(viewsets.ReadOnlyModelViewSet):
    """The partner supermarkets of the user's district (their staff: their own)."""

    serializer_class = PartnerSupermarketSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PartnerSupermarket.objects.none()
        return selectors.supermarket_list(user=self.request.user)


class PurchaseItemSerializer(serializers.ModelSerializer):
    necessity = serializers.PrimaryKeyRelatedField(
        queryset=Necessity.objects.filter(active=True), required=False, allow_null=True
    )
    label = serializers.CharField(read_only=True)
    price = _amount("price.amount", allow_null=True, help_text="The line's actual price, entered when packed (CNY).")

    class Meta:
        model = PurchaseItem
        fields = ["id", "necessity", "free_text", "label", "quantity", "price", "unavailable"]
        read_only_fields = ["unavailable"]
        extra_kwargs = {"free_text": {"required": False}}


class OrderEventSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", read_only=True)

    class Meta:
        model = OrderEvent
        fields = ["from_status", "to_status", "by", "at", "note"]


class DeliverySerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", read_only=True)

    class Meta:
        model = Delivery
        fields = ["contactless", "by", "at", "note"]


class PaymentSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", read_only=True)
    amount = _amount("amount.amount", help_text="CNY.")

    class Meta:
        model = Payment
        fields = ["method", "reference", "amount", "by", "at"]


class PurchaseRequestSerializer(serializers.ModelSerializer):
    """An order: created with its items; the state, the run, the amount and the rest are read."""

    elder = serializers.PrimaryKeyRelatedField(queryset=Elder.objects.all())
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    community = serializers.IntegerField(source="community_id", read_only=True)
    items = PurchaseItemSerializer(many=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    amount_due = _amount("amount_due.amount", allow_null=True, help_text="Sum of the packed lines' prices (CNY).")
    delivery = DeliverySerializer(read_only=True, allow_null=True, default=None)
    payment = PaymentSerializer(read_only=True, allow_null=True, default=None)

    class Meta:
        model = PurchaseRequest
        fields = [
            "id",
            "elder",
            "elder_name",
            "community",
            "urgent",
            "note",
            "items",
            "requested_by",
            "requested_at",
            "status",
            "run",
            "amount_due",
            "packed_at",
            "delivery",
            "payment",
        ]
        read_only_fields = ["requested_at", "status", "run", "packed_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # the reverse one-to-one is absent until the step is recorded
        for name in ("delivery", "payment"):
            if not hasattr(instance, name):
                data[name] = None
        return data


class PurchaseRequestDetailSerializer(PurchaseRequestSerializer):
    events = OrderEventSerializer(many=True, read_only=True)

    class Meta(PurchaseRequestSerializer.Meta):
        fields = [*PurchaseRequestSerializer.Meta.fields, "events"]


class NoteInput(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class DeliverInput(NoteInput):
    contactless = serializers.BooleanField(default=True)


class PaymentInput(serializers.Serializer):
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    reference = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text="Required for a code payment (qr)."
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=[selectors.OPEN, *OrderStatus.values]),
            OpenApiParameter("elder", int, description="Only this household."),
            OpenApiParameter("community", int, description="Only this community."),
        ]
    )
)
class PurchaseRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Households' orders of necessities: the community's and its area's, the households in the
    user's care (a volunteer), or those in the runs of the user's supermarket."""

    def get_serializer_class(self):
        return PurchaseRequestDetailSerializer if self.action == "retrieve" else PurchaseRequestSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PurchaseRequest.objects.none()
        params = self.request.query_params
        qs = selectors.request_list(
            user=self.request.user,
            status=params.get("status", ""),
            community=int(params["community"]) if params.get("community", "").isdigit() else None,
        )
        if params.get("elder", "").isdigit():
            qs = qs.filter(elder_id=int(params["elder"]))
        if self.action == "retrieve":
            qs = qs.prefetch_related("events__by")
        return qs

    def create(self, request):
        serializer = PurchaseRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        elder = outreach_elder(request.user, d["elder"].pk)
        order = services.purchase_request(
            elder=elder,
            by=request.user,
            items=[
                services.ItemData(
                    quantity=i["quantity"], necessity=i.get("necessity"), free_text=i.get("free_text", "")
                )
                for i in d["items"]
            ],
            urgent=d.get("urgent", False),
            note=d.get("note", ""),
        )
        return Response(PurchaseRequestSerializer(order).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=NoteInput, responses={200: PurchaseRequestSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel an order not yet packed."""
        s = NoteInput(data=request.data)
        s.is_valid(raise_exception=True)
        order = services.request_cancel(
            request=self.get_object(), by=request.user, note=s.validated_data.get("note", "")
        )
        return Response(PurchaseRequestSerializer(order).data)

    @extend_schema(request=DeliverInput, responses={200: PurchaseRequestSerializer})
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        """Record the contactless delivery of an order handed over by the supermarket."""
        s = DeliverInput(data=request.data)
        s.is_valid(raise_exception=True)
        order = services.request_deliver(
            request=self.get_object(),
            by=request.user,
            note=s.validated_data.get("note", ""),
            contactless=s.validated_data["contactless"],
        )
        return Response(PurchaseRequestSerializer(order).data)

    @extend_schema(request=PaymentInput, responses={201: PaymentSerializer})
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        """Record the household's payment of a delivered order (the amount is the order's)."""
        s = PaymentInput(data=request.data)
        s.is_valid(raise_exception=True)
        payment = services.payment_record(
            request=self.get_object(),
            by=request.user,
            method=s.validated_data["method"],
            reference=s.validated_data.get("reference", ""),
        )
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


def outreach_elder(user, pk: int) -> Elder:
    found = selectors.requestable_elders(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound
    return found


class ConsolidatedLineSerializer(serializers.Serializer):
    label = serializers.CharField()
    unit = serializers.CharField()
    quantity = serializers.IntegerField(help_text="Summed across the run's households.")
    households = serializers.IntegerField()


class PurchaseRunSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    supermarket_name = serializers.CharField(source="supermarket.name", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    handed_over_by = serializers.CharField(source="handed_over_by.username", read_only=True, default=None)
    households = serializers.IntegerField(read_only=True)
    packed = serializers.IntegerField(read_only=True)

    class Meta:
        model = PurchaseRun
        fields = [
            "id",
            "community",
            "community_name",
            "supermarket",
            "supermarket_name",
            "run_date",
            "cycle",
            "kind",
            "households",
            "packed",
            "created_by",
            "handed_over_at",
            "handed_over_by",
        ]
        read_only_fields = fields


class PurchaseRunDetailSerializer(PurchaseRunSerializer):
    consolidated = serializers.SerializerMethodField()
    orders = serializers.SerializerMethodField()

    class Meta(PurchaseRunSerializer.Meta):
        fields = [*PurchaseRunSerializer.Meta.fields, "consolidated", "orders"]
        read_only_fields = fields

    @extend_schema_field(ConsolidatedLineSerializer(many=True))
    def get_consolidated(self, run) -> list[dict]:
        return ConsolidatedLineSerializer(selectors.consolidated_order(run=run), many=True).data

    @extend_schema_field(PurchaseRequestSerializer(many=True))
    def get_orders(self, run) -> list[dict]:
        return PurchaseRequestSerializer(selectors.run_requests(run=run), many=True).data


class RunMakeInput(serializers.Serializer):
    community = serializers.PrimaryKeyRelatedField(queryset=Division.objects.filter(level=Division.Level.COMMUNITY))


class PackLineInput(serializers.Serializer):
    item = serializers.IntegerField()
    price = serializers.DecimalField(
        max_digits=10, decimal_places=2, allow_null=True, help_text="The line's actual price; null: not available."
    )


class PackInput(serializers.Serializer):
    order = serializers.IntegerField()
    lines = PackLineInput(many=True)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=["open", "done"], description="open: not yet handed over."),
            OpenApiParameter("community", int, description="Only this community."),
        ]
    )
)
class PurchaseRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Purchase runs: the community's (made here), or those placed with the user's supermarket,
    which packs each household's order and hands the run over."""

    def get_serializer_class(self):
        return PurchaseRunDetailSerializer if self.action == "retrieve" else PurchaseRunSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PurchaseRun.objects.none()
        params = self.request.query_params
        return selectors.run_list(
            user=self.request.user,
            open_only={"open": True, "done": False}.get(params.get("status", "")),
            community=int(params["community"]) if params.get("community", "").isdigit() else None,
        )

    @extend_schema(request=RunMakeInput, responses={201: PurchaseRunSerializer})
    def create(self, request):
        """Make the community's run today: every waiting need when the 3-day cycle is due, the
        urgent ones only before then."""
        s = RunMakeInput(data=request.data)
        s.is_valid(raise_exception=True)
        run = services.purchase_run_make(community=s.validated_data["community"], by=request.user)
        return Response(PurchaseRunSerializer(selectors.run_get(user=request.user, pk=run.pk)).data, status=201)

    @extend_schema(request=PackInput, responses={200: PurchaseRequestSerializer})
    @action(detail=True, methods=["post"])
    def pack(self, request, pk=None):
        """Pack one household's order of the run: each line's actual price, or null."""
        run = self.get_object()
        s = PackInput(data=request.data)
        s.is_valid(raise_exception=True)
        order = selectors.run_requests(run=run).filter(pk=s.validated_data["order"]).first()
        if order is None:
            raise NotFound
        order = services.request_pack(
            request=order, by=request.user, prices={line["item"]: line["price"] for line in s.validated_data["lines"]}
        )
        return Response(PurchaseRequestSerializer(order).data)

    @extend_schema(request=None, responses={200: PurchaseRunSerializer})
    @action(detail=True, methods=["post"], url_path="hand-over")
    def hand_over(self, request, pk=None):
        """Hand the run's packed orders over to the community."""
        run = services.run_hand_over(run=self.get_object(), by=request.user)
        return Response(PurchaseRunSerializer(selectors.run_get(user=request.user, pk=run.pk)).data)


def register(router) -> None:
    router.register("necessities", NecessityViewSet, basename="necessity")
    router.register("partner-supermarkets", PartnerSupermarketViewSet, basename="partner-supermarket")
    router.register("purchase-requests", PurchaseRequestViewSet, basename="purchase-request")
    router.register("purchase-runs", PurchaseRunViewSet, basename="purchase-run")
