"""The Monday digest: one in-app notice a week for each user with something overdue, naming every
kind of it. Each app registers, in its AppConfig.ready(), a collector of the user's overdue items;
this module, the lowest layer, only gathers the sections and sends the notice.

A collector is `collector(*, user, day) -> [(section title, lines)]`, the lines being the items
overdue on `day` that it is the user's turn to act on (the same selectors as the work list's
panels); a section without lines is left out."""

import datetime
from collections.abc import Callable

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import User
from .services import notification_send

Section = tuple[str, list[str]]
Collector = Callable[..., list[Section]]

# At most this many lines of each section; the rest is counted.
SECTION_LINES = 10

_collectors: list[Collector] = []


def register(collector: Collector) -> None:
    """Add an app's collector (registering the same one twice keeps one)."""
    if collector not in _collectors:
        _collectors.append(collector)


def digest_key(day: datetime.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"overdue-digest:{year}-W{week:02d}"


def digest_sections(*, user: User, day: datetime.date) -> list[Section]:
    """What is overdue for the user on `day`, by section, in the order the apps registered."""
    return [(title, lines) for collect in _collectors for title, lines in collect(user=user, day=day) if lines]


def digest_message(sections: list[Section]) -> str:
    out = [_("Overdue this week:")]
    for title, lines in sections:
        out.append(f"【{title}】 " + _("%(n)d in all") % {"n": len(lines)})
        out.extend(lines[:SECTION_LINES])
        if len(lines) > SECTION_LINES:
            out.append(_("… and %(n)d more.") % {"n": len(lines) - SECTION_LINES})
    return "\n".join(out)


def overdue_digests_send(*, on: datetime.date | None = None) -> int:
    """Each user's digest of everything overdue, in the app and by mail; once a week (ISO week)
    however often it runs. Returns the digests sent."""
    day = on or timezone.localdate()
    key = digest_key(day)
    sent = 0
    users = User.objects.filter(is_active=True, role_assignments__isnull=False).exclude(notifications__dedupe_key=key)
    for user in users.distinct().order_by("pk"):
        sections = digest_sections(user=user, day=day)
        if not sections:
            continue
        notification_send(user=user, message=digest_message(sections), url=reverse("home"), dedupe_key=key)
        sent += 1
    return sent
