"""REST API of the provider library and the providers' staff.

Providers: everyone reads the providers in their scope; the district registers and edits them,
signs and renews contracts, changes their status, terminates them (with the cascade's counts) and
confirms the quarterly scorecard. Caregivers: the provider admin of their provider adds and edits
them and records trainings and certificates; everyone in scope reads them with the phone masked,
and the provider admin reveals a full phone with a reason (`POST …/caregivers/{id}/reveal/`, logged).
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from eldercare.errors import NotAllowed, ValidationFailed
from eldercare.models import REVEAL_REASONS_OFFERED, Division, Role
from eldercare.periods import Quarter
from eldercare.scoping import scope_for

from .. import scorecard
from ..models import Caregiver, Certificate, CertificateKind, Contract, Provider, QuarterlyAssessment, TrainingRecord
from ..selectors import caregiver_get, caregiver_list, contract_get, contract_list, provider_get, provider_list
from ..services import library as services
from ..services.termination import provider_terminate


def _administers(user, provider_id: int) -> bool:
    if user.is_superuser or user.has_role(Role.SYSADMIN):
        return True
    return user.has_role(Role.PROVIDER_ADMIN) and provider_id in scope_for(user).provider_ids


class ProviderSerializer(serializers.ModelSerializer):
    streets = serializers.PrimaryKeyRelatedField(many=True, queryset=Division.objects.filter(level="street"))

    class Meta:
        model = Provider
        fields = [
            "id",
            "name",
            "kind",
            "licence_number",
            "other_licences",
            "district",
            "streets",
            "status",
            "status_reason",
            "phone",
            "address",
            "contact_name",
            "contact_phone",
        ]
        read_only_fields = ["district", "status", "status_reason"]
        extra_kwargs = {"licence_number": {"validators": []}}  # the service checks it, with its message


class ContractSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contract
        fields = ["id", "provider", "number", "starts_on", "ends_on", "renews", "terminated_on"]
        read_only_fields = ["ends_on", "renews", "terminated_on"]
        extra_kwargs = {"number": {"validators": []}}


class RenewSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=60)


class StatusSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=[Provider.Status.SUSPENDED, Provider.Status.CONTRACTED])
    reason = serializers.CharField()


class NewLoginSerializer(serializers.Serializer):
    """A new login: the name to log in with and a first password the person changes afterwards."""

    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True)


class AdminLoginSerializer(NewLoginSerializer):
    full_name = serializers.CharField(max_length=150)


class PasswordSerializer(serializers.Serializer):
    password = serializers.CharField(write_only=True)


LoginAnswer = inline_serializer(
    "LoginAnswer", fields={"id": serializers.IntegerField(), "username": serializers.CharField()}
)


class TerminateSerializer(serializers.Serializer):
    ground = serializers.ChoiceField(choices=services.TerminationGround.choices)
    reason = serializers.CharField()


TerminationAnswer = inline_serializer(
    "TerminationAnswer",
    {
        "provider": ProviderSerializer(),
        "agreements_ended": serializers.IntegerField(),
        "orders_cancelled": serializers.IntegerField(),
    },
)


class ScorecardPartSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    weight = serializers.IntegerField()
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    value = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class ScorecardSerializer(serializers.Serializer):
    quarter = serializers.CharField()
    figures = serializers.DictField()
    parts = ScorecardPartSerializer(many=True)
    score = serializers.DecimalField(max_digits=5, decimal_places=1)
    result = serializers.CharField()
    result_label = serializers.CharField()
    confirmed_at = serializers.DateTimeField(allow_null=True)


class ConfirmSerializer(serializers.Serializer):
    quarter = serializers.CharField(help_text="Like 2026Q1")
    notes = serializers.CharField(required=False, allow_blank=True)


class AssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuarterlyAssessment
        fields = ["id", "provider", "quarter", "score", "result", "figures", "notes", "confirmed_at", "by"]


class CertificateSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=CertificateKind.choices)

    class Meta:
        model = Certificate
        fields = ["id", "caregiver", "kind", "number", "valid_until"]
        read_only_fields = ["caregiver"]


class TrainingSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrainingRecord
        fields = ["id", "caregiver", "course", "completed_on", "hours", "note"]
        read_only_fields = ["caregiver"]


class CaregiverSerializer(serializers.ModelSerializer):
    """The phone is read masked by everyone (the provider admin reveals it through `reveal`); a
    write sends the whole number, or the mask as read to keep the stored one."""

    phone = serializers.CharField(max_length=20)
    certificates = CertificateSerializer(many=True, read_only=True)
    trainings = TrainingSerializer(many=True, read_only=True)
    photo = serializers.ImageField(required=False, allow_null=True)

    class Meta:
        model = Caregiver
        fields = [
            "id",
            "provider",
            "name",
            "staff_number",
            "phone",
            "photo",
            "trained_on",
            "active",
            "certificates",
            "trainings",
        ]
        read_only_fields = ["trained_on"]
        extra_kwargs = {"provider": {"queryset": Provider.objects.all()}}

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["provider"].read_only = True
            fields["staff_number"].read_only = True
        return fields

    def validate(self, attrs):
        """Uniqueness of the staff number is the service's, with its own message."""
        return attrs

    def get_validators(self):
        return []

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["phone"] = instance.phone_masked
        return data


