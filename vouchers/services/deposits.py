"""Money an elder's agent brings to, or takes back from, the personal account at the community's
counter: a deposit or a refund, each with a receipt.

The community worker of the elder's community takes the money (cash, bank transfer or citizen
card) and prints the receipt. The deposit itself is `personal_deposit`; a refund is the mirror
posting (personal account → the elder's EXTERNAL account) and never more than the balance.

What the counter records beyond the amount (the method and the note) travels in the
transaction's `reference` as `method|note`. The receipt number is derived from the transaction
(kind, local date, id): unique by construction, and a replayed request prints the same number.
"""

from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from djmoney.money import Money

from eldercare.errors import NotAllowed, ValidationFailed
from eldercare.models import Elder, LifeStatus, Role, User
from eldercare.money import cny
from eldercare.scoping import scope_for

from ..models import Account, LedgerTransaction
from .redemption import personal_deposit, personal_transfer

# Who takes money at the counter; the elder's community is checked on top.
COUNTER_ROLES = (Role.COMMUNITY_WORKER, Role.SYSADMIN)
COUNTER_KINDS = (LedgerTransaction.Kind.DEPOSIT, LedgerTransaction.Kind.REFUND)
NOTE_MAX_LENGTH = 100
RECEIPT_PREFIX: dict[str, str] = {LedgerTransaction.Kind.DEPOSIT: "CR", LedgerTransaction.Kind.REFUND: "TK"}


class PaymentMethod(models.TextChoices):
    CASH = "cash", gettext_lazy("Cash")
    TRANSFER = "transfer", gettext_lazy("Bank transfer")
    CITIZEN_CARD = "citizen_card", gettext_lazy("Citizen card")


def counter_allowed(*, user: User, elder: Elder) -> bool:
    """May the user take deposits and pay refunds for this elder?"""
    if not user.is_authenticated:
        return False
    if not (user.is_superuser or user.has_role(*COUNTER_ROLES)):
        return False
    return scope_for(user).covers_community(elder.community_id)


def counter_closed_reason(elder: Elder, personal: Account | None) -> str:
    """Why the counter takes no deposit or refund for this elder ("" when it does).

    The services refuse such a booking; the page says why instead of offering the buttons.
    """
    if elder.life_status == LifeStatus.DECEASED:
        return _(
            "The elder has died: the personal account takes no deposits or refunds at the counter; "
            "its balance is refunded when the account is cancelled."
        )
    if personal is not None and personal.status == Account.Status.ARCHIVED:
        return _("The personal account is closed and archived: it takes no deposits or refunds.")
    if personal is not None and personal.status == Account.Status.FROZEN:
        return _("The personal account is frozen: it takes no deposits or refunds.")
    return ""


def _check_counter(by: User | None, elder: Elder) -> None:
    if by is None or not by.is_authenticated:
        raise NotAllowed(_("You must be signed in."))
    if not counter_allowed(user=by, elder=elder):
        raise NotAllowed(_("Only the community worker of the elder's community may take deposits or pay refunds."))


def _reference(method: str, note: str) -> str:
    if method not in PaymentMethod.values:
        raise ValidationFailed(_("Choose how the money is paid: cash, bank transfer or citizen card."))
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationFailed(_("The note is too long (at most %(max)s characters).") % {"max": NOTE_MAX_LENGTH})
    return f"{method}|{note}"


def _memo(method: str, note: str) -> str:
    """What the statement says of a deposit or a refund: how it was paid, and the note."""
    note = " ".join((note or "").split())
    return f"{PaymentMethod(method).label}" + (f" · {note}" if note else "")


def _counter_key(kind: str, request_id: str) -> str:
    request_id = (request_id or "").strip()
    if not request_id or len(request_id) > 80:
        raise ValidationFailed(_("A request id (at most 80 characters) is required."))
    return f"personal-{kind}:{request_id}"


@dataclass(frozen=True)
class CounterReceipt:
    """What the printed receipt of a deposit or a refund shows."""

    transaction: LedgerTransaction
    number: str
    elder: Elder
    amount: Money
    method: str
    note: str

    @property
    def is_refund(self) -> bool:
        return self.transaction.kind == LedgerTransaction.Kind.REFUND

    @property
    def method_label(self) -> str:
        return str(PaymentMethod(self.method).label) if self.method in PaymentMethod.values else ""


def receipt_number(tx: LedgerTransaction) -> str:
    day = timezone.localtime(tx.created_at).strftime("%Y%m%d")
    return f"{RECEIPT_PREFIX.get(tx.kind, 'ZH')}{day}{tx.pk:08d}"


def counter_receipt(*, tx: LedgerTransaction, elder: Elder) -> CounterReceipt:
    """The receipt of a deposit or refund of `elder`'s personal account (the caller checked the scope)."""
    personal = tx.entries.filter(account__elder=elder, account__kind=Account.Kind.PERSONAL).first()
    if tx.kind not in COUNTER_KINDS or personal is None:
        raise ValidationFailed(_("This transaction is not a deposit or a refund of the personal account."))
    method, _sep, note = tx.reference.partition("|")
    return CounterReceipt(
        transaction=tx,
        number=receipt_number(tx),
        elder=elder,
        amount=cny(abs(personal.amount.amount)),
        method=method if method in PaymentMethod.values else "",
        note=note,
    )


def personal_counter_deposit(
    *, elder: Elder, amount: Money, method: str, note: str = "", request_id: str, by: User
) -> CounterReceipt:
    """The agent pays money onto the elder's personal account at the community's counter."""
    _check_counter(by, elder)
    reference = _reference(method, note)
    tx = personal_deposit(
        elder=elder,
        amount=amount,
        idempotency_key=_counter_key("deposit", request_id),
        reference=reference,
        memo=_memo(method, note),
        by=by,
    )
    return counter_receipt(tx=tx, elder=elder)


def personal_refund(
    *, elder: Elder, amount: Money, idempotency_key: str, reference: str = "", memo: str = "", by: User | None = None
) -> LedgerTransaction:
    """Pay (part of) the personal balance back to the elder or the agent: a REFUND from the
    personal account to the elder's EXTERNAL account, never more than the balance."""
    return personal_transfer(
        kind=LedgerTransaction.Kind.REFUND,
        elder=elder,
        amount=amount,
        idempotency_key=idempotency_key,
        reference=reference,
        memo=memo,
        by=by,
    )


def personal_counter_refund(
    *, elder: Elder, amount: Money, method: str, note: str = "", request_id: str, by: User
) -> CounterReceipt:
    """The agent takes (part of) the personal balance back at the community's counter."""
    _check_counter(by, elder)
    reference = _reference(method, note)
    tx = personal_refund(
        elder=elder,
        amount=amount,
        idempotency_key=_counter_key("refund", request_id),
        reference=reference,
        memo=_memo(method, note),
        by=by,
    )
    return counter_receipt(tx=tx, elder=elder)
