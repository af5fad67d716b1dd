"""REST API of the daily outreach report: the reports (a unit submits, everyone scoped lists),
a unit's figures as they stand, and the roll-up of a day.

Refusals: 404 for a response or unit outside what the user may see, 403 when the user is not the
unit's own staff, 409 when another submission came first, 400 for invalid input.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import rules, selectors, services
from .models import DailyReport, UnitKind


class DailyReportSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(read_only=True)
    submitted_by = serializers.CharField(source="submitted_by.username", read_only=True)
    superseded = serializers.SerializerMethodField(help_text="False for the current version.")

    class Meta:
        model = DailyReport
        fields = [
            "id",
            "response",
            "day",
            "unit_kind",
            "community",
            "provider",
            "street",
            "unit_name",
            "households",
            "covered",
            "contacted",
            "problems",
            "needs_open",
            "needs_closed",
            "staff_on_duty",
            "staff_computed",
            "note",
            "version",
            "supersedes",
            "superseded",
            "submitted_at",
            "submitted_by",
            "reported_at",
            "on_time",
        ]
        read_only_fields = fields

    def get_superseded(self, obj: DailyReport) -> bool:
        return not obj.is_current


class UnitInput(serializers.Serializer):
    response = serializers.IntegerField(help_text="The emergency response.")
    unit_kind = serializers.ChoiceField(choices=UnitKind.choices)
    unit = serializers.IntegerField(help_text="The community's or the provider's id.")
    day = serializers.DateField(required=False, help_text="Default: today (Asia/Shanghai).")


class SubmitInput(UnitInput):
    staff_on_duty = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text="Omit to keep the number of distinct persons who recorded the day's contacts.",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class FiguresSerializer(serializers.Serializer):
    households = serializers.IntegerField()
    covered = serializers.IntegerField()
    contacted = serializers.IntegerField()
    problems = serializers.IntegerField()
    needs_open = serializers.IntegerField()
    needs_closed = serializers.IntegerField()
    staff_on_duty = serializers.IntegerField()


class TotalsSerializer(serializers.Serializer):
    covered = serializers.IntegerField()
    contacted = serializers.IntegerField()
    problems = serializers.IntegerField()
    needs_open = serializers.IntegerField()
    needs_closed = serializers.IntegerField()
    staff_on_duty = serializers.IntegerField()


class RollupRowSerializer(serializers.Serializer):
    unit_kind = serializers.CharField(source="unit.kind")
    unit = serializers.IntegerField(source="unit.pk")
    unit_name = serializers.CharField(source="unit.name")
    street = serializers.IntegerField(source="unit.street_id", allow_null=True)
    status = serializers.ChoiceField(
        choices=[rules.STATUS_ON_TIME, rules.STATUS_LATE, rules.STATUS_PENDING, rules.STATUS_MISSING]
    )
    late = serializers.BooleanField()
    report = DailyReportSerializer(allow_null=True)


class RollupGroupSerializer(serializers.Serializer):
    title = serializers.CharField()
    reported = serializers.IntegerField()
    totals = TotalsSerializer()
    rows = RollupRowSerializer(many=True)


class RollupSerializer(serializers.Serializer):
    response = serializers.IntegerField(source="response.pk")
    day = serializers.DateField()
    cutoff_at = serializers.DateTimeField()
    past_cutoff = serializers.BooleanField()
    streets = RollupGroupSerializer(many=True, help_text="Each street's communities and their sums.")
    providers = RollupGroupSerializer(allow_null=True)
    community_totals = TotalsSerializer(help_text="The sums of all the communities' reports.")
    unreported = RollupRowSerializer(many=True)


def _unit(request, data: dict):
    response = selectors.report_response_get(user=request.user, pk=data["response"])
    unit = selectors.visible_unit_get(user=request.user, response=response, kind=data["unit_kind"], pk=data["unit"])
    return response, unit, data.get("day") or timezone.localdate()


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("response", int, description="Only under this response."),
            OpenApiParameter("day", str, description="Only this day (YYYY-MM-DD)."),
            OpenApiParameter("versions", bool, description="true: every version, not only the current ones."),
        ]
    )
)
class DailyReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Daily reports of the units the user may see. A unit submits its figures of the day, computed
    from the contacts; submitting again supersedes the current report (the old one stays)."""

    serializer_class = DailyReportSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DailyReport.objects.none()
        params = self.request.query_params
        qs = selectors.report_list(
            user=self.request.user, current=None if params.get("versions") in ("1", "true") else True
        )
        if params.get("response", "").isdigit():
            qs = qs.filter(response_id=int(params["response"]))
        if params.get("day"):
            qs = qs.filter(day=serializers.DateField().to_internal_value(params["day"]))
        return qs

    @extend_schema(request=SubmitInput, responses={201: DailyReportSerializer})
    def create(self, request):
        """Submit (or correct) a unit's report of a day; after the cut-off it is recorded late."""
        s = SubmitInput(data=request.data)
        s.is_valid(raise_exception=True)
        response, unit, day = _unit(request, s.validated_data)
        report = services.report_submit(
            response=response,
            unit=unit,
            day=day,
            by=request.user,
            staff_on_duty=s.validated_data.get("staff_on_duty"),
            note=s.validated_data.get("note", ""),
        )
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("response", int, required=True),
            OpenApiParameter("unit_kind", str, required=True, enum=UnitKind.values),
            OpenApiParameter("unit", int, required=True),
            OpenApiParameter("day", str, description="YYYY-MM-DD; default today."),
        ],
        responses={200: FiguresSerializer},
    )
    @action(detail=False, methods=["get"])
    def figures(self, request):
        """A unit's figures of the day as the contacts give them now (what a submission records)."""
        s = UnitInput(data=request.query_params)
        s.is_valid(raise_exception=True)
        response, unit, day = _unit(request, s.validated_data)
        return Response(FiguresSerializer(services.report_figures(response=response, unit=unit, day=day)).data)


class RollupViewSet(viewsets.GenericViewSet):
    """The roll-up of a day for the user's street or district: the sums of the submitted reports
    (each equals the sum of its units), and the units not reported, late once the cut-off passed."""

    serializer_class = RollupSerializer
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter("response", int, required=True),
            OpenApiParameter("day", str, description="YYYY-MM-DD; default today."),
        ],
        responses={200: RollupSerializer},
    )
    def list(self, request):
        response_id = request.query_params.get("response", "")
        if not response_id.isdigit():
            raise serializers.ValidationError({"response": _("Choose the emergency response.")})
        response = selectors.report_response_get(user=request.user, pk=int(response_id))
        day_param = request.query_params.get("day")
        day = serializers.DateField().to_internal_value(day_param) if day_param else timezone.localdate()
        data = selectors.rollup(user=request.user, response=response, day=day)
        return Response(RollupSerializer(data).data)


def register(router) -> None:
    router.register("outreach-daily-reports", DailyReportViewSet, basename="outreach-daily-report")
    router.register("outreach-daily-rollup", RollupViewSet, basename="outreach-daily-rollup")
