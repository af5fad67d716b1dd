"""The voucher ledger: accounts and an append-only, double-entry journal.

A balance is the sum of the account's entries. An elder's SUBSIDY and PERSONAL accounts cache it
in `Account.balance` (they must never go below zero, which the database checks on that column)
and `check_ledger` verifies the cache. Pooled accounts (FUNDING, PROVIDER, EXTERNAL) keep no cache
(the column stays 0): they are touched by many elders' transactions at once, and a cached balance
would make every redemption of a provider queue on its one row. Their balance is the latest
`BalanceSnapshot` plus the entries written since (snapshots are taken after the monthly run, after
settlement and every night), so no page sums a funding account's whole history. Read any balance
as `Account.current_balance` (annotated in lists by `vouchers.selectors.with_ledger_balance`).
Entries are never updated or deleted: a mistake is corrected by a compensating transaction
(`reverses`).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField
from simple_history.models import HistoricalRecords

from eldercare.models import Division, Elder, TimeStampedModel
from eldercare.money import cny


class Account(TimeStampedModel):
    """An account of the ledger (see the module docstring for which kinds cache their balance)."""

    class Kind(models.TextChoices):
        SUBSIDY = "subsidy", _("Subsidy account")
        PERSONAL = "personal", _("Personal account")
        FUNDING = "funding", _("Funding account")  # a government level's subsidy budget (may go negative)
        PROVIDER = "provider", _("Provider account")  # what the platform owes a provider
        EXTERNAL = "external", _("External money")  # cash in and refunds out (may go negative)

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        FROZEN = "frozen", _("Frozen")
        ARCHIVED = "archived", _("Archived")

    class Cause(models.TextChoices):
        """Why an account is frozen or archived; the refusal of a credit or a payment says it."""

        DECEASED = "deceased", _("Deceased")
        MOVED = "moved", _("Moved away")
        CANCELLED = "cancelled", _("Cancelled")
        FRAUD = "fraud", _("Voucher fraud")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The owner foreign keys have no plain index: the partial unique indexes (owner, kind) below
    # serve every look-up by owner, and one index fewer per account counts at 300,000 elders.
    elder = models.ForeignKey(
        Elder,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
        verbose_name=_("elder"),
        db_index=False,
    )
    provider = models.ForeignKey(
        "providers.Provider",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
        verbose_name=_("provider"),
        db_index=False,
    )
    division = models.ForeignKey(
        Division,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
        verbose_name=_("division"),
        db_index=False,
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    status_cause = models.CharField(_("status cause"), max_length=10, choices=Cause.choices, blank=True)
    status_reason = models.TextField(_("status reason"), blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    balance = MoneyField(_("balance"), max_digits=14, decimal_places=2, default_currency="CNY", default=0)
    history = HistoricalRecords()

    @property
    def caches_balance(self) -> bool:
        return self.kind in CACHED_KINDS

    @property
    def current_balance(self):
        """The balance whatever the kind: the cached column, or the sum of the entries of a pooled
        account (the `ledger_balance` annotation of `selectors.with_ledger_balance` when present,
        else one aggregate)."""
        if self.kind in CACHED_KINDS:
            return self.balance
        annotated = getattr(self, "ledger_balance", None)
        if annotated is None:
            snapshot = self.snapshots.order_by("-through_entry").first()
            since = snapshot.through_entry if snapshot else 0
            annotated = (snapshot.balance.amount if snapshot else Decimal("0")) + (
                self.entries.filter(pk__gt=since).aggregate(total=Sum("amount"))["total"] or Decimal("0")
            )
        return cny(annotated)

    class Meta:
        ordering = ["id"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        indexes = [
            # A list of one kind (the funding or provider accounts among 600,000 elders' accounts)
            # in id order, without reading the others.
            models.Index(fields=["kind", "id"], name="account_kind_id"),
            # The frozen accounts (the continuity report's first reason): a handful among millions.
            models.Index(fields=["elder"], condition=Q(status="frozen"), name="account_frozen_elder"),
        ]
        constraints = [
            # An elder's accounts can never be overdrawn: the database refuses it, not only the code.
            models.CheckConstraint(
                condition=~Q(kind__in=["subsidy", "personal"]) | Q(balance__gte=0), name="elder_account_not_negative"
            ),
            models.UniqueConstraint(
                fields=["elder", "kind"], condition=Q(elder__isnull=False), name="one_account_per_elder_kind"
            ),
            models.UniqueConstraint(
                fields=["provider", "kind"], condition=Q(provider__isnull=False), name="one_account_per_provider_kind"
            ),
            models.UniqueConstraint(
                fields=["division", "kind"], condition=Q(division__isnull=False), name="one_account_per_division_kind"
            ),
        ]

    def __str__(self) -> str:
        owner = self.elder or self.provider or self.division or ""
        return f"{self.get_kind_display()} {owner}"


# The kinds whose `balance` column is maintained (an elder's own money, never negative).
CACHED_KINDS = (Account.Kind.SUBSIDY, Account.Kind.PERSONAL)
POOLED_KINDS = (Account.Kind.FUNDING, Account.Kind.PROVIDER, Account.Kind.EXTERNAL)


class LedgerTransaction(models.Model):
    """One business event; its entries sum to zero."""

    class Kind(models.TextChoices):
        GRANT = "grant", _("Monthly grant")
        REDEMPTION = "redemption", _("Redemption")
        COPAY = "copay", _("Co-pay")
        REVERSAL = "reversal", _("Reversal")
        REFUND = "refund", _("Refund")
        FRAUD_REPAYMENT = "fraud_repayment", _("Fraud repayment")
        ADJUSTMENT = "adjustment", _("Adjustment")
        DEPOSIT = "deposit", _("Deposit")

    # Indexes are few on purpose: the monthly run inserts ~300,000 transactions at once and every
    # index costs write time and WAL. Kept: the primary key, the unique idempotency key (a
    # constraint, not `unique=True`, so PostgreSQL builds no second `varchar_pattern_ops` index
    # for LIKE, which nothing uses), the partial unique index on `reverses` (it also serves the
    # look-up "is this transaction reversed?"), and on PostgreSQL a BRIN index on `created_at`
    # (migration 0003: tiny, because transactions are appended in time order) for the admin's
    # date drill-down. Not indexed: `reference` and `month` (no selector filters on them alone;
    # the yearly cap filters entries by account first), `created_by` (only deleting a user would
    # look it up).
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    idempotency_key = models.CharField(_("idempotency key"), max_length=120)
    # The canonical text of what the request asked for (kind, accounts, amounts); a replay of the
    # same key must carry the same fingerprint, otherwise it is refused.
    fingerprint = models.CharField(max_length=255)
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    reverses = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
        verbose_name=_("reverses"),
        db_index=False,
    )
    month = models.DateField(_("month"), null=True, blank=True)
    # The day the money belongs to, apart from when it was written (`created_at`): the first day
    # of the month a grant is for, the day a visit was served, the day a deposit was received or
    # a correction was made. Statements place entries by it.
    business_date = models.DateField(_("business date"))
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
        db_index=False,
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="ledger_idempotency_key_unique"),
            # A transaction is reversed at most once, whatever the code does.
            models.UniqueConstraint(
                fields=["reverses"], condition=Q(reverses__isnull=False), name="ledger_reversed_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"


class LedgerEntry(models.Model):
    """A signed amount on one account: positive adds to its balance, negative takes from it."""

    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries", verbose_name=_("transaction")
    )
    # No index of its own: the (account, created_at) index below serves every look-up by account.
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="entries", verbose_name=_("account"), db_index=False
    )
    amount = MoneyField(_("amount"), max_digits=14, decimal_places=2, default_currency="CNY")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [
            models.Index(fields=["account", "created_at"]),
            # The entries of a pooled account since its latest snapshot (`BalanceSnapshot`).
            models.Index(fields=["account", "id"], name="ledger_entry_account_since"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.amount}"


class BalanceSnapshot(models.Model):
    """The balance of a pooled account (funding, provider, external) counting its entries up to
    `through_entry` (every entry of the ledger with a lower id was committed when it was taken).
    Its balance is this snapshot plus the account's entries with a higher id.

    Written set-based by `vouchers.services.snapshots.balances_snapshot` (after the monthly run,
    after settlement, every night) for each pooled account with entries since its latest snapshot;
    append-only, and `check_ledger` verifies each one against the entries."""

    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="snapshots", verbose_name=_("account"), db_index=False
    )
    through_entry = models.BigIntegerField(_("through entry"))
    balance = MoneyField(_("balance"), max_digits=14, decimal_places=2, default_currency="CNY")
    entries = models.PositiveIntegerField(_("entries since the previous snapshot"))
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["account_id", "-through_entry"]
        verbose_name = _("balance snapshot")
        verbose_name_plural = _("balance snapshots")
        constraints = [
            # Also the look-up of an account's latest snapshot (read backwards).
            models.UniqueConstraint(fields=["account", "through_entry"], name="balance_snapshot_once"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.balance} @{self.through_entry}"


class AccountEvent(models.Model):
    """One move of an account's status (freeze, unfreeze, archive): who, when, from, to and why."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="events", verbose_name=_("account"))
    from_status = models.CharField(_("from"), max_length=10, choices=Account.Status.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=Account.Status.choices)
    cause = models.CharField(_("cause"), max_length=10, choices=Account.Cause.choices, blank=True)
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("account status change")
        verbose_name_plural = _("account status changes")

    def __str__(self) -> str:
        return f"{self.account} {self.from_status} → {self.to_status}"
