"""An elder's accounts through their life: frozen, unfrozen, cancelled with a refund, and fraud
(repayment, frozen accounts, lifetime disqualification)."""

import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from eldercare.errors import NotAllowed, ValidationFailed
from eldercare.models import Elder, Role, User
from eldercare.money import round_cny
from eldercare.periods import Month
from eldercare.scoping import scope_for
from eldercare.workflow import Move, Workflow, transition

from ..errors import (
    AccountFrozen,
    ElderDisqualified,
    InvalidAmount,
)
from ..models import Account, AccountEvent, LedgerTransaction
from .ledger import (
    ELDER_KINDS,
    _existing,
    _lock,
    _post,
    account_for_elder,
    funding_account,
)

# Who may move an account's status; jurisdiction is checked on top (the elder's community).
FREEZE_ROLES = (Role.COMMUNITY_WORKER, Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER, Role.SYSADMIN)
CANCEL_ROLES = (Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER, Role.SYSADMIN)
DISTRICT_ROLES = (Role.DISTRICT_REVIEWER, Role.SYSADMIN)

# The account workflow: (from, to) -> roles allowed to make the move.
ACCOUNT_WORKFLOW = Workflow(
    [
        Move(Account.Status.ACTIVE, Account.Status.FROZEN, frozenset(FREEZE_ROLES)),
        Move(Account.Status.FROZEN, Account.Status.ACTIVE, frozenset(DISTRICT_ROLES)),
        Move(Account.Status.ACTIVE, Account.Status.ARCHIVED, frozenset(CANCEL_ROLES)),
        Move(Account.Status.FROZEN, Account.Status.ARCHIVED, frozenset(CANCEL_ROLES)),
    ]
)


# --------------------------------------------------------------------------------------------
# Status: freezing, unfreezing, cancellation


def _cause_of(reason: str, elder: Elder, default: str) -> tuple[str, str]:
    """(cause, note): `reason` may be a cause code (deceased, moved, cancelled, fraud, other) or text."""
    text = (reason or "").strip()
    if text in Account.Cause.values:
        return text, ""
    if default == Account.Cause.OTHER and elder.life_status in (Account.Cause.DECEASED, Account.Cause.MOVED):
        return elder.life_status, text
    return default, text


def _check_actor(by: User | None, roles: tuple[str, ...], elder: Elder) -> None:
    if by is None or not by.is_authenticated:
        raise NotAllowed(_("You must be signed in."))
    if not (by.is_superuser or by.has_role(*roles)):
        raise NotAllowed(_("Your role may not change the status of subsidy accounts."))
    scope = scope_for(by)
    if not scope.covers_community(elder.community_id):
        raise NotAllowed(_("This elder is outside your jurisdiction."))


def _transition(*, account: Account, to: str, cause: str, reason: str, by: User) -> AccountEvent:
    """The one guarded move of an account's status, with its event row."""

    def record(from_status: str) -> AccountEvent:
        label = str(Account.Cause(cause).label) if cause else ""
        event = AccountEvent.objects.create(
            account=account, from_status=from_status, to_status=to, cause=cause, reason=reason or label, by=by
        )
        account.status_changed_at = event.created_at
        return event

    return transition(
        account,
        workflow=ACCOUNT_WORKFLOW,
        to=to,
        by=by,
        bypass=by.is_superuser,
        refused=lambda: (
            AccountFrozen.for_account(account)
            if account.status != Account.Status.ACTIVE
            else ValidationFailed(_("This change of status is not allowed."))
        ),
        forbidden=lambda: NotAllowed(_("Your role may not make this change of status.")),
        record=record,
        fields={"status_cause": "" if to == Account.Status.ACTIVE else cause, "status_reason": reason},
        update_fields=["status", "status_cause", "status_reason", "status_changed_at", "updated_at"],
    )


def _elder_accounts_locked(elder: Elder) -> tuple[Account, Account, Account]:
    accounts = [account_for_elder(elder=elder, kind=k) for k in ELDER_KINDS]
    locked = _lock(accounts)
    return tuple(locked[a.pk] for a in accounts)  # type: ignore[return-value]


def _freeze(subsidy: Account, personal: Account, cause: str, reason: str, by: User) -> None:
    for account in (subsidy, personal):
        if account.status == Account.Status.ACTIVE:
            _transition(account=account, to=Account.Status.FROZEN, cause=cause, reason=reason, by=by)


@transaction.atomic
def account_freeze(*, elder: Elder, reason: str, by: User, note: str = "") -> Account:
    """Freeze the elder's subsidy and personal accounts (death, moving away, suspected fraud...).

    `reason`: a cause code (`Account.Cause`) or a text; a text on a deceased or moved elder takes
    that cause. `note` explains a cause code. Returns the subsidy account. Freezing a frozen
    account changes nothing.
    """
    _check_actor(by, FREEZE_ROLES, elder)
    cause, text = _cause_of(reason, elder, Account.Cause.OTHER)
    note = (note or "").strip() or text
    if cause == Account.Cause.OTHER and not note:
        raise ValidationFailed(_("A reason is required."))
    subsidy, personal, _external = _elder_accounts_locked(elder)
    if subsidy.status == Account.Status.ARCHIVED:
        raise AccountFrozen.for_account(subsidy)
    _freeze(subsidy, personal, cause, note, by)
    return subsidy


