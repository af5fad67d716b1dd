"""REST API of the voucher ledger: balances and entries, scoped exactly like the pages.

Redemption is not exposed raw: the provider app books it through its work orders. Deposits
into and refunds from the personal account are booked at the community's counter
(`personal-deposits`, `personal-refunds`), idempotent by the client's request id.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from eldercare.errors import NotAllowed
from eldercare.money import cny
from eldercare.paging import CappedLimitOffsetPagination

from . import services
from .models import Account, LedgerEntry
from .selectors import account_get, account_list, elder_accounts, elder_for_accounts, entry_list
from .services.deposits import NOTE_MAX_LENGTH, PaymentMethod


class AccountSerializer(serializers.ModelSerializer):
    # Pooled accounts keep no cached balance: `current_balance` is the sum of their entries.
    balance = serializers.DecimalField(source="current_balance.amount", max_digits=14, decimal_places=2, read_only=True)
    currency = serializers.CharField(source="current_balance.currency.code", read_only=True)

    class Meta:
        model = Account
        fields = [
            "id",
            "kind",
            "elder",
            "provider",
            "division",
            "status",
            "status_cause",
            "status_reason",
            "status_changed_at",
            "balance",
            "currency",
            "updated_at",
        ]


class EntrySerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(source="amount.amount", max_digits=14, decimal_places=2, read_only=True)
    transaction_kind = serializers.CharField(source="transaction.kind", read_only=True)
    reference = serializers.CharField(source="transaction.reference", read_only=True)
    memo = serializers.CharField(source="transaction.memo", read_only=True)
    month = serializers.DateField(source="transaction.month", read_only=True)
    reverses = serializers.IntegerField(source="transaction.reverses_id", read_only=True, allow_null=True)

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "transaction",
            "transaction_kind",
            "account",
            "amount",
            "reference",
            "memo",
            "month",
            "reverses",
            "created_at",
        ]


class EntryPagination(CappedLimitOffsetPagination):
    default_limit = 100
    max_limit = 1000


@extend_schema(
    parameters=[
        OpenApiParameter("elder", int, description="only the accounts of this elder"),
        OpenApiParameter("kind", str, enum=Account.Kind.values),
    ]
)
class VoucherAccountViewSet(viewsets.ReadOnlyModelViewSet):
    """Accounts with their balances; `entries` lists an account's ledger entries, newest first."""

    serializer_class = AccountSerializer
    pagination_class = EntryPagination

    def get_queryset(self):
        params = self.request.query_params
        kind = params.get("kind", "")
        qs = account_list(user=self.request.user, kind=kind if kind in Account.Kind.values else "")
        if params.get("elder", "").isdigit():
            qs = qs.filter(elder_id=int(params["elder"]))
        return qs

    def get_object(self):
        return account_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(responses={200: EntrySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def entries(self, request, pk=None):
        account = self.get_object()
        qs = entry_list(accounts=[account])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(EntrySerializer(page, many=True).data)


class CounterRequestSerializer(serializers.Serializer):
    elder = serializers.IntegerField(min_value=1)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")
    request_id = serializers.CharField(
        max_length=80, help_text="Chosen by the client; the same request sent again books the money once."
    )


class CounterReceiptSerializer(serializers.Serializer):
    transaction = serializers.IntegerField(source="transaction.pk")
    receipt_number = serializers.CharField(source="number")
    kind = serializers.CharField(source="transaction.kind")
    elder = serializers.IntegerField(source="elder.pk")
    amount = serializers.DecimalField(source="amount.amount", max_digits=14, decimal_places=2)
    method = serializers.CharField()
    note = serializers.CharField()
    created_by = serializers.IntegerField(source="transaction.created_by_id", allow_null=True)
    created_at = serializers.DateTimeField(source="transaction.created_at")
    personal_balance = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_personal_balance(self, receipt) -> str:
        """The balance now (a replay answers today's balance, not the one right after the booking)."""
        personal = elder_accounts(elder=receipt.elder)[Account.Kind.PERSONAL]
        return f"{personal.balance.amount if personal is not None else Decimal('0'):.2f}"


class _CounterViewSet(viewsets.ViewSet):
    """Book money at the community's counter for an elder of the user's community."""

    book = staticmethod(services.personal_counter_deposit)

    @extend_schema(request=CounterRequestSerializer, responses={201: CounterReceiptSerializer})
    def create(self, request):
        params = CounterRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        # Outside the user's scope the elder does not exist (404); inside, a role that may only
        # look is refused (403).
        elder = elder_for_accounts(user=request.user, pk=data["elder"])
        if not services.counter_allowed(user=request.user, elder=elder):
            raise NotAllowed(_("Only the community worker of the elder's community may take deposits or pay refunds."))
        receipt = self.book(
            elder=elder,
            amount=cny(data["amount"]),
            method=data["method"],
            note=data["note"],
            request_id=data["request_id"],
            by=request.user,
        )
        return Response(CounterReceiptSerializer(receipt).data, status=status.HTTP_201_CREATED)


class PersonalDepositViewSet(_CounterViewSet):
    """A deposit into the elder's personal account (the agent brings the money); a replay of the
    same `request_id` answers the receipt already booked."""

    book = staticmethod(services.personal_counter_deposit)


class PersonalRefundViewSet(_CounterViewSet):
    """A refund of (part of) the elder's personal balance, never more than the balance; a replay of
    the same `request_id` answers the receipt already booked."""

    book = staticmethod(services.personal_counter_refund)


def register(router) -> None:
    router.register("voucher-accounts", VoucherAccountViewSet, basename="voucher-account")
    router.register("personal-deposits", PersonalDepositViewSet, basename="personal-deposit")
    router.register("personal-refunds", PersonalRefundViewSet, basename="personal-refund")
