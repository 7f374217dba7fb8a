"""Consent on WhatsApp, over HTTP through the fake Graph API: the data notice then "Do you agree
to take part?" as buttons, a no that ends politely and keeps nothing, and after "stop" a later
message that only asks whether to start again."""

from __future__ import annotations

from tests.kit.whatsapp import World

CAMPAIGN = "safe-connect-2026"


async def test_the_notice_asks_to_take_part_and_a_no_keeps_nothing(world: World) -> None:
    person = "254700000501"
    choose = await world.next_messages(person, world.say(person, CAMPAIGN))
    titles = [title for _, title in choose[-1].reply_ids]
    notice, _kept, _history, question = await world.next_messages(
        person, world.tap(person, choose[-1], next(t for t in titles if "English" in t))
    )
    assert notice.text.startswith("Nuru Mobile is asking: Your phone and your safety")
    assert question.text == "Do you agree to take part?"
    assert [title for _, title in question.reply_ids] == ["Yes, I agree", "No, thank you"]

    [goodbye] = await world.next_messages(person, world.tap(person, question, "No, thank you"))
    assert goodbye.text.startswith("Thank you all the same. We will not ask you any questions.")
    assert await world.app.redis.exists(world.app.schema.participant(world.pid(person))) == 0


async def test_after_stop_a_later_message_asks_and_nothing_else_is_sent(world: World) -> None:
    person = "254700000502"
    await world.join(person, "en")
    await world.next_messages(person, world.say(person, "stop"))
    [asked] = await world.next_messages(person, world.say(person, "1, 3"))  # an answer
    assert asked.text == "You asked us to stop messages. Start again?"
    assert [title for _, title in asked.reply_ids] == ["Yes, start again", "No, not now"]
    [still] = await world.next_messages(person, world.tap(person, asked, "No, not now"))
    assert still.text.startswith("All right, we will not send you messages.")
    assert (await world.record(person))[b"stop"] == b"1"

    back = await world.next_messages(person, world.say(person, "start"))
    assert [sent.text for sent in back] == ["You asked us to stop messages. Start again?"]
    resumed = await world.next_messages(person, world.tap(person, back[-1], "Yes, start again"))
    assert resumed[0].text == "Welcome back: messages from us are on again."
    assert len(resumed) > 1  # and the question they were at
    assert (await world.record(person))[b"stop"] == b"0"
