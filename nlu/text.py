"""The form a message is compared in: what people type on phones differs in case, accents,
Arabic letter variants and spacing, none of which changes what they mean."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Letters people type interchangeably: hamza carriers, ta marbuta, alef maqsura; and, where a
# phone has no Pashto keyboard, the Persian or Arabic letters typed for Pashto's yeh forms
# (ی ې ۍ), kaf (ک) and gaf (ګ).
_ARABIC = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ـ": None}
    | {"ی": "ي", "ې": "ي", "ۍ": "ي", "ك": "ک", "ګ": "گ"}
    # A number is the same number in any script's digits ("৪২", "၄၂", "٤٢" are 42): the
    # Arabic-Indic, Extended Arabic-Indic (Pashto), Bengali and Myanmar digits.
    | {zero + value: str(value) for zero in (0x660, 0x6F0, 0x9E6, 0x1040) for value in range(10)}
)


def fold(text: str) -> str:
    """'Je veux SUPPRIMER  mes données!' -> 'je veux supprimer mes donnees!'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold()).translate(_ARABIC)
    # Ethiopic and other abugidas keep their vowel signs: NFKD leaves them composed.
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACES.sub(" ", stripped).strip()
