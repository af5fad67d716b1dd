"""REST API of the providers app, scoped through the same selectors as the pages.

The caregiver's phone app authenticates with a token (POST /api/v1/auth-token/) and calls
`check-in` and `check-out` on its work orders with the scanned token or typed code and a
`request_id` it keeps for retries.
"""

from rest_framework import serializers, viewsets

from ..models import Caregiver, Provider
from ..selectors import caregiver_list, provider_list


class ProviderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Provider
        fields = [
            "id",
            "name",
            "kind",
            "licence_number",
            "other_licences",
            "district",
            "streets",
            "status",
            "status_reason",
            "phone",
            "address",
        ]


class CaregiverSerializer(serializers.ModelSerializer):
    class Meta:
        model = Caregiver
        fields = ["id", "provider", "name", "staff_number", "phone", "trained_on", "active"]


class ProviderViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProviderSerializer

    def get_queryset(self):
        return provider_list(user=self.request.user)


class CaregiverViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CaregiverSerializer

    def get_queryset(self):
        return caregiver_list(user=self.request.user)


def register(router) -> None:
    router.register("providers", ProviderViewSet, basename="provider")
    router.register("caregivers", CaregiverViewSet, basename="caregiver")
