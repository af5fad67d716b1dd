from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from subsidies.applications.models import (
    Application,
    ApplicationEvent,
    AssessmentInstrument,
    DecisionNotice,
    InstrumentLevel,
    IntakeBatch,
    Material,
    Objection,
    RequiredMaterial,
)


@admin.register(IntakeBatch)
class IntakeBatchAdmin(admin.ModelAdmin):
    list_display = ("name", "district", "opens_on", "closes_on", "status")
    list_filter = ("status",)


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_status", "to_status", "by", "at", "opinion")


@admin.register(Application)
class ApplicationAdmin(SimpleHistoryAdmin):
    """Read-only: the status only changes through the review workflow's pages. Never deleted (the
    database refuses it too): a case that goes no further is withdrawn or rejected."""

    list_display = ("elder", "community", "scheme", "batch", "status", "deadline")
    list_filter = ("status", "batch", "scheme")
    search_fields = ("elder__name",)
    inlines = [EventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(admin.ModelAdmin):
    """Append-only (the database refuses UPDATE and DELETE): events are written by the review."""

    list_display = ("application", "action", "from_status", "to_status", "by", "at")
    list_filter = ("action",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RequiredMaterial)
class RequiredMaterialAdmin(admin.ModelAdmin):
    list_display = ("condition", "material_type")


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ("application", "material_type", "original_name", "content_type", "size", "created_at")
    exclude = ("file",)


@admin.register(Objection)
class ObjectionAdmin(SimpleHistoryAdmin):
    list_display = ("application", "received_on", "objector", "status")
    list_filter = ("status",)


class InstrumentLevelInline(admin.TabularInline):
    model = InstrumentLevel
    extra = 0


@admin.register(AssessmentInstrument)
class AssessmentInstrumentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_default")
    inlines = [InstrumentLevelInline]


@admin.register(DecisionNotice)
class DecisionNoticeAdmin(admin.ModelAdmin):
    list_display = ("application", "kind", "generated_at")
    exclude = ("file",)
