"""REST API of service agreements and service cards (registered by providers.api.register).

- `GET/POST /api/v1/agreements/`: the agreements the user may see; sign one. A community worker
  names the elder by `elder` (id); a provider admin may name them by `elder_id_number` and must
  say how the elder consented (`consent`).
- `POST /api/v1/agreements/{id}/end/`: end with `ends_on`, `reason`, `note`.
- `POST /api/v1/agreements/{id}/change-provider/`: `provider`, `starts_on`, `consent`, `note`.
- `GET /api/v1/cards/`, `POST /api/v1/cards/issue/` (`elder`, `reason`): the elders' cards, for
  the community and the elder's providers only; caregivers never read a card's token.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from eldercare.errors import ValidationFailed
from eldercare.models import Elder, Role
from eldercare.scoping import scope_for
from eldercare.selectors import elder_get, elder_list

from ..models import ElderCard, Provider, ServiceAgreement
from ..services import agreements as svc


class AgreementSerializer(serializers.ModelSerializer):
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)

    class Meta:
        model = ServiceAgreement
        fields = [
            "id",
            "elder",
            "elder_name",
            "provider",
            "provider_name",
            "signed_on",
            "consent",
            "signed_by",
            "ends_on",
            "end_reason",
            "end_note",
            "ended_by",
        ]
        read_only_fields = fields


class SignSerializer(serializers.Serializer):
    elder = serializers.IntegerField(required=False, help_text="The elder's id (community workers).")
    elder_id_number = serializers.CharField(
        required=False, max_length=18, help_text="The elder's full ID number (provider admins)."
    )
    provider = serializers.IntegerField()
    signed_on = serializers.DateField()
    consent = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class EndSerializer(serializers.Serializer):
    ends_on = serializers.DateField()
    # A change of provider and a terminated provider end agreements through their own actions.
    reason = serializers.ChoiceField(
        choices=[c for c in ServiceAgreement.EndReason.choices if c[0] in svc.PLAIN_END_REASONS]
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class ChangeProviderSerializer(serializers.Serializer):
    provider = serializers.IntegerField()
    starts_on = serializers.DateField()
    consent = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


def _provider(pk: int) -> Provider:
    provider = Provider.objects.filter(pk=pk).first()
    if provider is None:
        raise ValidationFailed(_("No such provider."))
    return provider


class AgreementViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = AgreementSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return ServiceAgreement.objects.none()
        user = self.request.user
        if not (user.is_superuser or user.has_role(*_AGREEMENT_ROLES)):
            return ServiceAgreement.objects.none()
        return svc.agreement_list(user=user).order_by("-signed_on", "-id")

    @extend_schema(request=SignSerializer, responses={201: AgreementSerializer})
    def create(self, request, *args, **kwargs):
        data = SignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if v.get("elder") is not None:
            elder = elder_get(user=request.user, pk=v["elder"])
        elif v.get("elder_id_number"):
            elder = svc.elder_by_id_number(user=request.user, id_number=v["elder_id_number"])
        else:
            raise ValidationFailed(_("Name the elder: by its id, or by its full ID number."))
        agreement = svc.agreement_sign(
            elder=elder,
            provider=_provider(v["provider"]),
            signed_on=v["signed_on"],
            consent=v["consent"],
            by=request.user,
        )
        return Response(AgreementSerializer(agreement).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EndSerializer, responses={200: AgreementSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        agreement = self.get_object()
        data = EndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agreement = svc.agreement_end(agreement=agreement, by=request.user, **data.validated_data)
        return Response(AgreementSerializer(agreement).data)

    @extend_schema(request=ChangeProviderSerializer, responses={201: AgreementSerializer})
    @action(detail=True, methods=["post"], url_path="change-provider")
    def change_provider(self, request, pk=None):
        agreement = self.get_object()
        data = ChangeProviderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        new = svc.agreement_change_provider(
            agreement=agreement,
            provider=_provider(v["provider"]),
            starts_on=v["starts_on"],
            consent=v["consent"],
            note=v["note"],
            by=request.user,
        )
        return Response(AgreementSerializer(new).data, status=status.HTTP_201_CREATED)


_AGREEMENT_ROLES = (
    Role.COMMUNITY_WORKER,
    Role.PROVIDER_ADMIN,
    Role.STREET_REVIEWER,
    Role.DISTRICT_REVIEWER,
    Role.SUPERVISOR,
    Role.SYSADMIN,
)


class CardIssueRecordSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    reason = serializers.CharField()
    by = serializers.CharField()
    created_at = serializers.DateTimeField()


class CardSerializer(serializers.ModelSerializer):
    token = serializers.SerializerMethodField()
    issues = serializers.SerializerMethodField()

    class Meta:
        model = ElderCard
        fields = ["id", "elder", "short_code", "version", "issued_at", "token", "issues"]
        read_only_fields = fields

    def get_token(self, card: ElderCard) -> str:
        return svc.card_token_for(card)

    @extend_schema(responses=CardIssueRecordSerializer(many=True))
    def get_issues(self, card: ElderCard) -> list[dict]:
        return [
            {"version": i.version, "reason": i.reason, "by": str(i.by), "created_at": i.created_at}
            for i in card.issues.select_related("by").order_by("-version")
        ]


class CardIssueSerializer(serializers.Serializer):
    elder = serializers.IntegerField()
    reason = serializers.CharField(max_length=200)


def _card_holders(user):
    """Elders whose card the user may read: the community worker's elders, a provider admin's
    elders with an open agreement; nobody else (caregivers never)."""
    scope = scope_for(user)
    if scope.all:
        return Elder.objects.all()
    if user.has_role(Role.COMMUNITY_WORKER):
        qs = elder_list(user=user).filter(scope.communities_q())
    else:
        qs = Elder.objects.none()
    if user.has_role(Role.PROVIDER_ADMIN):
        qs = qs | Elder.objects.filter(
            service_agreements__provider_id__in=scope.provider_ids, service_agreements__ends_on__isnull=True
        )
    return qs


class CardViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CardSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ElderCard.objects.none()
        user = self.request.user
        if not (user.is_superuser or user.has_role(Role.COMMUNITY_WORKER, Role.PROVIDER_ADMIN, Role.SYSADMIN)):
            return ElderCard.objects.none()
        return ElderCard.objects.filter(elder__in=_card_holders(user).values("pk")).order_by("elder_id")

    def list(self, request, *args, **kwargs):
        if not (
            request.user.is_superuser
            or request.user.has_role(Role.COMMUNITY_WORKER, Role.PROVIDER_ADMIN, Role.SYSADMIN)
        ):
            raise PermissionDenied(_("Only the elder's community or their provider may read elders' cards."))
        return super().list(request, *args, **kwargs)

    @extend_schema(request=CardIssueSerializer, responses={201: CardSerializer})
    @action(detail=False, methods=["post"])
    def issue(self, request):
        data = CardIssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        elder = get_object_or_404(elder_list(user=request.user), pk=data.validated_data["elder"])
        card = svc.card_issue(elder=elder, reason=data.validated_data["reason"], by=request.user)
        return Response(CardSerializer(card).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("agreements", AgreementViewSet, basename="agreement")
    router.register("cards", CardViewSet, basename="card")
