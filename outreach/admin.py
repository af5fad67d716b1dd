from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Contact, EmergencyContact, EmergencyResponse, Escalation, ResponsiblePerson, VulnerabilityProfile


class EmergencyContactInline(admin.TabularInline):
    model = EmergencyContact
    extra = 0
    fields = ["name", "relation", "phone_masked"]
    readonly_fields = ["phone_masked"]


@admin.register(VulnerabilityProfile)
class VulnerabilityProfileAdmin(SimpleHistoryAdmin):
    list_display = ["elder", "risk_level", "living_arrangement", "screened_on", "screened_by"]
    list_filter = ["risk_level", "care_need"]
    raw_id_fields = ["elder", "screened_by"]
    readonly_fields = ["risk_level"]
    inlines = [EmergencyContactInline]


@admin.register(ResponsiblePerson)
class ResponsiblePersonAdmin(SimpleHistoryAdmin):
    list_display = ["elder", "duty", "kind", "user", "name", "phone_masked", "starts_on", "ends_on"]
    list_filter = ["duty", "kind"]
    raw_id_fields = ["elder", "user", "assigned_by"]
    exclude = ["phone"]
    readonly_fields = ["phone_masked"]


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Responses, contacts and escalations are written by the services only: the admin reads them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EmergencyResponse)
class EmergencyResponseAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "district", "starts_on", "ends_on", "temperature_required", "ended_at"]
    list_filter = ["kind"]


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ["elder", "response", "at", "method", "result", "temperature", "by"]
    list_filter = ["result", "method"]


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ["elder", "community", "reason", "deadline", "closed_at", "closed_by"]
    list_filter = ["reason"]
