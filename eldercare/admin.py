from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    CalendarDay,
    CalendarYear,
    Division,
    Elder,
    ElderCategory,
    Notification,
    RevealLog,
    Role,
    RoleAssignment,
    User,
)

admin.site.site_header = _("Home-care subsidy platform administration")
admin.site.site_title = _("Home-care subsidy platform")


def _system_administrator_only(request) -> bool:
    """The admin is the system administrator's repair shop: no other role's work goes through it,
    whatever its staff flag says."""
    user = request.user
    return bool(user.is_active and user.is_staff and (user.is_superuser or user.has_role(Role.SYSADMIN)))


admin.site.has_permission = _system_administrator_only  # type: ignore[method-assign]


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "rural")
    list_filter = ("level", "rural")
    search_fields = ("code", "name")


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ("division",)


@admin.register(User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ("username", "full_name", "is_active", "is_staff")
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Profile"), {"fields": ("full_name", "phone")}))


class ElderCategoryInline(admin.TabularInline):
    model = ElderCategory
    extra = 0


@admin.register(Elder)
class ElderAdmin(SimpleHistoryAdmin):
    """The admin shows masked numbers; full numbers are revealed (and logged) on the elder page."""

    list_display = ("name", "gender", "id_masked", "community", "life_status")
    list_filter = ("life_status", "community__parent")
    search_fields = ("name", "id_masked")
    inlines = [ElderCategoryInline]
    exclude = ("id_number", "phone", "agent_phone")
    readonly_fields = ("id_masked", "birth_date", "phone_masked", "agent_phone_masked", "disqualified_at")


@admin.register(RevealLog)
class RevealLogAdmin(admin.ModelAdmin):
    """Append-only (the database refuses UPDATE and DELETE): the trail of who saw what."""

    list_display = ("created_at", "user", "elder", "field", "reason", "note")
    list_filter = ("reason", "field")
    readonly_fields = ("created_at", "user", "elder", "field", "reason", "note", "for_type", "for_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "message", "read_at")


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 5


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "note")
    inlines = [CalendarDayInline]