class CaregiverRevealInput(serializers.Serializer):
    """Why the caregiver's full phone is needed (a note for "other")."""

    reason = serializers.ChoiceField(choices=REVEAL_REASONS_OFFERED)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


def _quarter(text: str | None) -> Quarter:
    if not text:
        raise ValidationFailed(_("Write the quarter like 2026Q4."))
    return Quarter.parse(text)


class ProviderViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    serializer_class = ProviderSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Provider.objects.none()
        return provider_list(user=self.request.user)

    def get_object(self):
        return provider_get(user=self.request.user, pk=self.kwargs["pk"])

    def _district(self):
        ids = scope_for(self.request.user).district_ids
        district = Division.objects.filter(level=Division.Level.DISTRICT)
        found = (district.filter(pk__in=ids) if ids else district).order_by("pk").first()
        if found is None:
            raise NotAllowed(_("Only the district civil-affairs bureau may do this."))
        return found

    def create(self, request, *args, **kwargs):
        s = ProviderSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        streets = data.pop("streets")
        provider = services.provider_create(district=self._district(), streets=streets, by=request.user, **data)
        return Response(ProviderSerializer(provider).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        provider = self.get_object()
        s = ProviderSerializer(provider, data=request.data, partial=kwargs.get("partial", False))
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        streets = data.pop("streets", None)
        provider = services.provider_update(provider=provider, streets=streets, by=request.user, **data)
        return Response(ProviderSerializer(provider).data)

    @extend_schema(request=StatusSerializer, responses={200: ProviderSerializer})
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        """Suspend or reinstate, with the reason."""
        provider = self.get_object()
        s = StatusSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        provider = services.provider_set_status(provider=provider, by=request.user, **s.validated_data)
        return Response(ProviderSerializer(provider).data)

    @extend_schema(request=AdminLoginSerializer, responses={201: LoginAnswer})
    @action(detail=True, methods=["post"], url_path="admin-login")
    def admin_login(self, request, pk=None):
        """The district gives the provider's administrator a login."""
        provider = self.get_object()
        s = AdminLoginSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        user = services.provider_admin_login_create(provider=provider, by=request.user, **s.validated_data)
        return Response({"id": user.pk, "username": user.username}, status=status.HTTP_201_CREATED)

    @extend_schema(request=TerminateSerializer, responses={200: TerminationAnswer})
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        """Terminate on a ground: the open agreements end, the open work orders are cancelled."""
        provider = self.get_object()
        s = TerminateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        result = provider_terminate(provider=provider, by=request.user, **s.validated_data)
        return Response(
            {
                "provider": ProviderSerializer(result.provider).data,
                "agreements_ended": result.agreements_ended,
                "orders_cancelled": result.orders_cancelled,
            }
        )

    @extend_schema(
        methods=["GET"],
        parameters=[OpenApiParameter("quarter", str, description="Like 2026Q1", required=True)],
        responses={200: ScorecardSerializer},
    )
    @extend_schema(methods=["POST"], request=ConfirmSerializer, responses={201: AssessmentSerializer})
    @action(detail=True, methods=["get", "post"])
    def scorecard(self, request, pk=None):
        """GET: the quarter's scorecard as computed now; POST: the district confirms it."""
        provider = self.get_object()
        if request.method == "POST":
            s = ConfirmSerializer(data=request.data)
            s.is_valid(raise_exception=True)
            assessment = services.assessment_confirm(
                provider=provider,
                quarter=_quarter(s.validated_data["quarter"]),
                notes=s.validated_data.get("notes", ""),
                by=request.user,
            )
            return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)
        user = request.user
        if not (user.is_superuser or user.has_role(Role.DISTRICT_REVIEWER, Role.SUPERVISOR, Role.SYSADMIN)):
            raise NotAllowed(_("Only the district and the supervisors see the scorecards."))
        quarter = _quarter(request.query_params.get("quarter"))
        card = scorecard.scorecard_for(provider=provider, quarter=quarter, user=user)
        confirmed = (
            QuarterlyAssessment.objects.filter(provider=provider, quarter=quarter.first_day)
            .values_list("confirmed_at", flat=True)
            .first()
        )
        return Response(
            {
                "quarter": str(quarter),
                "figures": card.as_json()["figures"],
                "parts": [
                    {
                        "key": p.key,
                        "label": p.label,
                        "weight": p.weight,
                        "numerator": p.numerator,
                        "denominator": p.denominator,
                        "value": p.value,
                    }
                    for p in card.parts
                ],
                "score": card.score,
                "result": card.result,
                "result_label": card.result_label,
                "confirmed_at": confirmed,
            }
        )


class ContractViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """One-year contracts: the district signs one (a candidate becomes contracted) and renews the latest."""

    serializer_class = ContractSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Contract.objects.none()
        return contract_list(user=self.request.user)

    def get_object(self):
        return contract_get(user=self.request.user, pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        s = ContractSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        provider = provider_get(user=request.user, pk=s.validated_data["provider"].pk)
        contract = services.contract_create(
            provider=provider,
            number=s.validated_data["number"],
            starts_on=s.validated_data["starts_on"],
            by=request.user,
        )
        return Response(ContractSerializer(contract).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RenewSerializer, responses={201: ContractSerializer})
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        contract = self.get_object()
        s = RenewSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        renewed = services.contract_renew(contract=contract, number=s.validated_data["number"], by=request.user)
        return Response(ContractSerializer(renewed).data, status=status.HTTP_201_CREATED)


class CaregiverViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CaregiverSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Caregiver.objects.none()
        return caregiver_list(user=self.request.user).prefetch_related("trainings")

    def get_object(self):
        return caregiver_get(user=self.request.user, pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        s = CaregiverSerializer(data=request.data, context={"request": request})
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        provider = data.pop("provider")
        if not _administers(request.user, provider.pk):
            raise NotAllowed(_("Only this provider's administrator may do this."))
        data.pop("active", None)
        caregiver = services.caregiver_create(provider=provider, by=request.user, **data)
        return Response(
            CaregiverSerializer(caregiver, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    def update(self, request, *args, **kwargs):
        caregiver = self.get_object()
        s = CaregiverSerializer(caregiver, data=request.data, partial=kwargs.get("partial", False))
        s.is_valid(raise_exception=True)
        data = {k: v for k, v in s.validated_data.items() if k in ("name", "phone", "photo", "active")}
        if data.get("phone") == caregiver.phone_masked:
            data.pop("phone")  # the mask sent back as read: keep the stored number
        if data.get("active") is False and caregiver.active:
            data.pop("active")
            services.caregiver_deactivate(caregiver=caregiver, by=request.user)
            caregiver.refresh_from_db()
        caregiver = services.caregiver_update(caregiver=caregiver, by=request.user, **data)
        return Response(CaregiverSerializer(caregiver, context={"request": request}).data)

    @extend_schema(
        request=CaregiverRevealInput,
        responses={200: inline_serializer("CaregiverRevealedPhone", {"phone": serializers.CharField()})},
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """The caregiver's full phone for the provider's admin, with the reason it is needed;
        each call is recorded in the caregivers' reveal log."""
        caregiver = self.get_object()
        s = CaregiverRevealInput(data=request.data)
        s.is_valid(raise_exception=True)
        phone = services.caregiver_phone_reveal(caregiver=caregiver, by=request.user, **s.validated_data)
        return Response({"phone": phone})

    @extend_schema(request=TrainingSerializer, responses={201: TrainingSerializer})
    @action(detail=True, methods=["post"])
    def trainings(self, request, pk=None):
        caregiver = self.get_object()
        s = TrainingSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        record = services.training_add(caregiver=caregiver, by=request.user, **s.validated_data)
        return Response(TrainingSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=NewLoginSerializer, responses={201: LoginAnswer})
    @action(detail=True, methods=["post"])
    def login(self, request, pk=None):
        """The provider admin gives the caregiver a login for the phone pages."""
        caregiver = self.get_object()
        s = NewLoginSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        user = services.caregiver_login_create(caregiver=caregiver, by=request.user, **s.validated_data)
        return Response({"id": user.pk, "username": user.username}, status=status.HTTP_201_CREATED)

    @extend_schema(request=PasswordSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def password(self, request, pk=None):
        """A new password for the caregiver's login (forgotten)."""
        caregiver = self.get_object()
        s = PasswordSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        services.caregiver_password_set(caregiver=caregiver, by=request.user, **s.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=CertificateSerializer, responses={201: CertificateSerializer})
    @action(detail=True, methods=["post"])
    def certificates(self, request, pk=None):
        caregiver = self.get_object()
        s = CertificateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        certificate = services.certificate_add(caregiver=caregiver, by=request.user, **s.validated_data)
        return Response(CertificateSerializer(certificate).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("providers", ProviderViewSet, basename="provider")
    router.register("contracts", ContractViewSet, basename="contract")
    router.register("caregivers", CaregiverViewSet, basename="caregiver")
