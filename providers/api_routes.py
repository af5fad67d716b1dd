from . import api


def register(router) -> None:
    router.register("providers", api.ProviderViewSet, basename="provider")
    router.register("caregivers", api.CaregiverViewSet, basename="caregiver")
    router.register("service-items", api.ServiceItemViewSet, basename="service-item")
    router.register("work-orders", api.WorkOrderViewSet, basename="work-order")
    router.register("auth-token", api.AuthTokenViewSet, basename="auth-token")
