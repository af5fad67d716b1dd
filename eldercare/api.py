"""REST API of the shared core, scoped exactly like the pages (through the same selectors)."""

from collections.abc import Callable

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from . import audit, workdays
from .errors import NotAllowed
from .forms import AuditFilterForm
from .idnumber import age_on
from .models import (
    REVEAL_REASONS_OFFERED,
    CalendarDay,
    CalendarYear,
    Division,
    Elder,
    ElderCategory,
    Notification,
    SavedFilter,
)
from .paging import CappedPageNumberPagination
from .params import text_param
from .searching import refuse_number_in_url
from .selectors import (
    division_list,
    elder_get,
    elder_list,
    elders_for_new_work,
    notification_get,
    notification_list,
    saved_filter_list,
)
from .services import (
    REGISTRY_EDITORS,
    REVEALABLE_FIELDS,
    ElderData,
    division_contacts_update,
    elder_create,
    elder_reveal,
    elder_update,
    notification_mark_read,
    notifications_mark_all_read,
    saved_filter_delete,
    saved_filter_save,
)

# The apps' API routes, registered by each app's `ready()` and added to /api/v1/ by the URL conf.
ROUTES: list[Callable[[BaseRouter], None]] = []


def register_routes(add_routes: Callable[[BaseRouter], None]) -> None:
    if add_routes not in ROUTES:
        ROUTES.append(add_routes)


class DivisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Division
        fields = ["id", "code", "name", "level", "parent", "rural", "address", "phone"]
        read_only_fields = ["id", "code", "name", "level", "parent", "rural"]


class ElderCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ElderCategory
        fields = ["category", "evidence_date"]


class ElderSerializer(serializers.ModelSerializer):
    """Lists and details show masked numbers; the full ID number is written, never read here."""

    id_number = serializers.CharField(write_only=True, max_length=18)
    id_masked = serializers.CharField(read_only=True)
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True)
    phone_masked = serializers.CharField(read_only=True)
    agent_phone = serializers.CharField(write_only=True, required=False, allow_blank=True)
    categories = ElderCategorySerializer(many=True, required=False)
    age = serializers.SerializerMethodField()

    class Meta:
        model = Elder
        fields = [
            "id",
            "name",
            "gender",
            "id_number",
            "id_masked",
            "birth_date",
            "age",
            "community",
            "hukou_in_district",
            "resident_since",
            "address",
            "phone",
            "phone_masked",
            "agent_name",
            "agent_relation",
            "agent_phone",
            "agent_phone_masked",
            "categories",
            "life_status",
            "life_status_date",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["birth_date", "life_status", "life_status_date", "agent_phone_masked"]
        extra_kwargs = {"gender": {"required": False}}

    def get_age(self, obj) -> int:
        return age_on(obj.birth_date, timezone.localdate())

    def to_data(self) -> ElderData:
        d = self.validated_data
        return ElderData(
            name=d["name"],
            id_number=d["id_number"],
            gender=d.get("gender", ""),
            community=d["community"],
            hukou_in_district=d.get("hukou_in_district", True),
            resident_since=d["resident_since"],
            address=d["address"],
            phone=d.get("phone", ""),
            agent_name=d.get("agent_name", ""),
            agent_relation=d.get("agent_relation", ""),
            agent_phone=d.get("agent_phone", ""),
            categories={c["category"]: c["evidence_date"] for c in d.get("categories", [])},
        )


class RevealInput(serializers.Serializer):
    """Which personal number to show and why."""

    field = serializers.ChoiceField(choices=REVEALABLE_FIELDS)
    reason = serializers.ChoiceField(choices=REVEAL_REASONS_OFFERED)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ElderSearchInput(serializers.Serializer):
    """What to search: the same text as the list's `search` (a whole ID number or phone too)."""

    q = serializers.CharField(max_length=60, allow_blank=True)
    active = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: only elders still served (not deceased, moved away or disqualified).",
    )


class DivisionViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The divisions in the user's part of the tree. An office's contacts (address, telephone) are
    changed by whoever keeps them (PUT or PATCH); the rest of the tree is read-only here."""

    serializer_class = DivisionSerializer

    def get_queryset(self):
        return division_list(user=self.request.user)

    def perform_update(self, serializer):
        division = serializer.instance
        data = {"address": division.address, "phone": division.phone, **serializer.validated_data}
        serializer.instance = division_contacts_update(
            division=division, address=data["address"], phone=data["phone"], by=self.request.user
        )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "search",
                str,
                description=(
                    "The same search as the pages' elder picker: a name fragment, the pinyin initials of "
                    "the name (wxy), the last 4-6 characters of the ID number (123X), the last 4 digits "
                    "of the phone. A whole ID number or a phone (7 or more digits) is refused here (400): "
                    "it would be written in the address; POST it to /api/v1/elders/search/."
                ),
            ),
            OpenApiParameter(
                "active",
                bool,
                description="true: only elders still served (not deceased, moved away or disqualified).",
            ),
        ]
    )
)
class ElderViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ElderSerializer

    def get_queryset(self):
        search = "" if self.action == "search" else refuse_number_in_url(self.request.query_params.get("search"))
        qs = elder_list(user=self.request.user, search=search)
        if self.action == "list" and self.request.query_params.get("active") in ("1", "true"):
            qs = elders_for_new_work(qs)
        return qs

    @extend_schema(request=ElderSearchInput, responses=ElderSerializer(many=True))
    @action(detail=False, methods=["post"])
    def search(self, request):
        """The list's search with the text in the body, never in the address: a whole ID number
        or a phone is searched here (`?search=` refuses them). Paginated like the list."""
        s = ElderSearchInput(data=request.data)
        s.is_valid(raise_exception=True)
        qs = elder_list(user=request.user, search=text_param(s.validated_data["q"]))
        if s.validated_data["active"]:
            qs = elders_for_new_work(qs)
        page = self.paginate_queryset(qs)
        if page is not None:
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        return Response(self.get_serializer(qs, many=True).data)

    def get_object(self):
        return elder_get(user=self.request.user, pk=self.kwargs["pk"])

    def _check_editor(self, message: str):
        if not (self.request.user.is_superuser or self.request.user.has_role(*REGISTRY_EDITORS)):
            raise NotAllowed(message)

    def create(self, request, *args, **kwargs):
        self._check_editor(_("You may not register elders in this community."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        elder = elder_create(data=serializer.to_data(), by=request.user)
        return Response(self.get_serializer(elder).data, status=201)

    def update(self, request, *args, **kwargs):
        self._check_editor(_("You may not edit elders in this community."))
        elder = self.get_object()
        serializer = self.get_serializer(elder, data=request.data, partial=False)
        serializer.is_valid(raise_exception=True)
        elder = elder_update(elder=elder, data=serializer.to_data(), by=request.user)
        return Response(self.get_serializer(elder).data)

    @extend_schema(exclude=True)  # an edit sends the whole record (PUT); PATCH is refused
    def partial_update(self, request, *args, **kwargs):
        return self.http_method_not_allowed(request, *args, **kwargs)

    @extend_schema(
        request=RevealInput,
        responses={
            200: inline_serializer(
                "RevealedValue", {"field": serializers.CharField(), "value": serializers.CharField()}
            )
        },
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """The full value of a personal number, with the reason it is needed (a note for "other");
        each call is recorded in the reveal log."""
        elder = self.get_object()
        s = RevealInput(data=request.data)
        s.is_valid(raise_exception=True)
        value = elder_reveal(elder=elder, by=request.user, **s.validated_data)
        return Response({"field": s.validated_data["field"], "value": value})


class CalendarDaySerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_workday", "name"]


class CalendarYearSerializer(serializers.ModelSerializer):
    days = CalendarDaySerializer(many=True, read_only=True)

    class Meta:
        model = CalendarYear
        fields = ["year", "note", "days"]


class CalendarYearInput(serializers.Serializer):
    """A year's calendar from the State Council's notice: one `YYYY-MM-DD name` a line."""

    year = serializers.IntegerField(min_value=2020, max_value=2100)
    source = serializers.CharField(max_length=200)
    holidays = serializers.CharField()
    workdays = serializers.CharField(required=False, allow_blank=True, default="")


class CalendarYearViewSet(viewsets.ReadOnlyModelViewSet):
    """The official calendars the district entered for years the built-in one lacks."""

    serializer_class = CalendarYearSerializer
    lookup_field = "year"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return CalendarYear.objects.none()
        user = self.request.user
        if not (user.is_superuser or user.has_role(*workdays.CALENDAR_ROLES)):
            raise NotAllowed(_("Only the district enters the official calendar."))
        return CalendarYear.objects.prefetch_related("days")

    @extend_schema(request=CalendarYearInput, responses={201: CalendarYearSerializer})
    def create(self, request):
        s = CalendarYearInput(data=request.data)
        s.is_valid(raise_exception=True)
        calendar = workdays.calendar_year_enter(by=request.user, **s.validated_data)
        return Response(CalendarYearSerializer(calendar).data, status=201)


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "message", "url", "created_at", "read_at", "read"]

    def get_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class NotificationPagination(CappedPageNumberPagination):
    """Pages of notices that also say how many of all the user's notices are unread."""

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["unread"] = notification_list(user=self.request.user, unread=True).count()
        return response

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["unread"] = {"type": "integer", "example": 3}
        return answer