@transaction.atomic
def account_unfreeze(*, elder: Elder, reason: str, by: User) -> Account:
    """Undo a freeze (e.g. a wrong death report): a district reviewer, with a reason.

    An archived account stays archived, and a person disqualified for fraud stays frozen.
    """
    _check_actor(by, DISTRICT_ROLES, elder)
    if not (reason or "").strip():
        raise ValidationFailed(_("A reason is required to unfreeze an account."))
    if elder.disqualified_at is not None:
        raise ElderDisqualified(
            _("This elder was disqualified for life: %(reason)s") % {"reason": elder.disqualified_reason}
        )
    subsidy, personal, _external = _elder_accounts_locked(elder)
    if subsidy.status == Account.Status.ARCHIVED:
        raise AccountFrozen.for_account(subsidy)
    for account in (subsidy, personal):
        if account.status == Account.Status.FROZEN:
            _transition(account=account, to=Account.Status.ACTIVE, cause="", reason=reason.strip(), by=by)
    return subsidy


@transaction.atomic
def account_cancel(*, elder: Elder, reason: str, by: User) -> LedgerTransaction | None:
    """Cancel the elder's accounts: freeze, refund the personal balance to the person or agent
    (a REFUND to the elder's EXTERNAL account), archive. Returns the refund (None when nothing
    was left). The subsidy balance stays in the archived account: it is public money, not refunded.
    """
    _check_actor(by, CANCEL_ROLES, elder)
    cause, note = _cause_of(reason, elder, Account.Cause.CANCELLED)
    subsidy, personal, external = _elder_accounts_locked(elder)
    if subsidy.status == Account.Status.ARCHIVED:
        raise AccountFrozen.for_account(subsidy)
    _freeze(subsidy, personal, cause, note, by)
    refund = None
    if personal.balance.amount > 0:
        value = personal.balance.amount
        refund, _created = _post(
            kind=LedgerTransaction.Kind.REFUND,
            key=f"refund:{personal.pk}",
            fingerprint=f"refund|account={personal.pk}|amount={value:.2f}",
            legs=[(personal, -value), (external, value)],
            month=Month.current().first_day,
            reference=f"cancel:{elder.pk}",
            memo=note or str(Account.Cause(cause).label),
            by=by,
        )
    for account in (subsidy, personal):
        _transition(account=account, to=Account.Status.ARCHIVED, cause=cause, reason=note, by=by)
    return refund


# --------------------------------------------------------------------------------------------
# Fraud


@transaction.atomic
def fraud_repay(
    *, elder: Elder, amount: Money, reason: str, by: User, idempotency_key: str = ""
) -> tuple[LedgerTransaction | None, bool]:
    """Voucher fraud or diversion, in the ledger: the diverted amount is repaid (a FRAUD_REPAYMENT
    from the elder's EXTERNAL account back to the district's funding account), the accounts are
    frozen and the elder is disqualified for life. A district reviewer only. (The entitlement's
    end is `subsidies.standards.services.entitlements.fraud_record`, which calls this.)

    Returns (the repayment, whether it is a replay of a request already booked under the key).
    """
    _check_actor(by, DISTRICT_ROLES, elder)
    if not (reason or "").strip():
        raise ValidationFailed(_("A reason is required."))
    reason = reason.strip()
    value = round_cny(amount.amount if isinstance(amount, Money) else amount)
    if value < 0:
        raise InvalidAmount(_("The amount cannot be negative."))
    elder = Elder.objects.select_for_update().get(pk=elder.pk)
    subsidy, personal, external = _elder_accounts_locked(elder)
    district = funding_account(division=elder.community.district)
    repayment = None
    if value > 0:
        key = idempotency_key or f"fraud:{elder.pk}:{uuid.uuid4().hex}"
        fingerprint = f"fraud|elder={elder.pk}|amount={value:.2f}"
        existing = _existing(key, fingerprint)
        if existing is not None:
            return existing, True
        locked = _lock([district])
        repayment, _created = _post(
            kind=LedgerTransaction.Kind.FRAUD_REPAYMENT,
            key=key,
            fingerprint=fingerprint,
            legs=[(external, -value), (locked[district.pk], value)],
            month=Month.current().first_day,
            reference=f"fraud:{elder.pk}",
            memo=reason,
            by=by,
        )
    if subsidy.status == Account.Status.ACTIVE or personal.status == Account.Status.ACTIVE:
        _freeze(subsidy, personal, Account.Cause.FRAUD, reason, by)
    for account in (subsidy, personal):
        if account.status == Account.Status.FROZEN and account.status_cause != Account.Cause.FRAUD:
            # Already frozen for another cause: fraud now explains the freeze (no status move).
            Account.objects.filter(pk=account.pk).update(status_cause=Account.Cause.FRAUD, status_reason=reason)
    if elder.disqualified_at is None:
        elder.disqualified_at = timezone.now()
        elder.disqualified_reason = reason
        elder.save(update_fields=["disqualified_at", "disqualified_reason", "updated_at"])
    return repayment, False
