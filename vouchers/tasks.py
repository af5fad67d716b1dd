"""Background work of the ledger."""

from celery import shared_task

from .services.snapshots import balances_snapshot


@shared_task(acks_late=True)
def snapshot_balances() -> int:
    """Snapshot the balance of every pooled account with entries since its latest snapshot (the
    lists read the snapshot plus the entries since). Idempotent; returns how many were written."""
    return balances_snapshot().accounts
