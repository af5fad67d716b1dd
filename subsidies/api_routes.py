"""The subsidies app's API routes on the shared /api/v1/ router."""

from .api_applications import ApplicationViewSet, IntakeBatchViewSet, ObjectionViewSet


def register(router) -> None:
    router.register("applications", ApplicationViewSet, basename="application")
    router.register("objections", ObjectionViewSet, basename="objection")
    router.register("intake-batches", IntakeBatchViewSet, basename="intake-batch")
