"""Pages of the daily check-in: the community's list with today's state and the enrolment, the
responsible person's missed check-ins, the elder's personal page (no login: the link's signed
token) and the text message webhook (a shared secret)."""

import hmac
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from eldercare.errors import DomainError
from eldercare.forms import add_service_errors
from outreach import selectors as outreach_selectors

from . import selectors, services, tokens
from .forms import ConfirmForm, EnrolForm
from .models import Channel, Checker

RECENT_CHECKINS = 14
SECRET_HEADER = "X-Checkin-Secret"  # noqa: S105 (the header's name, not a secret)


@login_required
def enrolments(request):
    """The community's enrolled elders with today's state: missed first, then waiting."""
    if not outreach_selectors.sees_whole_area(request.user):
        raise PermissionDenied
    return render(request, "outreach/checkins/list.html", {"rows": selectors.today_rows(user=request.user)})


@login_required
def enrol(request):
    if not outreach_selectors.sees_whole_area(request.user):
        raise PermissionDenied
    form = EnrolForm(
        request.POST or None,
        elders=selectors.enrollable_elders(user=request.user),
        initial={"checker": Checker.ELDER, "deadline": services.default_deadline()},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            enrolment = services.enrolment_create(
                elder=d["elder"],
                by=request.user,
                checker=d["checker"],
                checker_name=d["checker_name"],
                phone=d["phone"],
                deadline=d["deadline"],
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Enrolled in the daily check-in. Give the elder the link below."))
            return redirect("outreach_checkins:enrolment", enrolment.pk)
    return render(request, "outreach/checkins/enrol.html", {"form": form})


@login_required
def enrolment(request, pk: int):
    item = selectors.enrolment_get(user=request.user, pk=pk)
    link = ""
    if item.ended_at is None and services.may_enrol(request.user, item.elder):
        link = request.build_absolute_uri(reverse("outreach_checkins:page", args=[tokens.page_token(item)]))
    return render(
        request,
        "outreach/checkins/enrolment.html",
        {
            "enrolment": item,
            "link": link,
            "checkins": selectors.checkin_list(user=request.user, enrolment=item)[:RECENT_CHECKINS],
            "alerts": selectors.alert_list(user=request.user).filter(enrolment=item)[:RECENT_CHECKINS],
        },
    )


@login_required
@require_POST
def enrolment_reissue(request, pk: int):
    item = selectors.enrolment_get(user=request.user, pk=pk)
    try:
        services.link_reissue(enrolment=item, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("A new link was made; the old one no longer works."))
    return redirect("outreach_checkins:enrolment", item.pk)


@login_required
@require_POST
def enrolment_end(request, pk: int):
    item = selectors.enrolment_get(user=request.user, pk=pk)
    try:
        services.enrolment_end(enrolment=item, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Enrolment ended."))
    return redirect("outreach_checkins:list")


@login_required
def alerts(request):
    """The missed check-ins the user must follow up (a responsible person: their households)."""
    return render(
        request,
        "outreach/checkins/alerts.html",
        {
            "open": list(selectors.alert_list(user=request.user, open_only=True)),
            "done": list(selectors.alert_list(user=request.user, open_only=False)[:20]),
        },
    )


@login_required
def alert(request, pk: int):
    item = selectors.alert_get(user=request.user, pk=pk)
    form = ConfirmForm(request.POST or None) if item.resolved_at is None else None
    if request.method == "POST":
        if form is None:
            messages.error(request, _("This missed check-in has already been confirmed."))
            return redirect("outreach_checkins:alerts")
        if form.is_valid():
            try:
                services.alert_confirm(
                    alert=item, by=request.user, how=form.cleaned_data["how"], note=form.cleaned_data["note"]
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Confirmed."))
                return redirect("outreach_checkins:alerts")
    return render(request, "outreach/checkins/alert.html", {"alert": item, "form": form})


def page(request, token: str):
    """The elder's personal page, no login: one big button. A bad or revoked link finds nothing."""
    item = tokens.enrolment_for_token(token)
    if item is None:
        raise Http404
    if request.method == "POST":
        services.checkin_record(enrolment=item, channel=Channel.PAGE)
        return redirect("outreach_checkins:page", token)
    today = timezone.localdate()
    checkin = item.checkins.filter(day=today).first()
    return render(request, "outreach/checkins/page.html", {"enrolment": item, "checkin": checkin, "token": token})


def _secret_ok(request) -> bool:
    expected = getattr(settings, "OUTREACH_CHECKIN_SMS_SECRET", "")
    given = request.headers.get(SECRET_HEADER, "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


@csrf_exempt
@require_POST
def sms_webhook(request):
    """The SMS provider posts each reply (phone, text) with the shared secret in a header; any
    reply from an enrolled phone is the day's check-in."""
    if not _secret_ok(request):
        return JsonResponse({"detail": "forbidden"}, status=403)
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return JsonResponse({"detail": "invalid JSON"}, status=400)
    else:
        body = request.POST
    phone, text = str(body.get("phone", "")).strip(), str(body.get("text", ""))
    if not phone:
        return JsonResponse({"detail": "phone is required"}, status=400)
    recorded = services.sms_reply_receive(phone=phone, text=text)
    return JsonResponse({"recorded": len(recorded)})
