"""Held visits and their corrections: the queue (oldest exception first), the provider's proposal
and the town's or district's decision, through the same services and selectors as the pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from ..models import ReasonCode, VisitCorrection, VisitException, WorkOrder
from ..selectors import correction_get, held_visits, order_get, order_list
from ..services.corrections import correction_approve, correction_propose, correction_reject


class ExceptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = VisitException
        fields = ["kind", "detail", "opened_at", "resolved_at"]
        read_only_fields = fields


class HeldVisitSerializer(serializers.ModelSerializer):
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    held_since = serializers.DateTimeField(read_only=True)
    pending = serializers.BooleanField(read_only=True, help_text="A correction awaits a decision")
    exceptions = ExceptionSerializer(many=True, read_only=True)

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "elder",
            "elder_name",
            "provider",
            "caregiver",
            "item",
            "scheduled_at",
            "checked_in_at",
            "checked_out_at",
            "held_since",
            "pending",
            "exceptions",
        ]
        read_only_fields = fields


class CorrectionSerializer(serializers.ModelSerializer):
    reason = serializers.SlugRelatedField(slug_field="code", queryset=ReasonCode.objects.filter(active=True))
    order = serializers.IntegerField(source="order_id")
    evidence = serializers.ImageField(required=False, write_only=True)
    has_evidence = serializers.SerializerMethodField()

    class Meta:
        model = VisitCorrection
        fields = [
            "id",
            "order",
            "status",
            "reason",
            "note",
            "evidence",
            "has_evidence",
            "checked_in_at",
            "checked_out_at",
            "original_checked_in_at",
            "original_checked_out_at",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = [
            "id",
            "status",
            "original_checked_in_at",
            "original_checked_out_at",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]

    def get_has_evidence(self, obj) -> bool:
        return bool(obj.evidence)


class CorrectionDecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="Required to reject")


class HeldVisitViewSet(viewsets.ReadOnlyModelViewSet):
    """Visits held for an exception, oldest first (`?pending=true`: a correction awaits a decision)."""

    serializer_class = HeldVisitSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WorkOrder.objects.none()
        qs = held_visits(user=self.request.user)
        pending = self.request.query_params.get("pending")
        if pending in ("true", "false"):
            qs = qs.filter(pending=pending == "true")
        return qs


class CorrectionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Corrections of held visits: the provider admin proposes (multipart with an evidence photo, or
    JSON); the town or the district approves or rejects."""

    serializer_class = CorrectionSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return VisitCorrection.objects.none()
        return VisitCorrection.objects.select_related("reason").filter(order__in=order_list(user=self.request.user))

    def get_object(self):
        return correction_get(user=self.request.user, pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        s = CorrectionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        correction = correction_propose(
            order=order_get(user=request.user, pk=d["order_id"]),
            reason=d["reason"],
            checked_in_at=d["checked_in_at"],
            checked_out_at=d["checked_out_at"],
            note=d.get("note", ""),
            evidence=d.get("evidence"),
            by=request.user,
        )
        return Response(CorrectionSerializer(correction).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, service):
        s = CorrectionDecisionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        correction = self.get_object()
        service(correction=correction, by=request.user, note=s.validated_data["note"])
        correction.refresh_from_db()
        return Response(CorrectionSerializer(correction).data)

    @extend_schema(request=CorrectionDecisionSerializer, responses={200: CorrectionSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve: the visit takes the corrected times and is paid (served again if under an hour)."""
        return self._decide(request, correction_approve)

    @extend_schema(request=CorrectionDecisionSerializer, responses={200: CorrectionSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject with a reason: the visit is voided and served again."""
        return self._decide(request, correction_reject)


def register(router) -> None:
    router.register("held-visits", HeldVisitViewSet, basename="held-visit")
    router.register("visit-corrections", CorrectionViewSet, basename="visit-correction")
