"""The form a message is compared in: what people type on phones differs in case, accents,
Arabic letter variants and spacing, none of which changes what they mean."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Letters people type interchangeably: hamza carriers, ta marbuta, alef maqsura.
_ARABIC = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ـ": None})


def fold(text: str) -> str:
    """'Je veux SUPPRIMER  mes données!' -> 'je veux supprimer mes donnees!'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold()).translate(_ARABIC)
    # Ethiopic and other abugidas keep their vowel signs: NFKD leaves them composed.
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACES.sub(" ", stripped).strip()
