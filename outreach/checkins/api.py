"""REST API of the daily check-in: enrolments (with today's state), check-ins and missed
check-ins, scoped through the same selectors as the pages."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from eldercare.models import Elder

from . import selectors, services
from .models import Checker, CheckIn, CheckinEnrolment, MissedCheckin, Resolution


class EnrolmentSerializer(serializers.ModelSerializer):
    elder = serializers.PrimaryKeyRelatedField(queryset=Elder.objects.all())
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    phone = serializers.CharField(write_only=True, max_length=20)
    phone_masked = serializers.CharField(read_only=True)
    checker = serializers.ChoiceField(choices=Checker.choices, default=Checker.ELDER)
    deadline = serializers.TimeField(required=False, format="%H:%M")

    class Meta:
        model = CheckinEnrolment
        fields = [
            "id",
            "elder",
            "elder_name",
            "checker",
            "checker_name",
            "phone",
            "phone_masked",
            "deadline",
            "starts_on",
            "ended_at",
            "created_at",
        ]
        read_only_fields = ["starts_on", "ended_at"]


class TodaySerializer(serializers.Serializer):
    enrolment = serializers.IntegerField(source="enrolment.pk")
    elder = serializers.IntegerField(source="enrolment.elder_id")
    elder_name = serializers.CharField(source="enrolment.elder.name")
    deadline = serializers.TimeField(source="enrolment.deadline", format="%H:%M")
    state = serializers.ChoiceField(
        choices=[selectors.CHECKED_IN, selectors.WAITING, selectors.MISSED, selectors.CONFIRMED]
    )
    checked_in_at = serializers.DateTimeField(allow_null=True)


class EnrolmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Elders enrolled in the daily check-in (the community enrols and ends)."""

    serializer_class = EnrolmentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CheckinEnrolment.objects.none()
        return selectors.enrolment_list(user=self.request.user, current=False)

    def create(self, request):
        s = self.get_serializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        elder = selectors.enrollable_elders(user=request.user).filter(pk=d["elder"].pk).first()
        if elder is None:
            raise NotFound
        enrolment = services.enrolment_create(
            elder=elder,
            by=request.user,
            phone=d["phone"],
            checker=d["checker"],
            checker_name=d.get("checker_name", ""),
            deadline=d.get("deadline"),
        )
        return Response(self.get_serializer(enrolment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: EnrolmentSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the enrolment: no more alerts; the personal link stops working."""
        enrolment = services.enrolment_end(enrolment=self.get_object(), by=request.user)
        return Response(self.get_serializer(enrolment).data)

    @extend_schema(responses={200: TodaySerializer(many=True)})
    @action(detail=False, methods=["get"], pagination_class=None)
    def today(self, request):
        """Today's state of each current enrolment: missed first."""
        return Response(TodaySerializer(selectors.today_rows(user=request.user), many=True).data)


class CheckInSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckIn
        fields = ["id", "enrolment", "elder", "day", "at", "channel", "text"]


class CheckInViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CheckInSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CheckIn.objects.none()
        return selectors.checkin_list(user=self.request.user)


class MissedCheckinSerializer(serializers.ModelSerializer):
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    responsible_name = serializers.CharField(source="responsible.display_name", read_only=True, default="")
    resolved_by = serializers.CharField(source="resolved_by.username", read_only=True, default="")

    class Meta:
        model = MissedCheckin
        fields = [
            "id",
            "enrolment",
            "elder",
            "elder_name",
            "community",
            "day",
            "responsible",
            "responsible_name",
            "created_at",
            "resolved_at",
            "resolved_by",
            "how",
            "note",
        ]


class ConfirmInput(serializers.Serializer):
    how = serializers.ChoiceField(choices=[c for c in Resolution.choices if c[0] != Resolution.LATE_CHECKIN])
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("open", bool, description="true: only those not confirmed.")])
)
class MissedCheckinViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Days without a check-in by the deadline (a responsible person: their households)."""

    serializer_class = MissedCheckinSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MissedCheckin.objects.none()
        return selectors.alert_list(
            user=self.request.user, open_only=True if self.request.query_params.get("open") in ("1", "true") else None
        )

    @extend_schema(request=ConfirmInput, responses={200: MissedCheckinSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Confirm the elder is fine (or that help was arranged), and how."""
        alert = self.get_object()
        s = ConfirmInput(data=request.data)
        s.is_valid(raise_exception=True)
        alert = services.alert_confirm(
            alert=alert, by=request.user, how=s.validated_data["how"], note=s.validated_data.get("note", "")
        )
        return Response(self.get_serializer(alert).data)


def register(router) -> None:
    router.register("checkin-enrolments", EnrolmentViewSet, basename="checkin-enrolment")
    router.register("checkins", CheckInViewSet, basename="checkin")
    router.register("missed-checkins", MissedCheckinViewSet, basename="missed-checkin")
