"""The derived, indexed columns that let an elder be found fast without decrypting anything.

- `name_initials`: the pinyin initials of the name, lower case (王秀英 → "wxy"), for a prefix match;
- `id_tail`: the last six characters of the ID number, reversed and upper case (…123X → "X321…"),
  so that "the last 4 to 6 characters" is an indexed prefix match (123x → "X321%");
- `phone_tail`: the last four digits of the phone, for an equality match.

None of them says more than the masked columns and the plain birth date already show.
"""

from pypinyin import Style, lazy_pinyin

ID_TAIL_LENGTH = 6
PHONE_TAIL_LENGTH = 4

# Surnames whose reading differs from the character's everyday reading (单 shàn, not dān).
SURNAME_INITIALS = {
    "单": "s",
    "曾": "z",
    "解": "x",
    "仇": "q",
    "区": "o",
    "朴": "p",
    "查": "z",
    "翟": "z",
    "盖": "g",
    "乐": "y",
    "缪": "m",
    "覃": "q",
    "尉": "y",
    "召": "s",
    "员": "y",
    "秘": "b",
    "繁": "p",
    "种": "c",
    "隗": "w",
    "万俟": "mq",
    "尉迟": "yc",
}


def name_initials(name: str) -> str:
    """王秀英 → "wxy"; latin letters keep their own initial, other signs are dropped."""
    name = "".join((name or "").split())
    if not name:
        return ""
    head = ""
    for surname in sorted(SURNAME_INITIALS, key=len, reverse=True):
        if name.startswith(surname):
            head, name = SURNAME_INITIALS[surname], name[len(surname) :]
            break
    letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")
    rest = "".join(p[:1] for p in letters if p and p[:1].isascii() and p[:1].isalpha())
    return (head + rest).lower()[:20]


def id_tail(id_number: str) -> str:
    """The last six characters of an ID number, reversed, upper case: "…20123X" → "X32102"."""
    value = (id_number or "").strip().upper()
    return value[-ID_TAIL_LENGTH:][::-1]


def phone_tail(phone: str) -> str:
    digits = "".join(c for c in (phone or "") if c.isdigit())
    return digits[-PHONE_TAIL_LENGTH:] if len(digits) >= PHONE_TAIL_LENGTH else ""
