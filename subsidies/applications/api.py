"""REST endpoints of the intake and review, through the same selectors and services as the pages."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from eldercare.errors import DomainError
from eldercare.exports import XLSX, document_response
from eldercare.models import DifficultyCategory, Division, User
from eldercare.periods import Month
from eldercare.selectors import elder_get
from eldercare.workdays import CalendarCache
from subsidies.applications.models import (
    Application,
    ApplicationEvent,
    AssessmentSlot,
    CareSituation,
    IntakeBatch,
    Material,
    MaterialType,
    Objection,
)
from subsidies.applications.roster import roster_build, roster_division, roster_pdf, roster_xlsx
from subsidies.applications.selectors import (
    application_get,
    application_list,
    assessment_slot_get,
    assessment_slot_list,
    batch_get,
    batch_list,
    objection_get,
)
from subsidies.applications.services import batches, materials, objections
from subsidies.applications.services import review as svc
from subsidies.applications.services.assessments import assessment_record
from subsidies.standards.models import Scheme


class EventSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField()

    class Meta:
        model = ApplicationEvent
        fields = ["action", "from_status", "to_status", "by", "at", "opinion"]


class MaterialSerializer(serializers.ModelSerializer):
    class Meta:
        model = Material
        fields = ["id", "material_type", "original_name", "content_type", "size", "created_at"]


class ObjectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objection
        fields = ["id", "received_on", "objector", "content", "status", "resolution", "resolved_at"]


class ApplicationSerializer(serializers.ModelSerializer):
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    days_left = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id", "elder", "elder_name", "community", "scheme", "batch", "categories", "high_age",
            "care_situation", "filed_on", "status", "stage_started_on", "deadline", "days_left",
            "notice_starts_on", "notice_ends_on", "investigation_notes", "assessment", "decided_at",
            "decision_reasons", "standard_amount", "standard_reason",
        ]  # fmt: skip
        read_only_fields = fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One serializer serves every row of a request's list: each year's calendar is looked up once.
        self._calendar: CalendarCache = {}

    def get_days_left(self, obj) -> int | None:
        try:
            return svc.days_left(obj, calendar=self._calendar)
        except Exception:  # noqa: BLE001 - an unknown calendar year shows no count
            return None


class ApplicationDetailSerializer(ApplicationSerializer):
    events = EventSerializer(many=True, read_only=True)
    materials = MaterialSerializer(many=True, read_only=True)
    objections = ObjectionSerializer(many=True, read_only=True)
    missing_materials = serializers.SerializerMethodField()

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "events", "materials", "objections", "missing_materials"]
        read_only_fields = fields

    def get_missing_materials(self, obj) -> list[str]:
        return svc.missing_materials(application=obj)


class FileSerializer(serializers.Serializer):
    elder = serializers.IntegerField()
    scheme = serializers.PrimaryKeyRelatedField(queryset=Scheme.objects.all())
    categories = serializers.ListField(child=serializers.ChoiceField(DifficultyCategory.choices), required=False)
    high_age = serializers.BooleanField(required=False, default=False)
    care_situation = serializers.ChoiceField(CareSituation.choices)
    applicant_note = serializers.CharField(required=False, allow_blank=True, default="")


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[m for m in svc.MOVES if svc.MOVES[m].manual])
    opinion = serializers.CharField(required=False, allow_blank=True, default="")
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)
    investigation_notes = serializers.CharField(required=False, allow_blank=True, default="")


class UploadSerializer(serializers.Serializer):
    material_type = serializers.ChoiceField(MaterialType.choices)
    file = serializers.FileField()


class ObjectionInSerializer(serializers.Serializer):
    received_on = serializers.DateField()
    objector = serializers.CharField(required=False, allow_blank=True, default="")
    content = serializers.CharField()


class ResolveSerializer(serializers.Serializer):
    upheld = serializers.BooleanField()
    resolution = serializers.CharField()


class AssessmentInSerializer(serializers.Serializer):
    assessed_on = serializers.DateField()
    scores = serializers.DictField(child=serializers.DecimalField(max_digits=7, decimal_places=2))
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ApplicationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    def get_serializer_class(self):
        if self.action == "create":
            return FileSerializer
        return ApplicationDetailSerializer if self.action == "retrieve" else ApplicationSerializer

    def get_queryset(self):
        return application_list(user=self.request.user, filters=self.request.query_params.dict())

    def get_object(self):
        return application_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=FileSerializer, responses={201: ApplicationDetailSerializer})
    def create(self, request, *args, **kwargs):
        s = FileSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        elder = elder_get(user=request.user, pk=d.pop("elder"))
        app = svc.application_file(elder=elder, by=request.user, **d)
        return Response(ApplicationDetailSerializer(app).data, status=201)

    @extend_schema(request=TransitionSerializer, responses={200: ApplicationDetailSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Make one move of the review workflow (accept, notice_start, notice_close, forward,
        street_approve, approve, reject, return, withdraw)."""
        app = self.get_object()
        s = TransitionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        app = svc.application_transition(application=app, by=request.user, **d)
        return Response(ApplicationDetailSerializer(app).data)

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses={201: MaterialSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def materials(self, request, pk=None):
        app = self.get_object()
        s = UploadSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        material = materials.material_upload(
            application=app,
            material_type=s.validated_data["material_type"],
            upload=s.validated_data["file"],
            by=request.user,
        )
        return Response(MaterialSerializer(material).data, status=201)

    @extend_schema(request=ObjectionInSerializer, responses={201: ObjectionSerializer})
    @action(detail=True, methods=["post"])
    def objections(self, request, pk=None):
        app = self.get_object()
        s = ObjectionInSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        objection = objections.objection_record(application=app, by=request.user, **s.validated_data)
        return Response(ObjectionSerializer(objection).data, status=201)

    @extend_schema(request=AssessmentInSerializer, responses={200: ApplicationDetailSerializer})
    @action(detail=True, methods=["post"])
    def assessment(self, request, pk=None):
        app = self.get_object()
        s = AssessmentInSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        assessment_record(elder=app.elder, application=app, by=request.user, **s.validated_data)
        app.refresh_from_db()
        return Response(ApplicationDetailSerializer(app).data)


class ObjectionViewSet(viewsets.GenericViewSet):
    serializer_class = ObjectionSerializer

    def get_queryset(self):
        return Objection.objects.none()

    @extend_schema(request=ResolveSerializer, responses={200: ObjectionSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        objection = objection_get(user=request.user, pk=pk)
        s = ResolveSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        objection = objections.objection_resolve(objection=objection, by=request.user, **s.validated_data)
        return Response(ObjectionSerializer(objection).data)


class IntakeBatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = IntakeBatch
        fields = ["id", "district", "name", "opens_on", "closes_on", "status"]


class IntakeBatchViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = IntakeBatchSerializer

    def get_queryset(self):
        return batch_list(user=self.request.user)


class AssessmentSlotSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    assessor_name = serializers.StringRelatedField(source="assessor", read_only=True)

    class Meta:
        model = AssessmentSlot
        fields = ["id", "batch", "community", "community_name", "on", "assessor", "assessor_name", "place", "note"]
        read_only_fields = fields


class AssessmentSlotInSerializer(serializers.Serializer):
    batch = serializers.IntegerField()
    community = serializers.PrimaryKeyRelatedField(queryset=Division.objects.filter(level=Division.Level.COMMUNITY))
    on = serializers.DateField()
    assessor = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    place = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AssessmentSlotViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """The intake batches' assessment schedule (one day per community), filtered by ?batch=."""

    serializer_class = AssessmentSlotSerializer

    def get_queryset(self):
        qs = assessment_slot_list(user=self.request.user)
        batch = self.request.query_params.get("batch")
        return qs.filter(batch_id=batch) if batch and batch.isdigit() else qs

    def get_object(self):
        return assessment_slot_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=AssessmentSlotInSerializer, responses={201: AssessmentSlotSerializer})
    def create(self, request, *args, **kwargs):
        s = AssessmentSlotInSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        batch = batch_get(user=request.user, pk=d.pop("batch"))
        slot = batches.assessment_slot_create(batch=batch, by=request.user, **d)
        return Response(AssessmentSlotSerializer(slot).data, status=201)

    def perform_destroy(self, instance):
        batches.assessment_slot_delete(slot=instance, by=self.request.user)


ROSTER_PARAMETERS = [
    OpenApiParameter("month", str, required=True, description="The month, like 2026-12"),
    OpenApiParameter("division", int, required=True, description="The community's or street's id"),
]


class PaymentRosterViewSet(viewsets.ViewSet):
    """The monthly payment roster (发放花名册) of a community or a street, for a month that was run:
    a community worker its community, a street reviewer its street or its communities, the
    district's roles any."""

    def _roster(self, request):
        try:
            month = Month.parse(request.query_params.get("month", ""))
            division_id = int(request.query_params.get("division", ""))
        except (DomainError, ValueError) as exc:
            raise Http404 from exc
        return (
            month,
            division_id,
            roster_build(division=roster_division(user=request.user, division_id=division_id), month=month),
        )

    @extend_schema(parameters=ROSTER_PARAMETERS, responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"])
    def pdf(self, request):
        month, division_id, roster = self._roster(request)
        return document_response(
            roster_pdf(roster), content_type="application/pdf", filename=f"roster-{month}-{division_id}.pdf"
        )

    @extend_schema(parameters=ROSTER_PARAMETERS, responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"])
    def xlsx(self, request):
        month, division_id, roster = self._roster(request)
        return document_response(roster_xlsx(roster), content_type=XLSX, filename=f"roster-{month}-{division_id}.xlsx")


def register(router) -> None:
    router.register("payment-rosters", PaymentRosterViewSet, basename="payment-roster")
    router.register("applications", ApplicationViewSet, basename="application")
    router.register("objections", ObjectionViewSet, basename="objection")
    router.register("intake-batches", IntakeBatchViewSet, basename="intake-batch")
    router.register("assessment-slots", AssessmentSlotViewSet, basename="assessment-slot")
