from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eldercare.forms import DateInput
from eldercare.models import User
from eldercare.pickers import ElderChoiceField
from outreach.models import EmergencyResponse
from providers.models import Provider

from . import continuity, selectors
from .models import Category, PlaceKind, Severity, UnitKind

STATUS_CHOICES = [
    ("", _("All")),
    (selectors.OPEN, _("To correct")),
    (selectors.OVERDUE, _("Overdue")),
    (selectors.CORRECTED, _("Corrected, to verify")),
    (selectors.CLOSED, _("Closed")),
]
TODO_CHOICES = [
    ("", "—"),
    (selectors.TO_CORRECT, _("Problems to correct")),
    (selectors.TO_VERIFY, _("Corrections to verify")),
]


class ProblemFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    todo = forms.ChoiceField(label=_("To do"), choices=TODO_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget.attrs["class"] = "form-select"


class InspectionForm(forms.Form):
    """An inspection typed on a phone at the place inspected."""

    inspected_on = forms.DateField(label=_("inspected on"), widget=DateInput())
    place_kind = forms.ChoiceField(label=_("place inspected"), choices=PlaceKind.choices, widget=forms.RadioSelect)
    community = forms.ModelChoiceField(label=_("Community"), queryset=None, required=False)
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Provider.objects.none(), required=False)
    response = forms.ModelChoiceField(
        label=_("emergency response"), queryset=EmergencyResponse.objects.none(), required=False
    )
    findings = forms.CharField(label=_("findings"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user: User, **kwargs):
        kwargs.setdefault("initial", {"inspected_on": timezone.localdate(), "place_kind": PlaceKind.COMMUNITY})
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = selectors.inspectable_communities(user)
        self.fields["provider"].queryset = selectors.inspectable_providers(user)
        self.fields["response"].queryset = selectors.responses_for(user)
        elder = ElderChoiceField(user=user, required=False, label=_("Household (elder)"))
        elder.queryset = elder.queryset.filter(community__in=selectors.inspectable_communities(user))
        self.fields["elder"] = elder
        self.order_fields(["inspected_on", "place_kind", "community", "provider", "elder", "response", "findings"])

    def add_service_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)


class ProblemForm(forms.Form):
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices, widget=forms.RadioSelect)
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 3}))
    unit_kind = forms.ChoiceField(label=_("unit responsible"), choices=UnitKind.choices, widget=forms.RadioSelect)
    unit_community = forms.ModelChoiceField(label=_("community responsible"), queryset=None, required=False)
    unit_provider = forms.ModelChoiceField(
        label=_("provider responsible"), queryset=Provider.objects.none(), required=False
    )
    deadline = forms.DateField(
        label=_("correct by"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: 3 days for a serious problem, 7 for a major one, 15 for a minor one."),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_community"].queryset = selectors.inspectable_communities(user)
        self.fields["unit_provider"].queryset = selectors.inspectable_providers(user)

    def add_service_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)


class CorrectionForm(forms.Form):
    action_taken = forms.CharField(label=_("what was done"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.CharField(
        label=_("evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Photos taken, records kept, who can confirm it."),
    )


class VerifyForm(forms.Form):
    DECISIONS = [("verify", _("Corrected: close the problem")), ("reopen", _("Not corrected: reopen"))]
    decision = forms.ChoiceField(label=_("decision"), choices=DECISIONS, widget=forms.RadioSelect)
    note = forms.CharField(label=_("opinion"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label=_("new deadline"), required=False, widget=DateInput())


class ContinuityFilterForm(forms.Form):
    response = forms.ChoiceField(label=_("emergency response"), required=False)
    community = forms.ChoiceField(label=_("Community"), required=False)
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", _("All")), *continuity.REASONS.items()], required=False)

    def __init__(self, *args, responses=(), communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["response"].choices = [(r.pk, r.name) for r in responses]
        self.fields["community"].choices = [("", _("All")), *((c.pk, c.name) for c in communities)]
        for f in self.fields.values():
            f.widget.attrs["class"] = "form-select"
