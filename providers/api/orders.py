"""REST API of the providers app, scoped through the same selectors as the pages.

The caregiver's phone app authenticates with a token (POST /api/v1/auth-token/) and calls
`check-in` and `check-out` on its work orders with the scanned token or typed code and a
`request_id` it keeps for retries; `charge` says what the visit costs the elder.
"""

from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from eldercare.selectors import elder_get
from eldercare.tokens import ApiTokenAuthentication, api_token_issue, api_token_revoke

from .. import quality, services, throttle
from ..forms.orders import SIGNATURE_MAX_CHARS
from ..models import CallbackResult, WorkOrder
from ..selectors import caregiver_get, order_for_check, order_get, order_list, visit_charge
from ..services.catalogue import catalogue_items, catalogue_packages
from ..services.visits import order_book, package_book


class WorkOrderSerializer(serializers.ModelSerializer):
    price = serializers.DecimalField(source="price.amount", max_digits=10, decimal_places=2, read_only=True)
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "elder",
            "elder_name",
            "provider",
            "item",
            "item_name",
            "package",
            "self_paid",
            "price",
            "scheduled_at",
            "booked_via",
            "caregiver",
            "status",
            "checked_in_at",
            "checked_out_at",
            "notes",
            "overlap_flagged",
            "reservice_of",
            "void_reason",
        ]
        read_only_fields = fields


class BookSerializer(serializers.Serializer):
    elder = serializers.IntegerField()
    item = serializers.IntegerField()
    scheduled_at = serializers.DateTimeField()
    via = serializers.ChoiceField(choices=WorkOrder.BookedVia.choices, required=False)
    caregiver = serializers.IntegerField(required=False, allow_null=True, help_text="Optional: assigned at booking")
    self_paid = serializers.BooleanField(default=False, help_text="The elder pays it personally, never the subsidy")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class BookPackageSerializer(BookSerializer):
    item = None  # type: ignore[assignment]
    package = serializers.IntegerField()


class CheckSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=200, help_text="The scanned card token or the typed short code")
    request_id = serializers.CharField(
        max_length=80,
        required=False,
        allow_blank=True,
        help_text="Chosen by the phone and kept for retries: a request id already handled is not done again",
    )
    lat = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    lng = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    elder_code = serializers.CharField(
        max_length=12,
        required=False,
        allow_blank=True,
        help_text="Check-out: the elder's six-digit one-time code from the back of the card",
    )
    signature = serializers.CharField(
        max_length=SIGNATURE_MAX_CHARS,
        required=False,
        allow_blank=True,
        help_text="Check-out, instead of the code: the elder's signature as a PNG data URL (data:image/png;base64,...)",
    )
    accept_unpaid = serializers.BooleanField(
        default=False,
        help_text="Check-out: go through although the visit will not be paid (too short, or held for an "
        "exception); without it such a check-out answers 409 unpaid_check_out with the reasons",
    )


class ChargeSerializer(serializers.Serializer):
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    subsidy = serializers.DecimalField(max_digits=10, decimal_places=2, help_text="Paid by the subsidy account")
    personal = serializers.DecimalField(max_digits=10, decimal_places=2, help_text="Paid by the personal account")
    cash = serializers.DecimalField(max_digits=10, decimal_places=2, help_text="Cash to collect at the door")
    copay = serializers.DecimalField(max_digits=10, decimal_places=2, help_text="The elder's part: personal + cash")
    redeemed = serializers.BooleanField(help_text="True: as charged at check-out; false: as it would be paid now")


class RefusalSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


class UnpaidRefusalSerializer(RefusalSerializer):
    reasons = serializers.ListField(child=serializers.CharField())


class ThrottledSerializer(RefusalSerializer):
    retry_after = serializers.IntegerField(help_text="Seconds until the limit ends (also the Retry-After header)")


class AssignSerializer(serializers.Serializer):
    caregiver = serializers.IntegerField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class CallbackSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=["provider", "district"])
    result = serializers.ChoiceField(choices=CallbackResult.choices)
    note = serializers.CharField(required=False, allow_blank=True)


class WorkOrderViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = WorkOrderSerializer
    # The caregivers' hot path: the check-in or check-out service is the request's one transaction
    # (no savepoint; any refusal rolls it back whole).
    own_transaction_actions = ("check_in", "check_out")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return WorkOrder.objects.none()
        return order_list(user=self.request.user, status=self.request.query_params.get("status"))

    def get_object(self):
        return order_get(user=self.request.user, pk=self.kwargs["pk"])

    def _answer(self, order, code=status.HTTP_200_OK, *, fresh: bool = False):
        """The order as saved; `fresh`: the service returned it with elder and item loaded (the
        check-in and check-out hot path saves a query)."""
        if not fresh:
            order = WorkOrder.objects.select_related("elder", "item").get(pk=order.pk)
        return Response(WorkOrderSerializer(order).data, status=code)

    def _booking(self, d) -> dict:
        user = self.request.user
        caregiver = d.get("caregiver")
        return {
            "elder": elder_get(user=user, pk=d["elder"]),
            "scheduled_at": d["scheduled_at"],
            "via": d.get("via", ""),
            "note": d.get("note", ""),
            "self_paid": d.get("self_paid", False),
            "caregiver": caregiver_get(user=user, pk=caregiver) if caregiver else None,
            "by": user,
        }

    @extend_schema(request=BookSerializer, responses={201: WorkOrderSerializer})
    def create(self, request, *args, **kwargs):
        """Book one visit of a catalogue item (approved and in force on the visit's day)."""
        s = BookSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        item = get_object_or_404(catalogue_items(user=request.user), pk=s.validated_data["item"])
        order = order_book(item=item, **self._booking(s.validated_data))
        return self._answer(order, status.HTTP_201_CREATED)

    @extend_schema(request=BookPackageSerializer, responses={201: WorkOrderSerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="book-package")
    def book_package(self, request):
        """Book a package: one work order per item, one after the other, each at its share of the
        package price (the shares add up to the package price)."""
        s = BookPackageSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        package = get_object_or_404(catalogue_packages(user=request.user), pk=s.validated_data["package"])
        orders = package_book(package=package, **self._booking(s.validated_data))
        fresh = WorkOrder.objects.select_related("elder", "item").filter(pk__in=[o.pk for o in orders])
        return Response(WorkOrderSerializer(fresh.order_by("scheduled_at"), many=True).data, status.HTTP_201_CREATED)

    def _check(self, request, service, **kwargs):
        """Run a check-in or check-out under the rate limits (429 with Retry-After when refused)."""
        try:
            visit = order_for_check(user=request.user, pk=self.kwargs["pk"])
            order = throttle.guarded(request, visit, service, **kwargs)
        except throttle.TooManyAttempts as exc:
            return Response(
                {"detail": exc.message, "code": exc.code, **exc.params},
                status=exc.http_status,
                headers={"Retry-After": str(exc.retry_after)},
            )
        return self._answer(order, fresh=True)

    @extend_schema(
        request=CheckSerializer,
        responses={200: WorkOrderSerializer, 403: RefusalSerializer, 409: RefusalSerializer, 429: ThrottledSerializer},
    )
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        """The caregiver at the door, with the elder's card: its scanned token or typed short code.
        Wrong codes are limited per caregiver and per work order (429 once locked)."""
        s = CheckSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        return self._check(
            request,
            services.visit_check_in,
            code=d["code"],
            request_id=d.get("request_id", ""),
            lat=d.get("lat"),
            lng=d.get("lng"),
        )

    @extend_schema(
        request=CheckSerializer,
        responses={
            200: WorkOrderSerializer,
            403: RefusalSerializer,
            409: UnpaidRefusalSerializer,
            429: ThrottledSerializer,
        },
    )
    @action(detail=True, methods=["post"], url_path="check-out")
    def check_out(self, request, pk=None):
        """Leaving: the card again, and the elder's confirmation (one-time code or signature). A
        check-out that will not be paid answers 409 `unpaid_check_out` with its reasons and writes
        nothing, until it is sent again with `accept_unpaid`."""
        s = CheckSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        return self._check(
            request,
            services.visit_check_out,
            code=d["code"],
            request_id=d.get("request_id", ""),
            lat=d.get("lat"),
            lng=d.get("lng"),
            notes=d.get("notes", ""),
            elder_code=d.get("elder_code", ""),
            signature=d.get("signature", ""),
            accept_unpaid=d.get("accept_unpaid", False),
        )

    @extend_schema(responses={200: ChargeSerializer})
    @action(detail=True, methods=["get"])
    def charge(self, request, pk=None):
        """The price of the visit, the subsidy part and the co-pay (personal account, cash to
        collect): as charged once the visit is paid, else as it would be paid now."""
        order = self.get_object()
        c = visit_charge(order)
        data = {
            "price": c.price.amount,
            "subsidy": c.subsidy.amount,
            "personal": c.personal.amount,
            "cash": c.cash.amount,
            "copay": c.copay.amount,
            "redeemed": order.redemption_id is not None,
        }
        return Response(ChargeSerializer(data).data)

    @extend_schema(request=AssignSerializer, responses={200: WorkOrderSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        s = AssignSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        caregiver = caregiver_get(user=request.user, pk=s.validated_data["caregiver"])
        return self._answer(services.order_assign(order=self.get_object(), caregiver=caregiver, by=request.user))

    @extend_schema(request=ReasonSerializer, responses={200: WorkOrderSerializer})
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        s = ReasonSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return self._answer(
            services.order_void(order=self.get_object(), reason=s.validated_data["reason"], by=request.user)
        )

    @extend_schema(request=ReasonSerializer, responses={200: WorkOrderSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        s = ReasonSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return self._answer(
            services.order_cancel(order=self.get_object(), reason=s.validated_data["reason"], by=request.user)
        )

    @extend_schema(
        request=CallbackSerializer,
        responses={
            201: inline_serializer(
                "CallbackRecorded", {"id": serializers.IntegerField(), "result": serializers.CharField()}
            )
        },
    )
    @action(detail=True, methods=["post"])
    def callback(self, request, pk=None):
        s = CallbackSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        cb = quality.callback_record(order=self.get_object(), by=request.user, **s.validated_data)
        return Response({"id": cb.pk, "result": cb.result}, status=status.HTTP_201_CREATED)


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField()


class AuthTokenViewSet(viewsets.ViewSet):
    """The phone app's login: a username and password give a token for `Authorization: Token …`.

    The token ends `API_TOKEN_TTL_HOURS` after its last use, on sign-out (`logout`), on a new
    password and when the account is deactivated; signing in again gives a new one."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=LoginSerializer,
        responses={
            200: inline_serializer(
                "AuthToken",
                {
                    "token": serializers.CharField(),
                    "expiry": serializers.DateTimeField(help_text="Unless used again before; each use renews it"),
                },
            ),
            400: RefusalSerializer,
            429: RefusalSerializer,
        },
    )
    def create(self, request):
        s = LoginSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        user = authenticate(request._request, **s.validated_data)
        if user is None:
            return Response(
                {"detail": _("Unable to log in with provided credentials."), "code": "invalid_credentials"},
                status=status.HTTP_400_BAD_REQUEST,
            )
        key, token = api_token_issue(user=user)
        return Response({"token": key, "expiry": serializers.DateTimeField().to_representation(token.expiry)})

    @extend_schema(request=None, responses={204: None})
    @action(
        detail=False,
        methods=["post"],
        authentication_classes=[ApiTokenAuthentication],
        permission_classes=[IsAuthenticated],
    )
    def logout(self, request):
        """Sign-out: the token of the request ends (a request signed in otherwise has none to end)."""
        if request.auth is not None:
            api_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router) -> None:
    router.register("work-orders", WorkOrderViewSet, basename="work-order")
    router.register("auth-token", AuthTokenViewSet, basename="auth-token")
