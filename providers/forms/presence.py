"""Forms of presence at the door: the district's verification rules and the elder's home location."""

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

# A day: a wider window than this is no window at all.
MAX_WINDOW_MINUTES = 1440
MIN_GEOFENCE_METRES = 50
GEOFENCE_TOO_SMALL = _("The geofence radius is at least 50 metres: a phone's location is not finer.")
FACTOR_TOO_SMALL = _("The factor is at least 1: a visit is too long only beyond its item's standard minutes.")
# The home's coordinates are kept to six decimals (about 0.1 m), as the model stores them.
COORDINATE_STEP = Decimal("0.000001")


class VisitPolicyForm(forms.Form):
    """The district's layers of verification, each explained to whoever sets it."""

    early_minutes = forms.IntegerField(
        label=_("Check-in allowed before the booked start (minutes)"),
        min_value=0,
        max_value=MAX_WINDOW_MINUTES,
        help_text=_(
            "The time window: a check-in earlier than this opens an exception, and the visit is paid only "
            "once the provider's explanation is approved."
        ),
    )
    late_minutes = forms.IntegerField(
        label=_("Check-in allowed after the booked start (minutes)"),
        min_value=0,
        max_value=MAX_WINDOW_MINUTES,
        help_text=_("A check-in later than this after the booked start opens an exception too."),
    )
    use_location = forms.BooleanField(
        label=_("Compare the phone's location with the home"),
        required=False,
        help_text=_(
            "The place: only when the caregiver's phone gives its location is it compared with the elder's "
            "home. It is never required: a phone without location still checks in and out."
        ),
    )
    geofence_metres = forms.IntegerField(
        label=_("Geofence radius (metres)"),
        min_value=MIN_GEOFENCE_METRES,
        error_messages={"min_value": GEOFENCE_TOO_SMALL},
        help_text=_(
            "A check-in or check-out farther than this from the home opens an exception. At least 50 metres: "
            "a phone's location is not finer, indoors even less. The community locates each home on the "
            "elder's page; a home nobody located is taken from the first verified visit."
        ),
    )
    confirmation_required = forms.BooleanField(
        label=_("The elder confirms each visit"),
        required=False,
        help_text=_(
            "The elder's confirmation: at check-out the elder tells the caregiver the next one-time code from "
            "the back of the card (each code works once), or signs on the caregiver's phone. A visit without "
            "it opens an exception."
        ),
    )
    long_visit_factor = forms.DecimalField(
        label=_("A visit is too long beyond (× the item's standard minutes)"),
        min_value=1,
        max_digits=3,
        decimal_places=1,
        error_messages={"min_value": FACTOR_TOO_SMALL},
        help_text=_(
            "The length: a visit longer than this many times its item's standard minutes opens an exception "
            "(2 means twice as long)."
        ),
    )

    def __init__(self, *args, read_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if read_only:
            for field in self.fields.values():
                field.disabled = True


class CoordinateField(forms.DecimalField):
    """A latitude or longitude, rounded to the six decimals kept (a phone or a map gives more)."""

    def to_python(self, value):
        number = super().to_python(value)
        return None if number is None else number.quantize(COORDINATE_STEP, rounding=ROUND_HALF_UP)


class HomeLocationForm(forms.Form):
    lat = CoordinateField(
        label=_("Latitude"),
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        help_text=_("For example 32.428271 (north is positive)."),
    )
    lng = CoordinateField(
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        help_text=_(
            "For example 119.569962 (east is positive). Take it with the phone's location at the door: "
            "coordinates copied from a Chinese map app are offset by several hundred metres."
        ),
    )


class ReasonCodeForm(forms.Form):
    """A new reason a provider may give when correcting a held visit."""

    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Letters, digits, underscores and hyphens, for example no_signal. It cannot be changed later."),
    )
    name_zh = forms.CharField(label=_("Chinese name"), max_length=80)
    name_en = forms.CharField(label=_("English name"), max_length=80)
    note_required = forms.BooleanField(
        label=_("A note is required"),
        required=False,
        help_text=_("The provider must explain this reason in the correction's note."),
    )
