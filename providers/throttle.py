"""Rate limits of check-in and check-out, for the phone pages and the API alike.

A typed short code and the elder's six-digit one-time code could be found by trying, so wrong codes
lock check-in and check-out after a handful of tries: per caregiver (whatever the visit) and per
work order (the code being guessed, from whichever account), at most `FAILURE_LIMIT` wrong codes
in a window of 15 minutes, then refused until the window ends. Every check request also counts
against `REQUEST_RATE` per caregiver, so that a script cannot hammer the endpoints.

The counters live in Django's default cache (Redis in production) through django-ratelimit's
fixed windows: each key's window ends at its own offset, so a lock lasts the rest of that window.
"""

import math
from collections.abc import Callable
from typing import TypeVar

from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage
from rest_framework import status

from eldercare.errors import DomainError

from .errors import WrongElder
from .models import WorkOrder
from .services.presence import WrongConfirmation
from .tokens import InvalidCard

# Wrong card or confirmation codes allowed in a window, per caregiver and per work order.
FAILURE_LIMIT = 5
FAILURE_RATE = (FAILURE_LIMIT, 15 * 60)
# Check-in and check-out requests a caregiver may send in a minute (retries included).
REQUEST_RATE = (60, 60)

# What counts as a guessed code: a code that is no card (or another elder's card), and a one-time
# code that is not on the card or already used. An expired or replaced card is a real card, and
# a refusal for any other reason (not assigned, already checked in) guesses nothing.
FAILURES = (InvalidCard, WrongElder, WrongConfirmation)

_FAILED_BY_USER = "providers.check.failed.user"
_FAILED_ON_ORDER = "providers.check.failed.order"
_REQUESTS = "providers.check.requests"

T = TypeVar("T")


class TooManyAttempts(DomainError):
    """Refused by a rate limit; `params["retry_after"]` is the number of seconds to wait."""

    http_status = status.HTTP_429_TOO_MANY_REQUESTS
    code = "too_many_attempts"

    @property
    def retry_after(self) -> int:
        return int(self.params.get("retry_after", 60))


def _usage(request, group: str, value: str, rate: tuple[int, int], *, increment: bool = False) -> dict | None:
    return get_usage(request, group=group, key=lambda _group, _request: value, rate=rate, increment=increment)


def _seconds_left(usage: dict) -> int:
    return max(usage["time_left"], 1)


def check_allowed(request, order: WorkOrder) -> None:
    """Count this check request and refuse it while a limit holds (raises TooManyAttempts)."""
    user_key = str(request.user.pk)
    usage = _usage(request, _REQUESTS, user_key, REQUEST_RATE, increment=True)
    if usage is not None and usage["should_limit"]:
        raise TooManyAttempts(
            _("Too many check-in and check-out requests: wait a minute and try again."),
            retry_after=_seconds_left(usage),
        )
    for group, value, message in (
        (
            _FAILED_BY_USER,
            user_key,
            _("Too many wrong card or confirmation codes: try again in %(n)d minutes."),
        ),
        (
            _FAILED_ON_ORDER,
            str(order.pk),
            _("Too many wrong codes were entered for this visit: try again in %(n)d minutes."),
        ),
    ):
        usage = _usage(request, group, value, FAILURE_RATE)
        # A count the cache could not give is reported as limit 0: refused (django-ratelimit
        # fails closed unless RATELIMIT_FAIL_OPEN is set).
        if usage is not None and usage["count"] >= usage["limit"]:
            seconds = _seconds_left(usage)
            raise TooManyAttempts(message % {"n": math.ceil(seconds / 60)}, retry_after=seconds)


def record_failure(request, order: WorkOrder) -> None:
    _usage(request, _FAILED_BY_USER, str(request.user.pk), FAILURE_RATE, increment=True)
    _usage(request, _FAILED_ON_ORDER, str(order.pk), FAILURE_RATE, increment=True)


def guarded(request, order: WorkOrder, service: Callable[..., T], **kwargs) -> T:
    """Run a check-in or check-out service for the request's user under the rate limits: refused
    while locked, and a wrong code counted against the caregiver and the work order."""
    check_allowed(request, order)
    try:
        return service(order=order, by=request.user, **kwargs)
    except FAILURES:
        record_failure(request, order)
        raise
