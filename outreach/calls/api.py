"""REST API of active care calls: plans, the call lists and their outcomes, home visits; scoped
through the same selectors as the pages (404 outside what the user may see, 403 for a role that
may not act, 409 for what is already recorded, 400 for invalid input)."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from eldercare.models import Division, User

from . import rules, selectors, services
from .models import CallListEntry, CallOutcome, CallPlan, CallResult, HomeVisitRequest, VisitFinding


class CallPlanSerializer(serializers.ModelSerializer):
    district = serializers.PrimaryKeyRelatedField(queryset=Division.objects.filter(level=Division.Level.DISTRICT))
    callers = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), many=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = CallPlan
        fields = [
            "id",
            "district",
            "name",
            "target",
            "interval_days",
            "starts_on",
            "ends_on",
            "callers",
            "created_by",
            "created_at",
        ]


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("active", bool, description="true: only plans in progress today.")])
)
class CallPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The district's plans of active care calls (its reviewers create and end them)."""

    serializer_class = CallPlanSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CallPlan.objects.none()
        active = self.request.query_params.get("active") in ("1", "true")
        return selectors.plan_list(user=self.request.user, active_on=timezone.localdate() if active else None)

    def create(self, request):
        s = self.get_serializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        plan = services.plan_create(
            by=request.user,
            district=d["district"],
            name=d["name"],
            target=d["target"],
            callers=d["callers"],
            starts_on=d["starts_on"],
            interval_days=d.get("interval_days", rules.DEFAULT_INTERVAL_DAYS),
            ends_on=d.get("ends_on"),
        )
        return Response(self.get_serializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: CallPlanSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the plan today: no list is generated after today."""
        plan = services.plan_end(plan=self.get_object(), by=request.user)
        return Response(self.get_serializer(plan).data)


class CallOutcomeSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", read_only=True)

    class Meta:
        model = CallOutcome
        fields = ["id", "entry", "plan", "elder", "by", "at", "day", "result", "note"]


class CallListEntrySerializer(serializers.ModelSerializer):
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    community = serializers.IntegerField(source="elder.community_id", read_only=True)
    phone_masked = serializers.CharField(source="elder.phone_masked", read_only=True)
    plan_name = serializers.CharField(source="plan.name", read_only=True)
    outcome = serializers.SerializerMethodField()

    class Meta:
        model = CallListEntry
        fields = ["id", "plan", "plan_name", "elder", "elder_name", "community", "phone_masked", "day", "outcome"]

    @extend_schema_field(CallOutcomeSerializer(allow_null=True))
    def get_outcome(self, obj: CallListEntry) -> dict | None:
        outcome = getattr(obj, "outcome", None)
        return CallOutcomeSerializer(outcome).data if outcome is not None else None


class CallInput(serializers.Serializer):
    result = serializers.ChoiceField(choices=CallResult.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("day", str, description="Only this day's list (YYYY-MM-DD)."),
            OpenApiParameter("open", bool, description="true: only the calls not made yet."),
        ]
    )
)
class CallListEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The call lists: a plan's operators see its lists; others the households they may see."""

    serializer_class = CallListEntrySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CallListEntry.objects.none()
        raw_day = self.request.query_params.get("day", "")
        day = serializers.DateField().to_internal_value(raw_day) if raw_day else None
        return selectors.entry_list(
            user=self.request.user, day=day, open_only=self.request.query_params.get("open") in ("1", "true")
        )

    @extend_schema(request=CallInput, responses={201: CallOutcomeSerializer})
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        """Record the outcome of the call (once)."""
        entry = self.get_object()
        s = CallInput(data=request.data)
        s.is_valid(raise_exception=True)
        outcome = services.call_record(
            entry=entry, by=request.user, result=s.validated_data["result"], note=s.validated_data.get("note", "")
        )
        return Response(CallOutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)


class HomeVisitSerializer(serializers.ModelSerializer):
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    responsible_name = serializers.CharField(source="responsible.display_name", read_only=True, default="")
    visited_by = serializers.CharField(source="visited_by.username", read_only=True, default="")

    class Meta:
        model = HomeVisitRequest
        fields = [
            "id",
            "plan",
            "elder",
            "elder_name",
            "community",
            "outcome",
            "responsible",
            "responsible_name",
            "created_at",
            "visited_at",
            "visited_by",
            "finding",
            "note",
        ]


class VisitInput(serializers.Serializer):
    finding = serializers.ChoiceField(choices=VisitFinding.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("open", bool, description="true: only visits not yet made.")])
)
class HomeVisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Home visits asked after two unanswered calls (a responsible person: their households)."""

    serializer_class = HomeVisitSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return HomeVisitRequest.objects.none()
        return selectors.visit_list(
            user=self.request.user, open_only=True if self.request.query_params.get("open") in ("1", "true") else None
        )

    @extend_schema(request=VisitInput, responses={200: HomeVisitSerializer})
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        """Record the home visit and what it found."""
        visit = self.get_object()
        s = VisitInput(data=request.data)
        s.is_valid(raise_exception=True)
        visit = services.visit_record(
            visit=visit, by=request.user, finding=s.validated_data["finding"], note=s.validated_data.get("note", "")
        )
        return Response(self.get_serializer(visit).data)


def register(router) -> None:
    router.register("call-plans", CallPlanViewSet, basename="call-plan")
    router.register("call-list", CallListEntryViewSet, basename="call-list-entry")
    router.register("home-visits", HomeVisitViewSet, basename="home-visit")
