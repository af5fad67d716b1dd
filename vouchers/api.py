"""REST API of the voucher ledger: balances and entries, scoped exactly like the pages.

Redemption is not exposed raw: the provider app books it through its work orders.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import LimitOffsetPagination

from .models import Account, LedgerEntry
from .selectors import account_get, account_list, entry_list


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


class EntryPagination(LimitOffsetPagination):
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


def register(router) -> None:
    router.register("voucher-accounts", VoucherAccountViewSet, basename="voucher-account")
