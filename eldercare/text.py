"""Text people type about people (names, addresses, notes), made plain before it is stored.

NFKC folds full-width and compatibility forms (Ａ → A, ① → 1); the invisible controls that can
make a name read differently from what is stored are dropped: the bidirectional overrides and
isolates (U+202A–U+202E, U+2066–U+2069), the direction marks (U+200E, U+200F) and the zero-width
characters (U+200B–U+200D, U+FEFF).
"""

import unicodedata

BIDI_CONTROLS = frozenset(
    ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f"]
)
ZERO_WIDTH = frozenset(["\u200b", "\u200c", "\u200d", "\ufeff"])
_DROP = {ord(c): None for c in BIDI_CONTROLS | ZERO_WIDTH}


def clean_text(value: str | None) -> str:
    """NFKC, invisible controls dropped, outer spaces stripped; None becomes ""."""
    if not value:
        return ""
    return unicodedata.normalize("NFKC", str(value)).translate(_DROP).strip()
