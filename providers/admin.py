from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import models as m


class ContractInline(admin.TabularInline):
    model = m.Contract
    extra = 0
    fk_name = "provider"


class ReadOnlyInline(admin.TabularInline):
    """Rows of an append-only record: shown, never added, changed or removed here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StatusEventInline(ReadOnlyInline):
    model = m.ProviderStatusEvent
    readonly_fields = ("from_status", "to_status", "reason", "by", "created_at")


@admin.register(m.Provider)
class ProviderAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "licence_number", "status")
    list_filter = ("kind", "status")
    search_fields = ("name", "licence_number")
    filter_horizontal = ("streets",)
    inlines = [ContractInline, StatusEventInline]


@admin.register(m.ServiceAgreement)
class ServiceAgreementAdmin(SimpleHistoryAdmin):
    list_display = ("elder", "provider", "signed_on", "ends_on")
    raw_id_fields = ("elder",)


class CertificateInline(admin.TabularInline):
    model = m.Certificate
    extra = 0


@admin.register(m.Caregiver)
class CaregiverAdmin(SimpleHistoryAdmin):
    """The admin shows the masked phone; the provider admin reveals it (logged) on the caregiver's page."""

    list_display = ("name", "staff_number", "provider", "phone_masked", "trained_on", "active")
    list_filter = ("provider", "active")
    search_fields = ("name", "staff_number")
    raw_id_fields = ("user",)
    exclude = ("phone",)
    readonly_fields = ("phone_masked",)
    inlines = [CertificateInline]


@admin.register(m.CaregiverRevealLog)
class CaregiverRevealLogAdmin(admin.ModelAdmin):
    """Append-only (the database refuses UPDATE and DELETE): who saw a caregiver's phone and why."""

    list_display = ("created_at", "user", "caregiver", "reason", "note")
    list_filter = ("reason",)
    readonly_fields = ("created_at", "user", "caregiver", "reason", "note")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(m.ServiceItem)
class ServiceItemAdmin(SimpleHistoryAdmin):
    list_display = ("name", "provider", "kind", "price", "minutes", "certificate_kind", "active")
    list_filter = ("provider", "kind")


@admin.register(m.ServicePackage)
class ServicePackageAdmin(admin.ModelAdmin):
    list_display = ("name", "provider", "price", "active")
    filter_horizontal = ("items",)


class WorkOrderEventInline(ReadOnlyInline):
    model = m.WorkOrderEvent
    readonly_fields = ("from_status", "to_status", "note", "by", "created_at")


@admin.register(m.WorkOrder)
class WorkOrderAdmin(SimpleHistoryAdmin):
    list_display = ("id", "elder", "provider", "item", "scheduled_at", "caregiver", "status", "overlap_flagged")
    list_filter = ("status", "provider", "overlap_flagged")
    raw_id_fields = ("elder", "item", "caregiver", "redemption", "reversal", "reservice_of", "booked_by")
    inlines = [WorkOrderEventInline]

    def has_change_permission(self, request, obj=None):
        return False  # orders move only through their workflow


class AppendOnlyAdmin(admin.ModelAdmin):
    """Append-only records (the database refuses to change or remove them too): viewable, and
    written only by the product's own flows."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for model in (
    m.WorkOrderEvent,
    m.ProviderStatusEvent,
    m.Callback,
    m.RectificationStep,
    m.CardIssue,
    m.VisitCorrection,
):
    admin.site.register(model, AppendOnlyAdmin)


for model in (
    m.Contract,
    m.QuarterlyAssessment,
    m.Certificate,
    m.ElderCard,
    m.CheckRequest,
    m.DistrictSample,
    m.CommunityContact,
    m.SatisfactionSurvey,
    m.Rectification,
):
    admin.site.register(model)
