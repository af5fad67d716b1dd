"""REST API of the providers app, scoped through the same selectors as the pages.

The caregiver's phone app authenticates with a token (POST /api/v1/auth-token/) and calls
`check-in` and `check-out` on its work orders with the scanned token or typed code and a
`request_id` it keeps for retries.
"""

from rest_framework import serializers, viewsets

from ..models import ServiceItem
from ..selectors import item_list


class ServiceItemSerializer(serializers.ModelSerializer):
    price = serializers.DecimalField(source="price.amount", max_digits=10, decimal_places=2, read_only=True)

    class Meta:
        model = ServiceItem
        fields = ["id", "provider", "kind", "name", "price", "minutes", "certificate_kind", "active"]


class ServiceItemViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ServiceItemSerializer

    def get_queryset(self):
        return item_list(user=self.request.user)


def register(router) -> None:
    router.register("service-items", ServiceItemViewSet, basename="service-item")
