"""REST API of presence at the door (registered by providers.api.register).

- `GET/PUT /api/v1/visit-policy/`: the verification rules of the user's district; everyone in the
  district reads them, the district reviewer sets them (all six values).
- `GET /api/v1/reason-codes/`: the reasons a provider may give when correcting a held visit;
  `?all=true` gives the district reviewer every code, retired ones too. The district reviewer adds
  one (`POST`) and renames, retires or reinstates one (`PATCH /api/v1/reason-codes/{id}/`).
- `GET /api/v1/home-locations/`, `GET/PUT /api/v1/home-locations/{elder}/`: where the elders' homes
  are, keyed by the elder's id (the public side only); the elder's community worker records one.
"""

from decimal import ROUND_HALF_UP

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from eldercare.errors import NotAllowed
from eldercare.scoping import scope_for
from eldercare.selectors import elder_get

from ..forms.presence import (
    COORDINATE_STEP,
    FACTOR_TOO_SMALL,
    GEOFENCE_TOO_SMALL,
    MAX_WINDOW_MINUTES,
    MIN_GEOFENCE_METRES,
)
from ..models import HomeLocation, ReasonCode, VisitPolicy
from ..services import presence as svc
from ..views.presence import HOME_VIEWERS, district_of, may_set_policy


class VisitPolicySerializer(serializers.ModelSerializer):
    district_name = serializers.CharField(source="district.name", read_only=True)
    early_minutes = serializers.IntegerField(min_value=0, max_value=MAX_WINDOW_MINUTES)
    late_minutes = serializers.IntegerField(min_value=0, max_value=MAX_WINDOW_MINUTES)
    geofence_metres = serializers.IntegerField(
        min_value=MIN_GEOFENCE_METRES, error_messages={"min_value": GEOFENCE_TOO_SMALL}
    )
    long_visit_factor = serializers.DecimalField(
        max_digits=3, decimal_places=1, min_value=1, error_messages={"min_value": FACTOR_TOO_SMALL}
    )

    class Meta:
        model = VisitPolicy
        fields = ["district", "district_name", *svc.POLICY_FIELDS, "updated_at"]
        read_only_fields = ["district", "updated_at"]


class VisitPolicyViewSet(viewsets.GenericViewSet):
    """One resource per user, their district's rules: GET reads, PUT replaces."""

    serializer_class = VisitPolicySerializer
    queryset = VisitPolicy.objects.none()

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        # The router serves a viewset's `list` at the bare prefix; this resource has no items, so
        # the bare prefix reads and replaces the one policy instead.
        return super().as_view({"get": "current", "put": "replace"}, **initkwargs)

    def list(self, request):  # only makes the router serve the bare prefix
        return self.current(request)

    def _district(self):
        district = district_of(self.request.user)
        if district is None:
            raise NotAllowed(_("You work in no district: there are no visit verification rules for you."))
        return district

    @extend_schema(responses=VisitPolicySerializer)
    def current(self, request):
        return Response(VisitPolicySerializer(svc.policy_of_district(self._district())).data)

    @extend_schema(request=VisitPolicySerializer, responses=VisitPolicySerializer)
    def replace(self, request):
        district = self._district()
        if not may_set_policy(request.user):
            raise NotAllowed(_("Only the district reviewer sets the visit verification rules."))
        data = VisitPolicySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        policy = svc.policy_set(district=district, by=request.user, **data.validated_data)
        return Response(VisitPolicySerializer(policy).data)


class ReasonCodeFullSerializer(serializers.ModelSerializer):
    """A reason code as the district keeps it: both names, whether it is in use, its place."""

    name = serializers.CharField(read_only=True, help_text="In the request's language.")

    class Meta:
        model = ReasonCode
        fields = ["id", "code", "name", "name_zh", "name_en", "note_required", "active", "sort"]
        read_only_fields = fields


# What only the district's full list (`all=true`) shows of a code.
FULL_ONLY = ("id", "name_zh", "name_en", "active", "sort")