@extend_schema_view(
    list=extend_schema(
        summary="The signed-in user's notices, newest first",
        description="Only the user's own notices. The answer carries `unread`, the number of unread notices.",
        parameters=[OpenApiParameter("unread", bool, description="Only the unread notices (`?unread=1`).")],
    ),
    retrieve=extend_schema(summary="One of the user's notices (another user's is 404)"),
)
class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NotificationSerializer
    pagination_class = NotificationPagination

    def get_queryset(self):
        unread = self.request.query_params.get("unread", "") in ("1", "true", "yes")
        return notification_list(user=self.request.user, unread=unread)

    def get_object(self):
        return notification_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=None, responses=NotificationSerializer, summary="Mark one notice read")
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notice = notification_mark_read(notice=self.get_object())
        return Response(NotificationSerializer(notice).data)

    @extend_schema(
        request=None,
        responses=inline_serializer("NotificationsReadAll", {"marked": serializers.IntegerField()}),
        summary="Mark every notice of the user read",
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": notifications_mark_all_read(user=request.user)})


class SavedFilterSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The list page with these filters.")

    class Meta:
        model = SavedFilter
        fields = ["id", "view_name", "name", "query", "url", "created_at"]
        read_only_fields = ["id", "url", "created_at"]
        # Saving under a name already used replaces that filter (see `create`).
        validators: list = []

    def get_url(self, saved: SavedFilter) -> str:
        url = reverse(saved.view_name)
        return f"{url}?{saved.query}" if saved.query else url


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("view", str, description="Only the filters of this list page (its URL name).")]
    )
)
class SavedFilterViewSet(
    mixins.CreateModelMixin, mixins.DestroyModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """The user's own saved filters of list pages. Saving under a name already used for the same
    list replaces it; a filter holding a personal number is refused."""

    serializer_class = SavedFilterSerializer

    def get_queryset(self):
        return saved_filter_list(user=self.request.user, view_name=text_param(self.request.query_params.get("view")))

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = saved_filter_save(
            user=self.request.user, view_name=data["view_name"], name=data["name"], query=data.get("query", "")
        )

    def perform_destroy(self, instance):
        saved_filter_delete(saved=instance, by=self.request.user)


class AuditChangeSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The field's name, in the request's language.")
    old = serializers.CharField()
    new = serializers.CharField()


class AuditRecordSerializer(serializers.Serializer):
    """One change or reveal. Personal numbers appear masked; ciphertext and search keys never."""

    at = serializers.DateTimeField()
    user = serializers.CharField(help_text="Full name (login name) of who did it.")
    kind = serializers.CharField(help_text="The kind of record (app_label.model), as the `kind` filter takes it.")
    kind_label = serializers.CharField()
    object = serializers.CharField()
    action = serializers.ChoiceField(choices=audit.Action.choices)
    action_label = serializers.CharField()
    changes = AuditChangeSerializer(many=True, help_text="For a change: each field, old → new.")
    field = serializers.CharField(help_text="For a reveal: the number shown.")
    reason = serializers.CharField(help_text="For a reveal: why it was shown.")
    note = serializers.CharField()


class AuditRecordViewSet(viewsets.GenericViewSet):
    """The audit trail, newest first, within the caller's scope: supervisors, district reviewers
    and system administrators only."""

    serializer_class = AuditRecordSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="From this day (inclusive)."),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="To this day (inclusive)."),
            OpenApiParameter("user", str, description="Part of the login name or the full name."),
            OpenApiParameter("kind", str, description="A kind of record (app_label.model, e.g. eldercare.elder)."),
            OpenApiParameter("action", str, enum=audit.Action.values, description="What was done."),
        ]
    )
    def list(self, request):
        if not audit.can_audit(request.user):
            raise NotAllowed(_("Only supervisors and the district read the audit trail."))
        form = AuditFilterForm(request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors.get_json_data())
        page = self.paginate_queryset(audit.audit_records_for(request.user, form.audit_filter()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
