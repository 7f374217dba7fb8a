"""What people type on phones is compared in one form: scripts' digits and the letters a
keyboard without the language's own gives are read as the same."""

from __future__ import annotations

import pytest

from nlu.text import fold


@pytest.mark.parametrize("typed", ["৪২", "၄၂", "٤٢", "۴۲"])
def test_a_number_in_any_shipped_script_reads_as_the_same_number(typed: str) -> None:
    assert fold(typed) == "42"


def test_pashto_typed_with_persian_or_arabic_letters_reads_as_pashto() -> None:
    pashto = fold("زه نه پوهېږم، مرسته وکړئ، ګوري")
    assert fold("زه نه پوهیږم، مرسته وکړئ، گوري") == pashto  # Persian keyboard
    assert fold("زه نه پوهيږم، مرسته وكړئ، گوري") == pashto  # Arabic keyboard
