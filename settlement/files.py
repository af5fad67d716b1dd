"""Requesting, producing and storing report files (the Celery task only calls `report_produce`)."""

from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from eldercare.errors import Conflict, NotAllowed
from eldercare.models import Role, User
from eldercare.periods import Month, Quarter

from .models import QuarterSettlement, SettlementReport

REPORT_ROLES = (Role.FINANCE, Role.SUPERVISOR, Role.SYSADMIN)
EXTENSIONS = {
    SettlementReport.Kind.SETTLEMENT_PDF: "pdf",
    SettlementReport.Kind.SETTLEMENT_XLSX: "xlsx",
    SettlementReport.Kind.USAGE_XLSX: "xlsx",
    SettlementReport.Kind.CALLBACKS_XLSX: "xlsx",
}


def report_directory() -> Path:
    path = Path(settings.PRIVATE_MEDIA_ROOT) / "settlement"
    path.mkdir(parents=True, exist_ok=True)
    return path


@transaction.atomic
def report_request(*, quarter: Quarter, kind: str, by: User) -> SettlementReport:
    """Ask for a report file; a Celery task produces it once the request is committed."""
    if not (by.is_superuser or by.has_role(*REPORT_ROLES)):
        raise NotAllowed(_("Only finance and supervisors may produce settlement reports."))
    if kind in (SettlementReport.Kind.SETTLEMENT_PDF, SettlementReport.Kind.SETTLEMENT_XLSX):
        if not QuarterSettlement.objects.filter(quarter=quarter.first_day).exists():
            raise Conflict(_("Settle the quarter before producing its report."))
    report = SettlementReport.objects.create(quarter=quarter.first_day, kind=kind, requested_by=by)
    from .tasks import produce_report

    transaction.on_commit(lambda: produce_report.delay(report.pk))
    return report


def _progress(report: SettlementReport, status: str, progress: int, **fields) -> None:
    SettlementReport.objects.filter(pk=report.pk).update(status=status, progress=progress, **fields)


def report_produce(*, report_id: int) -> str:
    """Make the file of a report. Running it again on a finished report changes nothing."""
    from . import reports

    report = SettlementReport.objects.get(pk=report_id)
    if report.status == SettlementReport.Status.DONE and report.path and Path(report.path).exists():
        return report.path
    _progress(report, SettlementReport.Status.RUNNING, 10)
    quarter = Month.of(report.quarter).quarter
    try:
        with translation.override("zh-hans"):
            checksum = ""
            if report.kind in (SettlementReport.Kind.SETTLEMENT_PDF, SettlementReport.Kind.SETTLEMENT_XLSX):
                data = reports.quarter_report_data(QuarterSettlement.objects.get(quarter=report.quarter))
                checksum = data.checksum()
                _progress(report, SettlementReport.Status.RUNNING, 40)
                if report.kind == SettlementReport.Kind.SETTLEMENT_PDF:
                    content = reports.settlement_pdf(data)
                else:
                    content = reports.settlement_xlsx(data)
            elif report.kind == SettlementReport.Kind.USAGE_XLSX:
                content = reports.usage_xlsx(quarter)
            else:
                content = reports.callbacks_xlsx(quarter)
        _progress(report, SettlementReport.Status.RUNNING, 80)
        path = report_directory() / f"{quarter}-{report.kind}-{report.pk}.{EXTENSIONS[report.kind]}"
        path.write_bytes(content)
    except Exception as exc:
        _progress(report, SettlementReport.Status.FAILED, 100, error=str(exc)[:2000])
        raise
    _progress(report, SettlementReport.Status.DONE, 100, path=str(path), checksum=checksum)
    return str(path)
