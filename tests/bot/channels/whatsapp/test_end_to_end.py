"""Participants on WhatsApp, end to end over HTTP: a click-to-chat join code, the language
list, consent buttons, then the example survey through buttons, lists and typed numbers, in
four languages at once; batched and repeated webhooks; things Sauti cannot read."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.conversation.inbound import Channel
from tests.fakes import whatsapp_api as wa
from tests.kit import stored
from tests.kit.whatsapp import World

# ("tap", n): the n-th button or list row of the last message; ("say", text): typed.
Script = list[tuple[str, Any]]

TAPS: Script = [
    ("say", "1, 3"),  # uses: multiple choice, typed numbers
    ("tap", 1),  # money_safe: list row "2"
    ("tap", 1),  # worry: list row "2. Scams"
    ("tap", 0),  # unsafe: button "Yes" (next to "Prefer not to answer")
    ("say", "Armed men read my messages at a checkpoint"),  # unsafe_what (a Skip button too)
    ("tap", 1),  # sim_id: button "No"
    ("say", "2"),  # outages
    ("say", "1, 5"),  # cut_effect: multiple choice, typed
    ("say", "8"),  # trust: a 0-10 scale, typed
    ("tap", 1),  # share: list row "2. Only if a judge asks"
    ("tap", 0),  # change: the Skip button
    ("tap", 2),  # area: list row "3. Village"
]
TYPED_FR: Script = [
    ("say", "1 3"),
    ("say", "2"),
    ("say", "arnaques"),
    ("say", "oui"),
    ("say", "Des hommes armés ont lu mes messages"),
    ("say", "non"),
    ("say", "2"),
    ("say", "1, 5"),
    ("say", "8"),
    ("say", "2"),
    ("say", "passer"),
    ("say", "village"),
]
ARABIC_DIGITS: Script = [
    ("say", "١، ٣"),
    ("tap", 1),
    ("say", "٢"),
    ("tap", 0),
    ("say", "قرأ مسلحون رسائلي"),
    ("tap", 1),
    ("say", "٢"),
    ("say", "١ ٥"),
    ("say", "٨"),
    ("tap", 1),
    ("say", "تخطي"),
    ("tap", 2),
]
SWAHILI_MIXED: Script = [
    ("say", "1,3"),
    ("tap", 1),
    ("tap", 1),
    ("say", "ndiyo"),
    ("say", "Askari walisoma ujumbe wangu"),
    ("tap", 1),
    ("say", "2"),
    ("say", "1, 5"),
    ("say", "8"),
    ("tap", 1),
    ("say", "ruka"),
    ("tap", 2),
]
THANKS = {
    "en": "Thank you for your time",
    "fr": "Merci pour votre temps",
    "ar": "شكرًا لك على وقتك",
    "sw": "Asante kwa muda wako",
}


async def _complete(world: World, wa_id: str, language: str, script: Script) -> None:
    await world.join(wa_id, language)
    for kind, value in script:
        last = world.messages_to(wa_id)[-1]
        if kind == "say":
            await world.next_messages(wa_id, world.say(wa_id, value))
        else:
            if not last.reply_ids:  # a danger answer is flagged first: its question comes next
                last = (await world.wait_for(wa_id, len(world.messages_to(wa_id)) + 1))[-1]
            await world.next_messages(wa_id, world.tap(wa_id, last, last.reply_ids[value][1]))


async def _answers(world: World, wa_id: str) -> dict[str, dict[str, Any]]:
    return await stored.answers(world.app.redis, world.app.schema, world.pid(wa_id))


async def test_participants_complete_the_survey_in_four_languages_with_buttons_lists_and_numbers(
    world: World,
) -> None:
    people = {
        "254700000011": ("en", TAPS),
        "243810000012": ("fr", TYPED_FR),
        "249910000013": ("ar", ARABIC_DIGITS),
        "255710000014": ("sw", SWAHILI_MIXED),
    }
    await asyncio.gather(
        *(_complete(world, wa_id, lang, script) for wa_id, (lang, script) in people.items())
    )
    for wa_id, (language, _) in people.items():
        answers = await _answers(world, wa_id)
        assert answers["uses"]["v"] == ["calls", "money"], language
        assert answers["money_safe"]["v"] == 2
        assert answers["worry"]["v"] == "scams"
        assert answers["unsafe"]["v"] == "yes"
        assert "x" in answers["unsafe_what"]  # free text, sealed with their own key
        assert answers["sim_id"]["v"] == "no"
        assert answers["outages"]["v"] == 2
        assert answers["cut_effect"]["v"] == ["help", "news"]
        assert answers["trust"]["v"] == 8
        assert answers["share"]["v"] == "judge"
        assert answers["change"]["o"] == "skipped"
        assert answers["area"]["v"] == "village", language
        assert THANKS[language] in world.messages_to(wa_id)[-1].text
    assert world.fake.refused == []  # every message fit WhatsApp's limits and pacing


async def test_a_batch_delivered_twice_is_processed_once(world: World) -> None:
    first, second = "254711000021", "254711000022"
    await asyncio.gather(world.join(first, "en"), world.join(second, "en"))
    body = wa.merged(
        wa.envelope(world.fake, messages=[wa.text(first, "1, 3")]),
        wa.envelope(world.fake, messages=[wa.text(second, "2, 4"), wa.media(second, "sticker")]),
    )
    before = len(world.messages_to(first)), len(world.messages_to(second))
    assert await world.fake.post_webhook(body) == 200
    assert await world.fake.post_webhook(body) == 200  # Meta did not see our 200: it retries
    await world.wait_for(first, before[0] + 1)
    await world.wait_for(second, before[1] + 2)
    await asyncio.sleep(0.5)  # time for anything wrongly processed twice to show up
    assert (await _answers(world, first))["uses"]["v"] == ["calls", "money"]
    assert (await _answers(world, second))["uses"]["v"] == ["sms", "internet"]
    asked = [m for m in world.messages_to(first) if "How safe do you feel" in m.text]
    sorry = [m for m in world.messages_to(second) if "I can only read text" in m.text]
    assert len(asked) == 1
    assert len(sorry) == 1
    duplicates = world.app.metrics.registry.get_sample_value(
        "sauti_inbound_duplicates_total", {"channel": "whatsapp"}
    )
    assert duplicates == 3


async def test_photos_voice_notes_and_locations_get_a_short_reply_in_their_language(
    world: World,
) -> None:
    wa_id = "255710000031"
    await world.join(wa_id, "sw")
    for kind in ("image", "audio", "location", "reaction", "sticker"):
        message = wa.media(wa_id, kind)
        replies = await world.next_messages(
            wa_id, world.fake.post_webhook(wa.envelope(world.fake, messages=[message]))
        )
        assert [r.text for r in replies] == [
            "Samahani, ninaweza kusoma maandishi tu. Tafadhali jibu kwa maandishi au kwa vitufe."
        ]
    replies = await world.next_messages(wa_id, world.say(wa_id, "3"))  # the survey goes on
    assert "Unajisikia salama" in replies[-1].text


async def test_the_help_keyword_shows_a_menu_whose_items_work_when_tapped(world: World) -> None:
    wa_id = "243810000041"
    await world.join(wa_id, "fr")
    menu = (await world.next_messages(wa_id, world.say(wa_id, "aide")))[-1]
    titles = [title for _, title in menu.reply_ids]
    assert titles == [
        "Questionnaire",
        "Langue",
        "Mes données",
        "Donner mon avis",
        "Effacer mes données",
        "Arrêter les messages",
        "Mon heure",
        "Nouvelles des suites",
        "Quitter",
        "Plus…",
    ]
    mine = await world.next_messages(wa_id, world.tap(wa_id, menu, "Mes données"))
    assert "WhatsApp" in mine[-1].text
    question = await world.next_messages(wa_id, world.tap(wa_id, menu, "Questionnaire"))
    assert "Pour quoi utilisez-vous" in question[-1].text


async def test_a_stranger_writing_hello_is_offered_the_open_campaigns(world: World) -> None:
    wa_id = "254700000051"
    offer = (await world.next_messages(wa_id, world.say(wa_id, "hello")))[-1]
    # 26 characters: the button is cut at a word, the full title is in the message body
    assert [title for _, title in offer.reply_ids] == ["Your phone and your…"]
    assert "Your phone and your safety" in offer.text
    choose = await world.next_messages(wa_id, world.tap(wa_id, offer, offer.reply_ids[0][1]))
    assert "choose your language" in choose[-1].text
    assert world.app.crypto.participant_id(Channel.WHATSAPP.value, wa_id) == world.pid(wa_id)


async def test_my_cases_is_on_the_second_page_of_the_help_list_tapped_or_typed(
    world: World,
) -> None:
    # WhatsApp's list holds 10 rows: the menu's last row, "More…", shows the rest.
    wa_id = "243810000042"
    await world.join(wa_id, "fr")
    menu = (await world.next_messages(wa_id, world.say(wa_id, "aide")))[-1]
    assert len(menu.reply_ids) == 10
    more = (await world.next_messages(wa_id, world.tap(wa_id, menu, "Plus…")))[-1]
    assert [title for _, title in more.reply_ids] == ["Téléphone partagé", "Mes dossiers"]
    [none] = await world.next_messages(wa_id, world.tap(wa_id, more, "Mes dossiers"))
    assert none.text.startswith("Vous n'avez aucun dossier ouvert")

    await world.next_messages(wa_id, world.say(wa_id, "/feedback"))
    [received] = await world.next_messages(wa_id, world.say(wa_id, "Le mât fait du bruit"))
    reference = "F-" + received.text.split("F-")[1][:6]
    # Typed, as on a phone that shows the list as text: "aide", the last number, then 2.
    await world.next_messages(wa_id, world.say(wa_id, "aide"))
    await world.next_messages(wa_id, world.say(wa_id, "10"))
    [listing] = await world.next_messages(wa_id, world.say(wa_id, "2"))
    assert listing.text.startswith("Vos dossiers :")
    assert reference in listing.text
    # The first page's numbers keep their meaning: 9 is still the quick exit's place.
    await world.next_messages(wa_id, world.say(wa_id, "aide"))
    [mine] = await world.next_messages(wa_id, world.say(wa_id, "3"))
    assert "WhatsApp" in mine.text
