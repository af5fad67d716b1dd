"""Producing and storing report files (the Celery task calls `report_produce`; a request is
`services.report_request`)."""

import datetime
import logging
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation

from eldercare.periods import Month

from . import reports
from .models import QuarterSettlement, SettlementReport

logger = logging.getLogger(__name__)

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


def _progress(report: SettlementReport, status: str, progress: int, **fields) -> None:
    SettlementReport.objects.filter(pk=report.pk).update(status=status, progress=progress, **fields)


def report_produce(*, report_id: int) -> str:
    """Make the file of a report. Running it again on a finished report changes nothing."""
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


def reports_sweep(*, limit: int = 20) -> int:
    """Produce the reports still waiting SWEEP_AFTER_MINUTES after they were asked for (their task
    was lost: the broker was down, the worker died). A report being produced or done is left alone;
    one that fails is marked failed by `report_produce`. Returns how many were produced."""
    since = timezone.now() - datetime.timedelta(minutes=settings.SWEEP_AFTER_MINUTES)
    waiting = SettlementReport.objects.filter(status=SettlementReport.Status.PENDING, created_at__lte=since)
    produced = 0
    for report_id in list(waiting.order_by("id").values_list("pk", flat=True)[:limit]):
        try:
            report_produce(report_id=report_id)
        except Exception:  # marked failed with its error on the report; the others go on
            logger.exception("Settlement report %s could not be produced", report_id)
            continue
        produced += 1
    return produced
