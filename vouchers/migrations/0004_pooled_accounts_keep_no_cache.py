"""Pooled accounts (funding, provider, external) no longer cache their balance: their balance is
the sum of their entries (see vouchers.models). The cached column of those accounts is set to 0,
which `check_ledger` now expects; going back recomputes it from the entries."""

from django.db import migrations

POOLED = ("funding", "provider", "external")


def forward(apps, schema_editor):
    Account = apps.get_model("vouchers", "Account")
    Account.objects.filter(kind__in=POOLED).update(balance=0)


def backward(apps, schema_editor):
    from django.db.models import OuterRef, Subquery, Sum, Value
    from django.db.models.functions import Coalesce

    Account = apps.get_model("vouchers", "Account")
    LedgerEntry = apps.get_model("vouchers", "LedgerEntry")
    total = (
        LedgerEntry.objects.filter(account=OuterRef("pk")).order_by().values("account").annotate(t=Sum("amount")).values("t")
    )
    Account.objects.filter(kind__in=POOLED).update(balance=Coalesce(Subquery(total), Value(0)))


class Migration(migrations.Migration):
    dependencies = [("vouchers", "0003_ledger_fewer_indexes")]

    operations = [migrations.RunPython(forward, backward)]
