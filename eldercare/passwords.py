"""Password complexity for a level-3 system (GB/T 22239-2019, identification: passwords of some
complexity, changed periodically): besides length and the common-password list, a password mixes
at least three kinds of characters — lower-case letters, upper-case letters, digits, symbols —
so that a name in pinyin (`zhangsan`) or a place with a digit (`jiangdu1`) is refused."""

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

KINDS = (
    lambda c: c in string.ascii_lowercase,
    lambda c: c in string.ascii_uppercase,
    lambda c: c in string.digits,
    lambda c: not c.isalnum(),
)


def character_kinds(password: str) -> int:
    """How many of the four kinds of characters the password uses."""
    return sum(1 for kind in KINDS if any(kind(c) for c in password))


class CharacterKindsValidator:
    def __init__(self, min_kinds: int = 3):
        self.min_kinds = min_kinds

    def validate(self, password: str, user=None) -> None:
        if character_kinds(password) < self.min_kinds:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _(
            "The password must mix at least %(n)d kinds of characters: lower-case letters, upper-case "
            "letters, digits and symbols."
        ) % {"n": self.min_kinds}
