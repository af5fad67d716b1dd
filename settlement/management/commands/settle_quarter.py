from django.core.management.base import BaseCommand, CommandError

from eldercare.errors import DomainError
from eldercare.models import Role, User
from eldercare.periods import Quarter
from settlement.services import quarter_prepare


class Command(BaseCommand):
    help = "Settle a quarter's funds from its locked months, e.g. `settle_quarter 2026Q4 --user finance`."

    def add_arguments(self, parser):
        parser.add_argument("quarter")
        parser.add_argument("--user", default="", help="finance user who prepares it (default: the first finance user)")

    def handle(self, *args, quarter, user, **options):
        users = User.objects.filter(is_active=True)
        if user:
            by = users.filter(username=user).first()
        else:
            by = users.filter(role_assignments__role=Role.FINANCE).order_by("pk").first()
        if by is None:
            raise CommandError(f"no user {user}")
        try:
            s = quarter_prepare(quarter=Quarter.parse(quarter), by=by)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"{s.label}: total {s.total}, district {s.district_share}, town {s.town_share}, "
            f"{s.lines.count()} lines, next quarter need {s.need_amount} for {s.need_people} people, "
            f"{len(s.differences)} differences with the ledger"
        )
        for d in s.differences:
            self.stdout.write(f"  {d['level']} {d['name']}: settlement {d['settlement']} ledger {d['ledger']}")
