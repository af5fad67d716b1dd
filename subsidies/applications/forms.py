from django import forms
from django.utils.translation import gettext_lazy as _

from eldercare.forms import DateInput
from eldercare.models import DifficultyCategory
from subsidies.applications.models import CareSituation, MaterialType
from subsidies.standards.models import Scheme


class ApplicationFileForm(forms.Form):
    elder = forms.ModelChoiceField(queryset=None, label=_("elder"))
    scheme = forms.ModelChoiceField(queryset=Scheme.objects.all(), label=_("scheme"))
    categories = forms.MultipleChoiceField(
        choices=DifficultyCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("categories claimed"),
    )
    high_age = forms.BooleanField(required=False, label=_("high-age (80+) claimed"))
    care_situation = forms.ChoiceField(choices=CareSituation.choices, label=_("care situation"))
    applicant_note = forms.CharField(required=False, label=_("applicant or agent"), max_length=200)

    def __init__(self, *args, elders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["elder"].queryset = elders


class MaterialForm(forms.Form):
    material_type = forms.ChoiceField(choices=MaterialType.choices, label=_("material"))
    file = forms.FileField(label=_("file"), help_text=_("PDF, JPEG or PNG, at most 10 MB"))


class ActionForm(forms.Form):
    opinion = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("opinion"))
    starts_on = forms.DateField(required=False, label=_("public notice from"), widget=DateInput())
    ends_on = forms.DateField(
        required=False,
        label=_("public notice until"),
        widget=DateInput(),
    )
    investigation_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("home investigation notes")
    )


class ObjectionForm(forms.Form):
    received_on = forms.DateField(label=_("received on"), widget=DateInput())
    objector = forms.CharField(required=False, label=_("objector"), max_length=100)
    content = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("content"))


class ObjectionResolveForm(forms.Form):
    upheld = forms.TypedChoiceField(
        choices=[("0", _("Dismissed: the case continues")), ("1", _("Upheld: the case is rejected"))],
        coerce=lambda v: v == "1",
        label=_("decision"),
    )
    resolution = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("resolution"))


class AssessmentForm(forms.Form):
    assessed_on = forms.DateField(label=_("assessed on"), widget=DateInput())
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("notes"))

    def __init__(self, *args, instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for code, label, maximum in instrument.items:
            self.fields[f"score_{code}"] = forms.DecimalField(
                label=f"{label}（0–{maximum}）", min_value=0, max_value=maximum, decimal_places=2
            )

    def scores(self) -> dict:
        return {code: self.cleaned_data[f"score_{code}"] for code, _label, _max in self.instrument.items}


class BatchForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=60)
    opens_on = forms.DateField(label=_("opens on"), widget=DateInput())
    closes_on = forms.DateField(label=_("closes on"), widget=DateInput())


class BatchNoticeForm(forms.Form):
    community = forms.ModelChoiceField(queryset=None, label=_("community"))
    starts_on = forms.DateField(label=_("public notice from"), widget=DateInput())
    ends_on = forms.DateField(label=_("public notice until"), widget=DateInput())

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class AssessmentSlotForm(forms.Form):
    community = forms.ModelChoiceField(queryset=None, label=_("community"))
    on = forms.DateField(label=_("assessment date"), widget=DateInput())
    assessor = forms.ModelChoiceField(queryset=None, label=_("assessor"), required=False)
    place = forms.CharField(label=_("place"), max_length=120, required=False)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, communities, assessors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["assessor"].queryset = assessors
