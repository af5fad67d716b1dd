"""REST API of the catalogue: a provider admin's items and packages and their new versions; the
district's approval or rejection. Scoped through the same reads as the pages."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ..models import Approval, CertificateKind, ServiceItem, ServiceKind, ServicePackage
from ..selectors import provider_get
from ..services.catalogue import (
    catalogue_items,
    catalogue_packages,
    entry_approve,
    entry_reject,
    item_create,
    item_revise,
    package_create,
    package_revise,
)


# A plain string in the schema: other serializers of the API call other choice sets "kind", and
# the schema's enum components are named after the field.
@extend_schema_field({"type": "string", "description": "Kind of service: " + ", ".join(ServiceKind.values)})
class ServiceKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=ServiceKind.choices, **kwargs)


@extend_schema_field(
    {"type": "string", "enum": ["", *CertificateKind.values], "description": "Certificate the caregiver needs"}
)
class CertificateKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=CertificateKind.choices, allow_blank=True, **kwargs)


class ServiceItemSerializer(serializers.ModelSerializer):
    price = serializers.DecimalField(source="price.amount", max_digits=10, decimal_places=2, read_only=True)
    kind = ServiceKindField(read_only=True)
    certificate_kind = CertificateKindField(read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)

    class Meta:
        model = ServiceItem
        fields = [
            "id",
            "provider",
            "provider_name",
            "kind",
            "name",
            "price",
            "minutes",
            "certificate_kind",
            "subsidised",
            "active",
            "valid_from",
            "valid_until",
            "replaces",
            "approval",
            "approval_note",
            "approved_at",
        ]
        read_only_fields = fields


class ServicePackageSerializer(serializers.ModelSerializer):
    price = serializers.DecimalField(source="price.amount", max_digits=10, decimal_places=2, read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)

    class Meta:
        model = ServicePackage
        fields = [
            "id",
            "provider",
            "provider_name",
            "name",
            "items",
            "price",
            "active",
            "valid_from",
            "valid_until",
            "replaces",
            "approval",
            "approval_note",
            "approved_at",
        ]
        read_only_fields = fields


class ItemCreateSerializer(serializers.Serializer):
    provider = serializers.IntegerField()
    kind = ServiceKindField()
    name = serializers.CharField(max_length=100)
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    minutes = serializers.IntegerField(min_value=1, default=60)
    certificate_kind = CertificateKindField(required=False)
    subsidised = serializers.BooleanField(default=True)
    valid_from = serializers.DateField(required=False)


class ItemVersionSerializer(serializers.Serializer):
    valid_from = serializers.DateField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
    name = serializers.CharField(max_length=100, required=False)
    minutes = serializers.IntegerField(min_value=1, required=False)
    certificate_kind = CertificateKindField(required=False)
    subsidised = serializers.BooleanField(required=False)


class PackageCreateSerializer(serializers.Serializer):
    provider = serializers.IntegerField()
    name = serializers.CharField(max_length=100)
    items = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    valid_from = serializers.DateField(required=False)


class PackageVersionSerializer(serializers.Serializer):
    valid_from = serializers.DateField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
    items = serializers.ListField(child=serializers.IntegerField(), required=False, allow_empty=False)
    name = serializers.CharField(max_length=100, required=False)


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


STATE = OpenApiParameter("approval", str, enum=Approval.values, description="Only entries in this approval state")


class _Decisions:
    """The district's approve and reject actions, shared by items and packages."""

    def _decided(self, entry):
        raise NotImplementedError

    @extend_schema(request=DecisionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        s = DecisionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        entry = entry_approve(entry=self.get_object(), note=s.validated_data["note"], by=request.user)
        return self._decided(entry)

    @extend_schema(request=DecisionSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        s = DecisionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        entry = entry_reject(entry=self.get_object(), note=s.validated_data["note"], by=request.user)
        return self._decided(entry)


@extend_schema(parameters=[STATE])
class ServiceItemViewSet(_Decisions, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Every version of the items of the providers the user may see (filter `?approval=pending`)."""

    serializer_class = ServiceItemSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return ServiceItem.objects.none()
        qs = catalogue_items(user=self.request.user)
        state = self.request.query_params.get("approval")
        return qs.filter(approval=state) if state else qs

    def _decided(self, entry):
        return Response(ServiceItemSerializer(entry).data)

    @extend_schema(request=ItemCreateSerializer, responses={201: ServiceItemSerializer})
    def create(self, request, *args, **kwargs):
        s = ItemCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        provider = provider_get(user=request.user, pk=d.pop("provider"))
        item = item_create(provider=provider, by=request.user, **d)
        return Response(ServiceItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ItemVersionSerializer, responses={201: ServiceItemSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """A change of price or content: a new version from `valid_from`, awaiting the district."""
        s = ItemVersionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        item = item_revise(item=self.get_object(), by=request.user, **s.validated_data)
        return Response(ServiceItemSerializer(item).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[STATE])
class ServicePackageViewSet(_Decisions, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ServicePackageSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ServicePackage.objects.none()
        qs = catalogue_packages(user=self.request.user)
        state = self.request.query_params.get("approval")
        return qs.filter(approval=state) if state else qs

    def _decided(self, entry):
        return Response(ServicePackageSerializer(entry).data)

    def _items(self, ids: list[int]) -> list[ServiceItem]:
        return [get_object_or_404(catalogue_items(user=self.request.user), pk=pk) for pk in ids]

    @extend_schema(request=PackageCreateSerializer, responses={201: ServicePackageSerializer})
    def create(self, request, *args, **kwargs):
        s = PackageCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        provider = provider_get(user=request.user, pk=d.pop("provider"))
        package = package_create(provider=provider, items=self._items(d.pop("items")), by=request.user, **d)
        return Response(ServicePackageSerializer(package).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PackageVersionSerializer, responses={201: ServicePackageSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        s = PackageVersionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        if "items" in d:
            d["items"] = self._items(d["items"])
        package = package_revise(package=self.get_object(), by=request.user, **d)
        return Response(ServicePackageSerializer(package).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("service-items", ServiceItemViewSet, basename="service-item")
    router.register("service-packages", ServicePackageViewSet, basename="service-package")
