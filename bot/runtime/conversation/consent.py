"""What a participant agrees to hear from Sauti: news of what comes of their answers (per
campaign: asked when they join, changed with `updates`), or nothing at all (`stop`)."""

from __future__ import annotations

from bot.runtime.campaigns import Campaign
from bot.runtime.conversation.exchange import Exchange, spoken, yes_or_no
from bot.runtime.conversation.menus import offer_campaigns
from bot.runtime.events import Answer
from bot.runtime.outgoing import MenuItem
from bot.runtime.participants import Stage
from bot.runtime.turns import begin_survey, closed
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
    menu = (
        MenuItem(exchange.catalog.message("button.updates_yes", language), "updates", "yes"),
        MenuItem(exchange.catalog.message("button.updates_no", language), "updates", "no"),
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
    updates(exchange, "yes" if choice else "no")


def updates(exchange: Exchange, choice: str) -> None:
    participant = exchange.participant()
    wanted = choice.casefold() in {"yes", "1", "true"}
    campaign = exchange.context.campaign
    if campaign is None:
        exchange.say("updates.on" if wanted else "updates.off")
        return
    participant = exchange.turn.update(
        participant, updates={**participant.updates, campaign.id: wanted}
    )
    if participant.stage is Stage.CONSENT:
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
    exchange.say("updates.on" if wanted else "updates.off")


def stop(exchange: Exchange, _: str = "") -> None:
    """Pause the survey and opt out of every message until they write "start"."""
    participant = exchange.participant()
    campaign, session = exchange.context.campaign, exchange.context.session
    if campaign is not None and session is not None and session.status is SessionStatus.ACTIVE:
        step = advance(campaign.survey, session, Pause(), exchange.now)
        exchange.turn.campaign_id, exchange.turn.session = campaign.id, step.session
    exchange.turn.update(participant, opted_out=True, stage=Stage.NONE)
    exchange.say("stop.done", start=exchange.quote("start"))
