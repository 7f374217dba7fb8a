"""What a participant agrees to hear from Sauti: news of what comes of their answers (per
campaign: asked when they join, changed with `updates`), or nothing at all (`stop`)."""

from __future__ import annotations

from bot.conversation.campaign import Campaign
from bot.conversation.exchange import Exchange, read_yes_or_no, spoken, yes_or_no
from bot.conversation.inbound import Answer, Channel
from bot.conversation.menus import offer_campaigns
from bot.conversation.outgoing import MenuItem
from bot.conversation.participants import Stage
from bot.conversation.turns import begin_survey, closed
from dialogues import advance
from dialogues.inbound import Pause
from dialogues.session import SessionStatus


def ask_consent(exchange: Exchange, campaign: Campaign) -> None:
    """Joining: what happens with the answers, then whether they want to hear what comes of
    them."""
    participant = exchange.participant()
    exchange.turn.update(participant, stage=Stage.CONSENT)
    survey, language = campaign.survey, exchange.language
    exchange.say(
        "join.consent",
        organisation=survey.text(survey.organisation, language),
        title=survey.text(survey.title, language),
        mydata=exchange.quote("mydata"),
        delete=exchange.quote("delete"),
    )
    exchange.say("join.retention", days=campaign.retention_days)
    if exchange.event.channel is Channel.WHATSAPP:  # the one channel Sauti cannot delete on
        exchange.say("exit.whatsapp_history", exit=exchange.quote("exit"))
    _ask_updates_question(exchange)


def _ask_updates_question(exchange: Exchange) -> None:
    menu = (
        MenuItem(exchange.label("button.updates_yes"), "updates", "yes"),
        MenuItem(exchange.label("button.updates_no"), "updates", "no"),
    )
    exchange.say("join.updates_question", menu)


def consent_reply(exchange: Exchange, action: Answer) -> None:
    choice = yes_or_no(action, exchange.language)
    if choice is None:
        campaign = exchange.context.campaign
        if campaign is None:  # the campaign went away meanwhile
            exchange.turn.update(exchange.participant(), stage=Stage.NONE)
            offer_campaigns(exchange)
        else:
            ask_consent(exchange, campaign)
        return
    _choose_updates(exchange, choice)


def updates(exchange: Exchange, argument: str) -> None:
    """The `updates` command: a button's "yes" / "no" (or one typed after "/updates") sets it
    for their campaign; without one, the question is asked again and their next yes, no or
    number answers it."""
    wanted = read_yes_or_no(argument, exchange.language)
    if wanted is None:
        _ask_updates(exchange)
    else:
        _choose_updates(exchange, wanted)


def _ask_updates(exchange: Exchange) -> None:
    participant = exchange.participant()
    if participant.stage is not Stage.CONSENT:  # while joining, the answer still starts it
        exchange.turn.update(participant, stage=Stage.UPDATES)
    _ask_updates_question(exchange)


def updates_reply(exchange: Exchange, action: Answer) -> None:
    """What they typed (or pressed) after the question the `updates` command asked."""
    wanted = yes_or_no(action, exchange.language)
    if wanted is None:
        _ask_updates(exchange)  # anything unclear gets the same question again
    else:
        _choose_updates(exchange, wanted)


def _choose_updates(exchange: Exchange, wanted: bool) -> None:
    participant = exchange.participant()
    joining = participant.stage is Stage.CONSENT
    if participant.stage is Stage.UPDATES:
        participant = exchange.turn.update(participant, stage=Stage.NONE)
    campaign = exchange.context.campaign
    if campaign is None:
        _say_chosen(exchange, wanted)
        return
    participant = exchange.turn.update(
        participant, updates={**participant.updates, campaign.id: wanted}
    )
    if joining:
        if not campaign.is_open:
            exchange.turn.update(participant, stage=Stage.NONE)
            exchange.turn.notice(closed(exchange.language))
            return
        language = spoken(campaign, participant.language)
        begin_survey(
            exchange.turn,
            participant,
            campaign,
            session=exchange.context.session,
            language=language,
            now=exchange.now,
        )
        return
    _say_chosen(exchange, wanted)


def _say_chosen(exchange: Exchange, wanted: bool) -> None:
    if wanted:
        exchange.say("updates.on")
    else:
        exchange.say("updates.off", updates=exchange.quote("updates"))  # how to undo it


def stop(exchange: Exchange, _: str = "") -> None:
    """Pause the survey and opt out of every message until they write "start"."""
    participant = exchange.participant()
    campaign, session = exchange.context.campaign, exchange.context.session
    if campaign is not None and session is not None and session.status is SessionStatus.ACTIVE:
        step = advance(campaign.survey, session, Pause(), exchange.now)
        exchange.turn.campaign_id, exchange.turn.session = campaign.id, step.session
    exchange.turn.update(participant, opted_out=True, stage=Stage.NONE)
    exchange.say("stop.done", start=exchange.quote("start"))
