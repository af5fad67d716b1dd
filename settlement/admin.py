"""Read-only admin of the settlement: its figures change only through the services."""

from django.contrib import admin

from .models import (
    MonthLine,
    QuarterEvent,
    QuarterLine,
    QuarterNeed,
    QuarterSettlement,
    ServiceMonth,
    SettlementReport,
    TownConfirmation,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceMonth)
class ServiceMonthAdmin(ReadOnly):
    list_display = ("month", "status", "locked_at")


@admin.register(TownConfirmation)
class TownConfirmationAdmin(ReadOnly):
    list_display = ("service_month", "street", "total", "visits", "by", "created_at")


@admin.register(MonthLine)
class MonthLineAdmin(ReadOnly):
    list_display = ("service_month", "kind", "provider", "community", "visits", "total", "corrects_month")
    list_filter = ("kind", "service_month")
    raw_id_fields = ("corrects", "reversal", "work_order")


@admin.register(QuarterSettlement)
class QuarterSettlementAdmin(ReadOnly):
    list_display = ("quarter", "status", "total", "district_share", "town_share", "prepared_by", "approved_by")


@admin.register(QuarterLine)
class QuarterLineAdmin(ReadOnly):
    list_display = ("settlement", "provider", "street", "total", "district_share", "town_share")


@admin.register(QuarterNeed)
class QuarterNeedAdmin(ReadOnly):
    list_display = ("settlement", "community", "standard", "people", "amount")


@admin.register(QuarterEvent)
class QuarterEventAdmin(ReadOnly):
    list_display = ("settlement", "from_status", "to_status", "by", "created_at")


@admin.register(SettlementReport)
class SettlementReportAdmin(ReadOnly):
    list_display = ("quarter", "kind", "status", "progress", "requested_by", "created_at")
