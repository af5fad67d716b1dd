"""REST API of emergency outreach (the register, emergency responses, contacts, escalations and
the day's contact list), scoped through the same selectors as the pages.

Refusals: 404 outside what the user may see, 403 for a role that may not act, 409 when the
household already has a current person of that duty, 400 for invalid input.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from eldercare.errors import NotAllowed, ValidationFailed
from eldercare.models import Division, Elder, User

from . import selectors, services
from .models import (
    CareNeed,
    Contact,
    EmergencyContact,
    EmergencyResponse,
    Escalation,
    ResponsiblePerson,
    TemporaryCaregiver,
    VulnerabilityProfile,
)


class EmergencyContactSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(write_only=True, max_length=20)
    phone_masked = serializers.CharField(read_only=True)

    class Meta:
        model = EmergencyContact
        fields = ["name", "relation", "phone", "phone_masked"]


class VulnerabilityProfileSerializer(serializers.ModelSerializer):
    """A screening: the flags are written, the risk level is derived from them and only read."""

    elder = serializers.PrimaryKeyRelatedField(queryset=Elder.objects.all())
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    community = serializers.IntegerField(source="elder.community_id", read_only=True)
    contacts = EmergencyContactSerializer(many=True, required=False)
    screened_by = serializers.CharField(source="screened_by.username", read_only=True)

    class Meta:
        model = VulnerabilityProfile
        fields = [
            "id",
            "elder",
            "elder_name",
            "community",
            "solitary",
            "left_behind",
            "empty_nest",
            "care_need",
            "dispersed_extreme_poverty",
            "carers_absent",
            "chronic_medicine",
            "medicines",
            "living_arrangement",
            "note",
            "screened_on",
            "screened_by",
            "risk_level",
            "contacts",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["risk_level"]

    def to_data(self) -> services.ScreeningData:
        d = self.validated_data
        return services.ScreeningData(
            living_arrangement=d["living_arrangement"],
            screened_on=d["screened_on"],
            solitary=d.get("solitary", False),
            left_behind=d.get("left_behind", False),
            empty_nest=d.get("empty_nest", False),
            care_need=d.get("care_need", CareNeed.SELF_CARE),
            dispersed_extreme_poverty=d.get("dispersed_extreme_poverty", False),
            carers_absent=d.get("carers_absent", False),
            chronic_medicine=d.get("chronic_medicine", False),
            medicines=d.get("medicines", ""),
            note=d.get("note", ""),
            contacts=[services.ContactData(c["name"], c["relation"], c["phone"]) for c in d.get("contacts", [])],
        )


def _risk_parameter() -> OpenApiParameter:
    return OpenApiParameter("risk", str, enum=["high", "medium", "low"], description="Only this risk level.")


@extend_schema_view(list=extend_schema(parameters=[_risk_parameter()]))
class VulnerabilityProfileViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The screenings of the elders the user may see (a volunteer: the households in their care).
    Creating a profile for an elder already screened records the screening again."""

    serializer_class = VulnerabilityProfileSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return VulnerabilityProfile.objects.none()
        return selectors.profile_list(user=self.request.user, risk=self.request.query_params.get("risk", ""))

    def _elder(self, pk: int) -> Elder:
        found = selectors.register_elders(user=self.request.user).filter(pk=pk).first()
        if found is None:
            raise NotFound
        return found

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        elder = self._elder(serializer.validated_data["elder"].pk)
        profile = services.profile_screen(elder=elder, data=serializer.to_data(), by=request.user)
        return Response(self.get_serializer(profile).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk=None):
        profile = self.get_object()
        serializer = self.get_serializer(profile, data=request.data)
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data["elder"].pk != profile.elder_id:
            raise ValidationFailed(_("A screening stays with its elder."))
        profile = services.profile_screen(elder=profile.elder, data=serializer.to_data(), by=request.user)
        return Response(self.get_serializer(profile).data)


