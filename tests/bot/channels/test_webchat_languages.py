"""A campaign in languages added to Sauti's own texts (Pashto, written right to left, and
Bengali), taken through the web chat: the join page names each language in its own script, the
chat is laid out right to left for Pashto, Sauti's buttons and notices are in the participant's
language, and numbers typed in their script's digits are read as numbers."""

from __future__ import annotations

import re

from bot.app import App
from bot.conversation.inbound import Channel
from tests.kit import stored as kit_stored
from tests.kit import webchat as browser
from tests.kit.webchat import Client

CAMPAIGN = "wells-2026"
SURVEY = """\
spec_version: 1
id: wells-2026
organisation: {en: "Maji Co", ps: "ماجي شرکت", bn: "মাজি কোম্পানি"}
title: {en: "Our wells", ps: "زموږ څاګانې", bn: "আমাদের কুয়া"}
languages: [en, ps, bn]
default_language: en
translation_status: {ps: machine-drafted, bn: machine-drafted}
promise:
  en: "We will tell you what we decided by June."
  ps: "تر جون پورې به درته ووایو چې څه مو پرېکړه وکړه."
  bn: "জুনের মধ্যে আমরা কী সিদ্ধান্ত নিলাম তা আপনাকে জানাব।"
questions:
  - id: source
    kind: single_choice
    text:
      en: "Where do you get water?"
      ps: "اوبه له کومه ځایه اخلئ؟"
      bn: "আপনি কোথা থেকে পানি পান?"
    options:
      - {id: well, text: {en: "Well", ps: "څاه", bn: "কুয়া"}}
      - {id: river, text: {en: "River", ps: "سیند", bn: "নদী"}}
      - {id: tap, text: {en: "Tap", ps: "نل", bn: "কল"}}
  - id: minutes
    kind: number
    min: 0
    max: 600
    text:
      en: "How many minutes to fetch it?"
      ps: "د راوړلو لپاره څو دقیقې؟"
      bn: "আনতে কত মিনিট লাগে?"
  - id: safe
    kind: yes_no
    text:
      en: "Is the way there safe?"
      ps: "آیا هلته لاره خوندي ده؟"
      bn: "সেখানে যাওয়ার পথ কি নিরাপদ?"
"""


async def _open(app: App) -> None:
    await app.campaigns.load(SURVEY, open_now=True)


async def test_the_join_page_names_each_language_in_its_own_script(
    web_client: Client, app: App
) -> None:
    await _open(app)
    page = await (await web_client.get(f"/j/{CAMPAIGN}")).text()
    assert "پښتو" in page
    assert "বাংলা" in page


async def test_a_pashto_participant_takes_the_survey_right_to_left_typing_pashto_digits(
    web_client: Client, app: App
) -> None:
    await _open(app)
    token = await browser.join(web_client, "ps", campaign=CAMPAIGN)
    page = await browser.page(web_client, token)
    assert re.search(r'<html lang="ps" dir="rtl">', page)
    assert "اوبه له کومه ځایه اخلئ؟" in page
    await browser.answer(web_client, token, text="۲")  # river, in Pashto's digits
    page = await browser.answer(web_client, token, text="ساعت")  # not a number
    assert "مهرباني وکړئ یوه شمېره راولېږئ، لکه 3." in browser.lines(page)  # asked again, in Pashto
    await browser.answer(web_client, token, text="۴۵")
    page = await browser.answer(web_client, token, text="هو")
    assert browser.lines(page)[-1].startswith("مننه! ستاسو ځوابونه خوندي شول.")  # the thanks
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    stored = await kit_stored.answers(app.redis, app.schema, pid, CAMPAIGN)
    assert stored["source"]["v"] == "river"
    assert stored["minutes"]["v"] == 45
    assert stored["safe"]["v"] == "yes"


async def test_a_bengali_participant_answers_with_bengali_digits_left_to_right(
    web_client: Client, app: App
) -> None:
    await _open(app)
    token = await browser.join(web_client, "bn", campaign=CAMPAIGN)
    page = await browser.page(web_client, token)
    assert re.search(r'<html lang="bn" dir="ltr">', page)
    await browser.answer(web_client, token, text="৩")  # tap
    await browser.answer(web_client, token, text="১২০")
    page = await browser.answer(web_client, token, text="না")
    assert browser.lines(page)[-1].startswith("ধন্যবাদ! আপনার উত্তরগুলো সংরক্ষিত হয়েছে।")
    pid = app.crypto.participant_id(Channel.WEBCHAT.value, token)
    stored = await kit_stored.answers(app.redis, app.schema, pid, CAMPAIGN)
    assert (stored["source"]["v"], stored["minutes"]["v"], stored["safe"]["v"]) == (
        "tap",
        120,
        "no",
    )
