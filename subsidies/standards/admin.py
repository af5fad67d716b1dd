"""Admin registration of the policy and run models (imported from subsidies/admin.py)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from subsidies.standards.models import Grant, PolicyRow, PolicyVersion, RunRefusal, SubsidyRun


class PolicyRowInline(admin.TabularInline):
    model = PolicyRow
    extra = 0


@admin.register(PolicyVersion)
class PolicyVersionAdmin(SimpleHistoryAdmin):
    list_display = ("scheme", "name", "district", "effective_from", "effective_to", "district_percent", "town_percent")
    list_filter = ("scheme",)
    inlines = [PolicyRowInline]


@admin.register(SubsidyRun)
class SubsidyRunAdmin(admin.ModelAdmin):
    list_display = ("month", "status", "entitled", "granted", "already", "refused", "total", "progress", "finished_at")
    readonly_fields = [f.name for f in SubsidyRun._meta.fields]


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ("elder", "month", "amount", "district_share", "town_share", "reason", "recovery")
    list_filter = ("month",)
    raw_id_fields = ("elder", "entitlement", "transaction", "recovery", "community", "run")

    def has_change_permission(self, request, obj=None):
        return False  # append-only: corrections are compensating transactions

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RunRefusal)
class RunRefusalAdmin(admin.ModelAdmin):
    list_display = ("run", "elder", "reason", "detail")
    raw_id_fields = ("elder",)
