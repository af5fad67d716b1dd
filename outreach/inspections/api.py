"""REST API of inspections and the continuity report, scoped through the same selectors as the pages.

Refusals: 404 outside what the user may see, 403 for a role or level that may not act, 409 for a
move the problem's status does not allow, 400 for invalid input.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from eldercare.models import Division, Elder
from outreach.models import EmergencyResponse
from providers.models import Provider

from . import continuity, selectors, services
from .models import Correction, Inspection, Problem, ProblemEvent


class InspectionSerializer(serializers.ModelSerializer):
    community = serializers.PrimaryKeyRelatedField(
        queryset=Division.objects.filter(level=Division.Level.COMMUNITY), required=False, allow_null=True
    )
    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all(), required=False, allow_null=True)
    elder = serializers.PrimaryKeyRelatedField(queryset=Elder.objects.all(), required=False, allow_null=True)
    response = serializers.PrimaryKeyRelatedField(
        queryset=EmergencyResponse.objects.all(), required=False, allow_null=True
    )
    inspector = serializers.CharField(source="inspector.username", read_only=True)
    place = serializers.CharField(source="place_label", read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "level",
            "district",
            "street",
            "inspector",
            "inspected_on",
            "place_kind",
            "place",
            "community",
            "provider",
            "elder",
            "response",
            "findings",
            "created_at",
        ]
        read_only_fields = ["level", "district", "street"]


class ProblemEventSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", read_only=True)

    class Meta:
        model = ProblemEvent
        fields = ["action", "from_status", "to_status", "note", "deadline", "by", "created_at"]


class CorrectionReportSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", read_only=True)

    class Meta:
        model = Correction
        fields = ["action_taken", "evidence", "by", "created_at"]


class ProblemSerializer(serializers.ModelSerializer):
    inspection = serializers.PrimaryKeyRelatedField(queryset=Inspection.objects.all())
    unit_community = serializers.PrimaryKeyRelatedField(
        queryset=Division.objects.filter(level=Division.Level.COMMUNITY), required=False, allow_null=True
    )
    unit_provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all(), required=False, allow_null=True)
    deadline = serializers.DateField(required=False, help_text="Empty: by the severity (3, 7 or 15 days).")
    overdue = serializers.SerializerMethodField(help_text="Open after its deadline.")
    events = ProblemEventSerializer(many=True, read_only=True)
    corrections = CorrectionReportSerializer(many=True, read_only=True)

    class Meta:
        model = Problem
        fields = [
            "id",
            "inspection",
            "category",
            "description",
            "severity",
            "unit_kind",
            "unit_community",
            "unit_provider",
            "deadline",
            "status",
            "overdue",
            "corrected_at",
            "closed_at",
            "events",
            "corrections",
            "created_at",
        ]
        read_only_fields = ["status", "corrected_at", "closed_at"]

    def get_overdue(self, obj: Problem) -> bool:
        return selectors.overdue(obj)


class CorrectInput(serializers.Serializer):
    action_taken = serializers.CharField(help_text="What was done.")
    evidence = serializers.CharField(required=False, allow_blank=True, default="")


class VerifyInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReopenInput(serializers.Serializer):
    note = serializers.CharField(help_text="Why the problem is reopened.")
    deadline = serializers.DateField(required=False, allow_null=True, default=None)


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("response", int, description="Only under this response.")])
)
class InspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Inspections the user may see; the district's and the street offices' inspectors record them."""

    serializer_class = InspectionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Inspection.objects.none()
        response = self.request.query_params.get("response", "")
        return selectors.inspection_list(user=self.request.user, response=int(response) if response.isdigit() else None)

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        inspection = services.inspection_record(
            by=request.user,
            inspected_on=d["inspected_on"],
            place_kind=d["place_kind"],
            community=d.get("community"),
            provider=d.get("provider"),
            elder=d.get("elder"),
            response=d.get("response"),
            findings=d.get("findings", ""),
        )
        return Response(self.get_serializer(inspection).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=list(selectors.STATUS_FILTERS)),
            OpenApiParameter(
                "todo",
                str,
                enum=[selectors.TO_CORRECT, selectors.TO_VERIFY],
                description="correct: the unit's problems to correct; verify: corrections for the user's level.",
            ),
        ]
    )
)
class ProblemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Problems found by inspections: the unit corrects, the inspector's level verifies or reopens."""

    serializer_class = ProblemSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Problem.objects.none()
        params = self.request.query_params
        return selectors.problem_list(
            user=self.request.user, status=params.get("status", ""), todo=params.get("todo", "")
        ).prefetch_related("events__by", "corrections__by")

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        inspection = selectors.inspection_list(user=request.user).filter(pk=d["inspection"].pk).first()
        if inspection is None:
            raise NotFound
        problem = services.problem_add(
            inspection=inspection,
            by=request.user,
            category=d["category"],
            description=d["description"],
            severity=d["severity"],
            unit_kind=d["unit_kind"],
            unit_community=d.get("unit_community"),
            unit_provider=d.get("unit_provider"),
            deadline=d.get("deadline"),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=problem.pk)).data, status=201)

    def _answer(self, problem: Problem) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=problem.pk)).data)

    @extend_schema(request=CorrectInput, responses={200: ProblemSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """The unit responsible reports its correction."""
        s = CorrectInput(data=request.data)
        s.is_valid(raise_exception=True)
        return self._answer(services.problem_correct(problem=self.get_object(), by=request.user, **s.validated_data))

    @extend_schema(request=VerifyInput, responses={200: ProblemSerializer})
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """The inspector's level finds the correction done and closes the problem."""
        s = VerifyInput(data=request.data)
        s.is_valid(raise_exception=True)
        return self._answer(services.problem_verify(problem=self.get_object(), by=request.user, **s.validated_data))

    @extend_schema(request=ReopenInput, responses={200: ProblemSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """The inspector's level sends the problem back to the unit (optionally with a new deadline)."""
        s = ReopenInput(data=request.data)
        s.is_valid(raise_exception=True)
        return self._answer(services.problem_reopen(problem=self.get_object(), by=request.user, **s.validated_data))


class ContinuityRowSerializer(serializers.Serializer):
    elder = serializers.IntegerField(source="elder.pk")
    elder_name = serializers.CharField(source="elder.name")
    community = serializers.IntegerField(source="elder.community_id")
    community_name = serializers.CharField(source="elder.community.name")
    reason = serializers.ChoiceField(choices=list(continuity.REASONS))
    reason_label = serializers.CharField()
    detail = serializers.CharField()
    since = serializers.DateField(allow_null=True)
    url = serializers.CharField(help_text="The elder's page.")


class ContinuityViewSet(viewsets.GenericViewSet):
    """The continuity report of an emergency response in progress (the page's rows and filters)."""

    serializer_class = ContinuityRowSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("response", int, required=True, description="An emergency response in progress."),
            OpenApiParameter("reason", str, enum=list(continuity.REASONS)),
            OpenApiParameter("community", int),
        ],
    )
    def list(self, request):
        params = request.query_params
        wanted = params.get("response", "")
        response = continuity.responses(user=request.user).filter(pk=int(wanted)).first() if wanted.isdigit() else None
        if response is None:
            raise NotFound
        community = params.get("community", "")
        reason = params.get("reason", "")
        rows = continuity.at_risk(
            user=request.user,
            response=response,
            reason=reason if reason in continuity.REASONS else "",
            community=int(community) if community.isdigit() else None,
        )
        page = self.paginate_queryset(rows)  # type: ignore[arg-type]
        return self.get_paginated_response(ContinuityRowSerializer(page, many=True).data)


def register(router) -> None:
    router.register("inspections", InspectionViewSet, basename="inspection")
    router.register("inspection-problems", ProblemViewSet, basename="inspection-problem")
    router.register("continuity", ContinuityViewSet, basename="continuity")
