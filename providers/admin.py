from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Provider, ServiceAgreement


@admin.register(Provider)
class ProviderAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "licence_number", "status")
    list_filter = ("kind", "status")
    search_fields = ("name", "licence_number")
    filter_horizontal = ("streets",)


@admin.register(ServiceAgreement)
class ServiceAgreementAdmin(SimpleHistoryAdmin):
    list_display = ("elder", "provider", "signed_on", "ends_on")
    raw_id_fields = ("elder",)
