"""A campaign's own wording of some of Sauti's texts: a survey file's `system_texts` section
corrects the consent, the thanks or a hint in one of its languages for that campaign only,
leaving Sauti's shipped texts (and every other campaign) as they are.

```yaml
system_texts:
  survey.thanks: {fr: "Merci beaucoup pour vos réponses."}
  join.consent: {sw: "..."}   # must keep every {placeholder} of the English text
```

A key is one of `dialogues/system/messages.yaml`'s; a language may be any of the campaign's,
whether or not Sauti ships texts in it (a campaign can so fill in a language Sauti lacks).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from dialogues.checking import MAX_TEXT_LENGTH, Checker, did_you_mean, join_path, suggested
from dialogues.localization import FALLBACK_LANGUAGE, Catalog, builtin_catalog
from dialogues.model import LocalizedText, Survey
from dialogues.problem_codes import ProblemCode
from dialogues.translations import placeholders

SECTION = "system_texts"


def campaign_catalog(survey: Survey) -> Catalog:
    """Sauti's texts as this campaign speaks them: the built-in ones, with its own wording
    where its survey file gives one."""
    if not survey.system_texts:
        return builtin_catalog()
    return _with_overrides(survey)


@functools.lru_cache(maxsize=256)
def _with_overrides(survey: Survey) -> Catalog:
    return overridden(builtin_catalog(), survey.system_texts)


def overridden(catalog: Catalog, texts: Mapping[str, LocalizedText]) -> Catalog:
    """`catalog` with `texts` (key -> language -> text) put over its own."""
    messages = dict(catalog.messages)
    for key, by_language in texts.items():
        messages[key] = {**messages.get(key, {}), **by_language}
    return replace(catalog, messages=messages)


def check_system_texts(check: Checker, raw: Any) -> dict[str, dict[str, str]]:
    """The `system_texts` section, checked: known keys, the campaign's languages, and every
    `{placeholder}` of Sauti's English text kept (and none added), each problem at its path."""
    if raw is None:
        return {}
    section = check.mapping(SECTION, raw, "system_texts (text key: {language: text})")
    found: dict[str, dict[str, str]] = {}
    catalog = builtin_catalog()
    for key, texts in (section or {}).items():
        path = join_path(SECTION, str(key))
        if str(key) not in catalog.messages:
            hint = did_you_mean(str(key), list(catalog.messages))
            check.problem(
                path,
                f"Sauti has no text '{key}'{hint} (see its messages.yaml)",
                ProblemCode.NO_SUCH_SYSTEM_TEXT,
                key=str(key),
                **suggested(str(key), list(catalog.messages)),
            )
            continue
        checked = _texts(check, path, texts, catalog.messages[str(key)][FALLBACK_LANGUAGE])
        if checked:
            found[str(key)] = checked
    return found


def _texts(check: Checker, path: str, raw: Any, source: str) -> dict[str, str]:
    mapping = check.mapping(path, raw, "a text in some of the campaign's languages")
    wanted = placeholders(source)
    found: dict[str, str] = {}
    for language, text in (mapping or {}).items():
        where = join_path(path, str(language))
        if check.languages_known and language not in check.languages:
            check.problem(
                where,
                f"'{language}' is not one of the languages",
                ProblemCode.UNDECLARED_LANGUAGE,
                language=str(language),
                languages=", ".join(check.languages),
            )
            continue
        if not isinstance(text, str) or not text.strip():
            check.problem(where, "must be a text (quote it)", ProblemCode.NOT_A_TEXT)
            continue
        if len(text) > MAX_TEXT_LENGTH:
            check.problem(
                where,
                f"is {len(text)} characters; the limit is {MAX_TEXT_LENGTH}",
                ProblemCode.TEXT_TOO_LONG,
                length=len(text),
                limit=MAX_TEXT_LENGTH,
            )
            continue
        kept = placeholders(text)
        for name in sorted(wanted - kept):
            check.problem(
                where,
                f"the placeholder {{{name}}} of Sauti's text is missing",
                ProblemCode.PLACEHOLDER_MISSING,
                name=name,
            )
        for name in sorted(kept - wanted):
            check.problem(
                where,
                f"the placeholder {{{name}}} is not in Sauti's text: remove it",
                ProblemCode.PLACEHOLDER_ADDED,
                name=name,
            )
        if kept == wanted:
            found[str(language)] = text
    return found
