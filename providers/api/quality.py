"""REST API of supervision: the towns' satisfaction surveys and the rectifications they open.

A town (street reviewer) opens a survey of a provider serving its street, posts one answer per
elder asked (or imports a spreadsheet), and submits it; below 80 % a rectification opens. The
provider's administrator answers it with evidence (multipart), the town accepts or rejects.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from eldercare.errors import ValidationFailed
from eldercare.models import Division
from eldercare.periods import Quarter
from eldercare.selectors import elder_list

from .. import quality
from ..models import Provider, Rectification, RectificationStep, SatisfactionSurvey, SurveyAnswer


class SurveyAnswerSerializer(serializers.ModelSerializer):
    elder_name = serializers.CharField(source="elder.name", read_only=True)

    class Meta:
        model = SurveyAnswer
        fields = ["id", "elder", "elder_name", "satisfied", "asked_on", "note", "by", "created_at"]
        read_only_fields = fields


class SurveySerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    street_name = serializers.CharField(source="street.name", read_only=True)
    rate = serializers.SerializerMethodField()
    answers = serializers.SerializerMethodField()
    rectification = serializers.SerializerMethodField()

    class Meta:
        model = SatisfactionSurvey
        fields = [
            "id",
            "provider",
            "provider_name",
            "street",
            "street_name",
            "quarter",
            "status",
            "answers",
            "surveyed",
            "satisfied",
            "rate",
            "submitted_at",
            "rectification",
        ]
        read_only_fields = fields

    def get_rate(self, obj) -> str | None:
        return str(obj.rate) if obj.surveyed else None

    def get_answers(self, obj) -> int:
        n = getattr(obj, "answer_count", None)
        return obj.answers.count() if n is None else n

    def get_rectification(self, obj) -> int | None:
        return obj.rectification.pk if hasattr(obj, "rectification") else None


class SurveyOpenSerializer(serializers.Serializer):
    provider = serializers.IntegerField()
    street = serializers.IntegerField()
    quarter = serializers.CharField(help_text="Like 2026Q1")


class SurveyAnswerInSerializer(serializers.Serializer):
    elder = serializers.IntegerField()
    satisfied = serializers.BooleanField()
    asked_on = serializers.DateField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class SurveyImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="XLSX with the columns 身份证号, 姓名, 是否满意 (满意/不满意), 询问日期, 备注"
    )


class RectificationStepSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="answer (the provider's), accept or reject (the town's)")
    has_evidence = serializers.SerializerMethodField()

    class Meta:
        model = RectificationStep
        fields = ["id", "kind", "text", "has_evidence", "by", "created_at"]
        read_only_fields = fields

    def get_has_evidence(self, obj) -> bool:
        return bool(obj.evidence)


class RectificationSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    street = serializers.IntegerField(source="survey.street_id", read_only=True)
    rate = serializers.DecimalField(source="survey.rate", max_digits=4, decimal_places=1, read_only=True)
    steps = RectificationStepSerializer(many=True, read_only=True)

    class Meta:
        model = Rectification
        fields = [
            "id",
            "provider",
            "provider_name",
            "survey",
            "street",
            "rate",
            "deadline",
            "status",
            "resolution",
            "resolved_at",
            "steps",
        ]
        read_only_fields = fields


class RectificationAnswerSerializer(serializers.Serializer):
    text = serializers.CharField()
    evidence = serializers.FileField(help_text="PDF, JPEG or PNG, at most 10 MB")


class RectificationDecisionSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, help_text="The opinion; required to reject")


class SurveyViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Satisfaction surveys of the user's streets (towns, district) or of the user's provider."""

    serializer_class = SurveySerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SatisfactionSurvey.objects.none()
        return quality.survey_list(user=self.request.user, status=self.request.query_params.get("status"))

    def get_object(self):
        return quality.survey_get(user=self.request.user, pk=self.kwargs["pk"])

    def _answer(self, survey, code=status.HTTP_200_OK):
        return Response(SurveySerializer(quality.survey_get(user=self.request.user, pk=survey.pk)).data, status=code)

    @extend_schema(request=SurveyOpenSerializer, responses={201: SurveySerializer})
    def create(self, request, *args, **kwargs):
        s = SurveyOpenSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        street = Division.objects.filter(pk=d["street"], level=Division.Level.STREET).first()
        provider = Provider.objects.filter(pk=d["provider"]).first()
        if street is None or provider is None:
            raise ValidationFailed(_("Choose a street and a provider that exist."))
        survey = quality.survey_open(
            provider=provider, street=street, quarter=Quarter.parse(d["quarter"]), by=request.user
        )
        return self._answer(survey, status.HTTP_201_CREATED)

    @extend_schema(responses={200: SurveyAnswerSerializer(many=True)}, methods=["GET"])
    @extend_schema(request=SurveyAnswerInSerializer, responses={201: SurveyAnswerSerializer}, methods=["POST"])
    @action(detail=True, methods=["get", "post"])
    def answers(self, request, pk=None):
        survey = self.get_object()
        if request.method == "GET":
            return Response(SurveyAnswerSerializer(quality.survey_answers(survey=survey), many=True).data)
        s = SurveyAnswerInSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        # The survey's elders first: the service then refuses a user who may not enter answers (403)
        # before anything else; an elder the user sees but the survey does not cover is named in its 400.
        elder = (
            quality.survey_elders(survey=survey).filter(pk=d["elder"]).first()
            or elder_list(user=request.user).filter(pk=d["elder"]).first()
        )
        if elder is None:
            raise ValidationFailed(_("This elder is not found or is no longer served."))
        answer = quality.survey_answer_record(
            survey=survey,
            elder=elder,
            satisfied=d["satisfied"],
            asked_on=d["asked_on"],
            note=d.get("note", ""),
            by=request.user,
        )
        return Response(SurveyAnswerSerializer(answer).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": SurveyImportSerializer},
        responses={
            201: SurveySerializer,
            400: inline_serializer(
                "SurveyImportErrors",
                {"detail": serializers.CharField(), "code": serializers.CharField(), "errors": serializers.ListField()},
            ),
        },
    )
    @action(detail=True, methods=["post"], url_path="import")
    def import_answers(self, request, pk=None):
        survey = self.get_object()
        s = SurveyImportSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        try:
            quality.survey_answers_import(survey=survey, upload=s.validated_data["file"], by=request.user)
        except quality.SurveyImportFailed as exc:
            return Response(
                {"detail": exc.message, "code": exc.code, "errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST
            )
        return self._answer(survey, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: SurveySerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        survey = quality.survey_submit(survey=self.get_object(), by=request.user)
        return self._answer(survey)


class RectificationViewSet(viewsets.ReadOnlyModelViewSet):
    """Rectifications of the user's streets or provider (the district and supervisors see all)."""

    serializer_class = RectificationSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Rectification.objects.none()
        qs = quality.rectification_list(user=self.request.user).prefetch_related("steps")
        wanted = self.request.query_params.get("status")
        return qs.filter(status=wanted) if wanted else qs

    def get_object(self):
        return quality.rectification_get(user=self.request.user, pk=self.kwargs["pk"])

    def _answer(self, rect):
        return Response(RectificationSerializer(self.get_queryset().get(pk=rect.pk)).data)

    @extend_schema(
        request={"multipart/form-data": RectificationAnswerSerializer},
        responses={200: RectificationSerializer},
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        rect = self.get_object()
        s = RectificationAnswerSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        rect = quality.rectification_answer(
            rectification=rect, text=s.validated_data["text"], evidence=s.validated_data["evidence"], by=request.user
        )
        return self._answer(rect)

    @extend_schema(request=RectificationDecisionSerializer, responses={200: RectificationSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        s = RectificationDecisionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        rect = quality.rectification_accept(
            rectification=self.get_object(), resolution=s.validated_data.get("text", ""), by=request.user
        )
        return self._answer(rect)

    @extend_schema(request=RectificationDecisionSerializer, responses={200: RectificationSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        s = RectificationDecisionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        rect = quality.rectification_reject(
            rectification=self.get_object(), reason=s.validated_data.get("text", ""), by=request.user
        )
        return self._answer(rect)


def register(router) -> None:
    router.register("satisfaction-surveys", SurveyViewSet, basename="satisfaction-survey")
    router.register("rectifications", RectificationViewSet, basename="rectification")
