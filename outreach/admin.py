from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import EmergencyContact, ResponsiblePerson, VulnerabilityProfile


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