class ResponsiblePersonSerializer(serializers.ModelSerializer):
    elder = serializers.PrimaryKeyRelatedField(queryset=Elder.objects.all())
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    display_name = serializers.CharField(read_only=True)
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=20)
    phone_masked = serializers.CharField(read_only=True)
    assigned_by = serializers.CharField(source="assigned_by.username", read_only=True)

    class Meta:
        model = ResponsiblePerson
        fields = [
            "id",
            "elder",
            "duty",
            "kind",
            "user",
            "name",
            "display_name",
            "phone",
            "phone_masked",
            "starts_on",
            "ends_on",
            "assigned_by",
            "created_at",
        ]
        read_only_fields = ["ends_on"]


class EndInput(serializers.Serializer):
    ends_on = serializers.DateField()


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("current", bool, description="true: only current responsibilities."),
            OpenApiParameter("elder", int, description="Only this household."),
        ]
    )
)
class ResponsiblePersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The households' primary responsible persons and deputies."""

    serializer_class = ResponsiblePersonSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ResponsiblePerson.objects.none()
        qs = selectors.responsible_list(
            user=self.request.user, current=True if self.request.query_params.get("current") in ("1", "true") else None
        )
        elder = self.request.query_params.get("elder", "")
        return qs.filter(elder_id=int(elder)) if elder.isdigit() else qs

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        elder = selectors.register_elders(user=request.user).filter(pk=d["elder"].pk).first()
        if elder is None:
            raise NotFound
        person = services.responsible_assign(
            elder=elder,
            duty=d["duty"],
            kind=d["kind"],
            starts_on=d["starts_on"],
            by=request.user,
            user=d.get("user"),
            name=d.get("name", ""),
            phone=d.get("phone", ""),
        )
        return Response(self.get_serializer(person).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EndInput, responses={200: ResponsiblePersonSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End a responsibility on a date; the household then needs a new person of that duty."""
        person = self.get_object()
        s = EndInput(data=request.data)
        s.is_valid(raise_exception=True)
        person = services.responsible_end(person=person, ends_on=s.validated_data["ends_on"], by=request.user)
        return Response(self.get_serializer(person).data)


class TemporaryCaregiverSerializer(serializers.ModelSerializer):
    elder = serializers.PrimaryKeyRelatedField(queryset=Elder.objects.all())
    phone = serializers.CharField(write_only=True, max_length=20)
    phone_masked = serializers.CharField(read_only=True)
    duties = serializers.ListField(child=serializers.CharField(), read_only=True)
    named_by = serializers.CharField(source="named_by.username", read_only=True)

    class Meta:
        model = TemporaryCaregiver
        fields = [
            "id",
            "elder",
            "name",
            "phone",
            "phone_masked",
            "starts_on",
            "ends_on",
            "meals",
            "daily_care",
            "medicine",
            "note",
            "duties",
            "named_by",
            "created_at",
        ]


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("elder", int, description="Only this household.")]))
class TemporaryCaregiverViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Temporary caregivers (临时照料人) of households whose family carers are isolated or away."""

    serializer_class = TemporaryCaregiverSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TemporaryCaregiver.objects.none()
        qs = selectors.caregiver_list(user=self.request.user)
        elder = self.request.query_params.get("elder", "")
        return qs.filter(elder_id=int(elder)) if elder.isdigit() else qs

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = dict(serializer.validated_data)
        elder = selectors.register_elders(user=request.user).filter(pk=d.pop("elder").pk).first()
        if elder is None:
            raise NotFound
        caregiver = services.caregiver_name(elder=elder, by=request.user, **d)
        return Response(self.get_serializer(caregiver).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EndInput, responses={200: TemporaryCaregiverSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the caregiver's period early, on a day within it."""
        s = EndInput(data=request.data)
        s.is_valid(raise_exception=True)
        caregiver = services.caregiver_end(
            caregiver=self.get_object(), ends_on=s.validated_data["ends_on"], by=request.user
        )
        return Response(self.get_serializer(caregiver).data)


class CoverageSerializer(serializers.Serializer):
    community = serializers.IntegerField(source="community.pk")
    community_name = serializers.CharField(source="community.name")
    street = serializers.IntegerField(source="street.pk")
    street_name = serializers.CharField(source="street.name")
    elders = serializers.IntegerField(help_text="Elders aged 60 or more living in the registry.")
    screened = serializers.IntegerField()
    unscreened = serializers.IntegerField()
    unassigned = serializers.IntegerField(help_text="Screened households without a current primary responsible person.")
    uncared = serializers.IntegerField(help_text="Family carers away and no temporary caregiver today.")
    high = serializers.IntegerField()
    medium = serializers.IntegerField()
    low = serializers.IntegerField()


class CoverageViewSet(viewsets.GenericViewSet):
    """Per community of the user's area: how far the screening and the assignments have come."""

    serializer_class = CoverageSerializer
    pagination_class = None

    @extend_schema(responses={200: CoverageSerializer(many=True)})
    def list(self, request):
        return Response(CoverageSerializer(selectors.coverage(user=request.user), many=True).data)


class EmergencyResponseSerializer(serializers.ModelSerializer):
    district = serializers.IntegerField(source="district_id", read_only=True)
    streets = serializers.PrimaryKeyRelatedField(
        queryset=Division.objects.filter(level=Division.Level.STREET),
        many=True,
        required=False,
        help_text="Streets or towns of the district; none: the whole district.",
    )
    declared_by = serializers.CharField(source="declared_by.username", read_only=True)
    ended_by = serializers.CharField(source="ended_by.username", read_only=True, default=None)
    active = serializers.SerializerMethodField(help_text="In progress today.")

    class Meta:
        model = EmergencyResponse
        fields = [
            "id",
            "kind",
            "name",
            "district",
            "streets",
            "starts_on",
            "ends_on",
            "interval_high",
            "interval_medium",
            "interval_low",
            "temperature_required",
            "declared_by",
            "ended_at",
            "ended_by",
            "active",
            "created_at",
        ]
        read_only_fields = ["ended_at"]

    def get_active(self, obj: EmergencyResponse) -> bool:
        return obj.is_active(timezone.localdate())


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("active", bool, description="true: only those in progress today.")])
)
class EmergencyResponseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Emergency responses of the user's district; its reviewers declare and end them."""

    serializer_class = EmergencyResponseSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return EmergencyResponse.objects.none()
        active = self.request.query_params.get("active") in ("1", "true")
        return selectors.response_list(user=self.request.user, active_on=timezone.localdate() if active else None)

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        district = selectors.declarable_districts(request.user).first()
        if district is None:
            raise NotAllowed(_("Only the district's reviewers declare its emergency responses."))
        d = serializer.validated_data
        response = services.response_declare(
            by=request.user,
            district=district,
            kind=d["kind"],
            name=d["name"],
            starts_on=d["starts_on"],
            ends_on=d.get("ends_on"),
            streets=d.get("streets", []),
            interval_high=d.get("interval_high", 1),
            interval_medium=d.get("interval_medium", 3),
            interval_low=d.get("interval_low", 7),
            temperature_required=d.get("temperature_required", False),
        )
        return Response(self.get_serializer(response).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: EmergencyResponseSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the response today (the district's reviewers only)."""
        response = services.response_end(response=self.get_object(), by=request.user)
        return Response(self.get_serializer(response).data)


class ContactSerializer(serializers.ModelSerializer):
    response = serializers.PrimaryKeyRelatedField(queryset=EmergencyResponse.objects.all())
    elder = serializers.PrimaryKeyRelatedField(queryset=Elder.objects.all())
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    by = serializers.CharField(source="by.username", read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "response",
            "elder",
            "elder_name",
            "by",
            "at",
            "method",
            "result",
            "temperature",
            "needs",
            "note",
        ]
        read_only_fields = ["at"]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("response", int, description="Only under this response."),
            OpenApiParameter("elder", int, description="Only this household."),
        ]
    )
)
class ContactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Contact records (append-only). A health problem, or a household unreachable at its last two
    contacts, escalates it to its community."""

    serializer_class = ContactSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Contact.objects.none()
        qs = selectors.contact_list(user=self.request.user)
        for name in ("response", "elder"):
            value = self.request.query_params.get(name, "")
            if value.isdigit():
                qs = qs.filter(**{f"{name}_id": int(value)})
        return qs

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        response = selectors.response_get(user=request.user, pk=d["response"].pk)
        elder = selectors.contact_elder_get(user=request.user, response=response, pk=d["elder"].pk)
        contact = services.contact_record(
            response=response,
            elder=elder,
            by=request.user,
            method=d["method"],
            result=d["result"],
            temperature=d.get("temperature"),
            needs=d.get("needs", ""),
            note=d.get("note", ""),
        )
        return Response(self.get_serializer(contact).data, status=status.HTTP_201_CREATED)


class EscalationSerializer(serializers.ModelSerializer):
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    closed_by = serializers.CharField(source="closed_by.username", read_only=True, default=None)

    class Meta:
        model = Escalation
        fields = [
            "id",
            "response",
            "elder",
            "elder_name",
            "community",
            "contact",
            "reason",
            "deadline",
            "closed_at",
            "closed_by",
            "close_note",
        ]
        read_only_fields = fields


class CloseInput(serializers.Serializer):
    note = serializers.CharField(max_length=500, help_text="What was done.")


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("status", str, enum=["open", "closed"])]))
class EscalationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Escalated households of the user's area; the community closes them with a note."""

    serializer_class = EscalationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Escalation.objects.none()
        wanted = self.request.query_params.get("status", "")
        return selectors.escalation_list(user=self.request.user, open_only={"open": True, "closed": False}.get(wanted))

    @extend_schema(request=CloseInput, responses={200: EscalationSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        s = CloseInput(data=request.data)
        s.is_valid(raise_exception=True)
        escalation = services.escalation_close(
            escalation=self.get_object(), by=request.user, note=s.validated_data["note"]
        )
        return Response(self.get_serializer(escalation).data)


class DueContactSerializer(serializers.Serializer):
    response = serializers.IntegerField(source="response.pk")
    response_name = serializers.CharField(source="response.name")
    elder = serializers.IntegerField(source="elder.pk")
    elder_name = serializers.CharField(source="elder.name")
    community_name = serializers.CharField(source="elder.community.name")
    risk_level = serializers.CharField(help_text="Empty: not yet screened (treated as high risk).")
    last_contact_day = serializers.DateField(allow_null=True, help_text="The last day someone was reached.")
    last_contact_at = serializers.DateTimeField(allow_null=True)
    last_result = serializers.CharField()


class TodayViewSet(viewsets.GenericViewSet):
    """The households in the user's care due for a contact today, high risk first."""

    serializer_class = DueContactSerializer
    pagination_class = None

    @extend_schema(responses={200: DueContactSerializer(many=True)})
    def list(self, request):
        return Response(DueContactSerializer(selectors.today_list(user=request.user), many=True).data)


def register(router) -> None:
    router.register("vulnerability-profiles", VulnerabilityProfileViewSet, basename="vulnerability-profile")
    router.register("responsible-persons", ResponsiblePersonViewSet, basename="responsible-person")
    router.register("temporary-caregivers", TemporaryCaregiverViewSet, basename="temporary-caregiver")
    router.register("coverage", CoverageViewSet, basename="coverage")
    router.register("emergency-responses", EmergencyResponseViewSet, basename="emergency-response")
    router.register("contacts", ContactViewSet, basename="outreach-contact")
    router.register("escalations", EscalationViewSet, basename="escalation")
    router.register("contacts-today", TodayViewSet, basename="contacts-today")
