"""A death or a move away: reported by anyone who learns of it, verified by the community."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eldercare.errors import DomainError
from eldercare.forms import DateInput
from eldercare.models import LifeStatus, Role
from eldercare.selectors import elder_get

from ..services.life_events import VERIFIERS, life_event_report, life_event_verify

# --- a death or a move away (reported by anyone who learns of it, verified by the community) -----

REPORTERS = (*VERIFIERS, Role.PROVIDER_ADMIN, Role.CAREGIVER)


class LifeEventForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("event"),
        choices=[(LifeStatus.DECEASED, LifeStatus.DECEASED.label), (LifeStatus.MOVED, LifeStatus.MOVED.label)],
    )
    on = forms.DateField(label=gettext_lazy("date"), widget=DateInput)
    note = forms.CharField(label=gettext_lazy("note"), required=False, max_length=200)


@login_required
def life_event(request, pk):
    """Verifiers confirm (everything follows at once); provider staff report for verification."""
    user = request.user
    if not (user.is_superuser or user.has_role(*REPORTERS)):
        raise PermissionDenied
    elder = elder_get(user=user, pk=pk)
    verifies = user.is_superuser or user.has_role(*VERIFIERS)
    form = LifeEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if verifies:
                result = life_event_verify(
                    elder=elder, status=data["status"], on=data["on"], by=user, note=data["note"]
                )
                messages.success(
                    request,
                    _(
                        "Recorded. Entitlement ended: %(ended)s; grants recovered: %(grants)d; "
                        "visits cancelled: %(orders)d; the accounts are frozen."
                    )
                    % {
                        "ended": _("yes") if result.entitlement_ended else _("no"),
                        "grants": result.grants_recovered,
                        "orders": result.orders_cancelled,
                    },
                )
            else:
                count = life_event_report(elder=elder, status=data["status"], on=data["on"], by=user, note=data["note"])
                messages.success(request, _("Reported; %(n)d community worker(s) asked to verify.") % {"n": count})
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(elder)
    return render(request, "subsidies/life_event.html", {"elder": elder, "form": form, "verifies": verifies})
