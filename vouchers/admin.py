"""The ledger in the admin is read-only: money moves only through the services."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Account, AccountEvent, LedgerEntry, LedgerTransaction
from .selectors import with_ledger_balance


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("id", "kind", "elder", "provider", "division", "current_balance", "status", "status_cause")
    list_filter = ("kind", "status", "status_cause")
    search_fields = ("elder__name", "provider__name", "division__name")
    raw_id_fields = ("elder", "provider", "division")

    def get_queryset(self, request):
        return with_ledger_balance(super().get_queryset(request))

    @admin.display(description=_("balance"))
    def current_balance(self, obj):
        return obj.current_balance


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    extra = 0
    can_delete = False
    fields = ("account", "amount", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "kind", "reference", "month", "reverses", "created_by")
    list_filter = ("kind", "month")
    search_fields = ("idempotency_key", "reference")
    inlines = [LedgerEntryInline]
    date_hierarchy = "created_at"


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "transaction", "account", "amount")
    list_filter = ("account__kind",)
    raw_id_fields = ("transaction", "account")


@admin.register(AccountEvent)
class AccountEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "account", "from_status", "to_status", "cause", "reason", "by")
    list_filter = ("to_status", "cause")