class ReasonCodeSerializer(serializers.ModelSerializer):
    """A reason code as a provider chooses it; the district's full list adds what it keeps (those
    fields are optional in the schema: absent from the plain list)."""

    name = serializers.CharField(read_only=True, help_text="In the request's language.")
    id = serializers.IntegerField(required=False, help_text="all=true only.")
    name_zh = serializers.CharField(required=False, help_text="all=true only.")
    name_en = serializers.CharField(required=False, help_text="all=true only.")
    active = serializers.BooleanField(required=False, help_text="all=true only: false once retired.")
    sort = serializers.IntegerField(required=False, help_text="all=true only.")

    class Meta:
        model = ReasonCode
        fields = ["code", "name", "note_required", *FULL_ONLY]
        read_only_fields = ["code", "note_required"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("full"):
            for name in FULL_ONLY:
                data.pop(name)
        return data


class ReasonCodeCreateSerializer(serializers.Serializer):
    code = serializers.SlugField(
        max_length=svc.REASON_CODE_MAX, help_text="Letters, digits, underscores and hyphens; never changed later."
    )
    name_zh = serializers.CharField(max_length=svc.REASON_NAME_MAX)
    name_en = serializers.CharField(max_length=svc.REASON_NAME_MAX)
    note_required = serializers.BooleanField(default=False)


class ReasonCodeUpdateSerializer(serializers.Serializer):
    name_zh = serializers.CharField(max_length=svc.REASON_NAME_MAX, required=False)
    name_en = serializers.CharField(max_length=svc.REASON_NAME_MAX, required=False)
    note_required = serializers.BooleanField(required=False)
    active = serializers.BooleanField(required=False, help_text="false retires the code, true reinstates it.")
    sort = serializers.IntegerField(min_value=0, max_value=svc.SORT_MAX, required=False)


ALL_CODES = OpenApiParameter(
    "all",
    bool,
    description="true: every code, retired ones too, with both names (the district reviewer only).",
)
REASON_CODE_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The reason code's id.")


class ReasonCodeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The reasons a provider may give when correcting a held visit; the district keeps them
    (never deleted: retired with active=false, reinstated with active=true)."""

    serializer_class = ReasonCodeSerializer
    pagination_class = None  # a short table, read whole
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if self._all():
            return ReasonCode.objects.all()
        return ReasonCode.objects.filter(active=True)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "full": self._all()}

    def _all(self) -> bool:
        return self.request is not None and self.request.query_params.get("all", "").lower() in ("true", "1")

    def _require_keeper(self) -> None:
        if not may_set_policy(self.request.user):
            raise NotAllowed(_("Only the district reviewer keeps the reason codes for corrections."))

    @extend_schema(
        parameters=[ALL_CODES],
        responses=ReasonCodeSerializer(many=True),
        description="The codes in use, in the request's language; with all=true (the district reviewer), "
        "every code with both names, whether it is in use and its id.",
    )
    def list(self, request, *args, **kwargs):
        if self._all():
            self._require_keeper()
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ReasonCodeCreateSerializer, responses={201: ReasonCodeFullSerializer})
    def create(self, request):
        """Add a reason code (the district reviewer); it comes last in the list."""
        self._require_keeper()
        data = ReasonCodeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reason = svc.reason_code_create(by=request.user, **data.validated_data)
        return Response(ReasonCodeFullSerializer(reason).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[REASON_CODE_ID], request=ReasonCodeUpdateSerializer, responses=ReasonCodeFullSerializer)
    def partial_update(self, request, pk=None):
        """Rename, move, retire (active=false) or reinstate (active=true) a reason code (the district reviewer)."""
        self._require_keeper()
        reason = get_object_or_404(ReasonCode, pk=pk)
        data = ReasonCodeUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reason = svc.reason_code_update(reason=reason, by=request.user, **data.validated_data)
        return Response(ReasonCodeFullSerializer(reason).data)


class HomeLocationSerializer(serializers.ModelSerializer):
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    set_by_name = serializers.SerializerMethodField()

    class Meta:
        model = HomeLocation
        fields = ["elder", "elder_name", "lat", "lng", "source", "order", "set_by", "set_by_name", "updated_at"]
        read_only_fields = fields

    def get_set_by_name(self, home: HomeLocation) -> str:
        return str(home.set_by) if home.set_by else ""


class CoordinateField(serializers.DecimalField):
    """A latitude or longitude: a phone gives more decimals than the six kept, rounded, never refused."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=None, decimal_places=None, **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data).quantize(COORDINATE_STEP, rounding=ROUND_HALF_UP)


class HomeLocationWriteSerializer(serializers.Serializer):
    lat = CoordinateField(min_value=-90, max_value=90)
    lng = CoordinateField(min_value=-180, max_value=180)


ELDER_ID = OpenApiParameter("elder", int, OpenApiParameter.PATH, description="The elder's id.")


@extend_schema_view(retrieve=extend_schema(parameters=[ELDER_ID]), update=extend_schema(parameters=[ELDER_ID]))
class HomeLocationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = HomeLocationSerializer
    lookup_field = "elder"
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return HomeLocation.objects.none()
        user = self.request.user
        if not (user.is_superuser or user.has_role(*HOME_VIEWERS)):
            return HomeLocation.objects.none()
        scope = scope_for(user)
        return (
            HomeLocation.objects.filter(scope.communities_q("elder__community"))
            .select_related("elder", "set_by")
            .order_by("elder_id")
        )

    def get_object(self):
        return get_object_or_404(self.get_queryset(), elder_id=self.kwargs["elder"])

    @extend_schema(request=HomeLocationWriteSerializer, responses=HomeLocationSerializer)
    def update(self, request, elder=None):
        """Record where the elder's home is (creates or replaces it): the elder's community worker."""
        target = elder_get(user=request.user, pk=int(elder))
        data = HomeLocationWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        home = svc.home_locate(elder=target, by=request.user, **data.validated_data)
        return Response(HomeLocationSerializer(home).data)


def register(router) -> None:
    router.register("visit-policy", VisitPolicyViewSet, basename="visit-policy")
    router.register("reason-codes", ReasonCodeViewSet, basename="reason-code")
    router.register("home-locations", HomeLocationViewSet, basename="home-location")
