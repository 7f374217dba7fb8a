"""Asking for consent: the data notice and "Do you agree to take part?" when joining, then
whether they want to hear what comes of their answers; the same questions again when the text
they agreed to has changed since; and every consent changed later (`consent`, `updates`).

What each consent means, and its versions: `bot.conversation.consents`.
"""

from __future__ import annotations

from bot.conversation.campaign import Campaign
from bot.conversation.consents import (
    Consent,
    Given,
    consent_key,
    current_version,
    is_current,
)
from bot.conversation.data_notice import data_notice
from bot.conversation.exchange import Exchange, read_yes_or_no, spoken, yes_or_no
from bot.conversation.inbound import Answer, Channel
from bot.conversation.menus import offer_campaigns
from bot.conversation.outgoing import MenuItem
from bot.conversation.participants import ParticipantRecord, Stage, stored_address
from bot.conversation.resume_question import ask_resume
from bot.conversation.turns import begin_survey, closed
from bot.privacy import DecryptionError
from dialogues.session import SessionStatus

# The question asked for each consent, and the messages confirming a change of it.
_QUESTIONS = {
    Consent.TAKE_PART: "consent.take_part",
    Consent.OUTCOMES: "join.updates_question",
    Consent.QUOTE: "consent.quote",
    Consent.CONTACT: "consent.contact",
}


def say_data_notice(exchange: Exchange, campaign: Campaign) -> None:
    """The data notice, said from here only, so every line that belongs with it follows it:
    how long their answers are kept, and on WhatsApp that their chat keeps what was said."""
    exchange.turn.notice(
        data_notice(
            campaign,
            exchange.language,
            mydata=exchange.quote("mydata"),
            delete=exchange.quote("delete"),
        )
    )
    exchange.say("join.retention", days=campaign.retention_days)
    if exchange.event.channel is Channel.WHATSAPP:  # the one channel Sauti cannot delete on
        exchange.say("exit.whatsapp_history", exit=exchange.quote("exit"))


def ask_consent(exchange: Exchange, campaign: Campaign) -> None:
    """Joining, or the notice changed since they agreed: the notice, then whether they agree
    to take part."""
    say_data_notice(exchange, campaign)
    _ask(exchange, Consent.TAKE_PART)


def _ask(exchange: Exchange, kind: Consent) -> None:
    exchange.turn.update(exchange.participant(), stage=Stage.CONSENT, topic=kind.value)
    exchange.say(_QUESTIONS[kind], _menu(exchange, kind))


def _menu(exchange: Exchange, kind: Consent) -> tuple[MenuItem, ...]:
    if kind is Consent.TAKE_PART:
        return (
            MenuItem(exchange.label("button.agree"), "consent", "take:yes"),
            MenuItem(exchange.label("button.not_agree"), "consent", "take:no"),
        )
    if kind is Consent.OUTCOMES:  # "No, thanks" is how this optional one is passed
        return (
            MenuItem(exchange.label("button.updates_yes"), "updates", "yes"),
            MenuItem(exchange.label("button.updates_no"), "updates", "no"),
        )
    return (
        MenuItem(exchange.label("option.yes"), "consent", f"{kind.value}:yes"),
        MenuItem(exchange.label("option.no"), "consent", f"{kind.value}:no"),
    )


def asks_first(exchange: Exchange) -> bool:
    """Before the next survey question: a take-part consent that is missing or was given to
    an older notice asks again (the notice and the question), and so does an outcomes answer
    given to an older question. True when a question was asked (the survey waits). Someone
    who completed the survey is not asked to take part again: no question of it is left."""
    campaign, participant = exchange.context.campaign, exchange.participant()
    if campaign is None or not campaign.is_open:  # nothing will be asked: no need to agree
        return False
    session = exchange.context.session
    completed = session is not None and session.status is SessionStatus.COMPLETED
    if not completed and not _agreed_to_current(participant, Consent.TAKE_PART, campaign):
        ask_consent(exchange, campaign)
        return True
    outcomes = participant.consent(Consent.OUTCOMES, campaign.id)
    if outcomes is not None and not is_current(outcomes, Consent.OUTCOMES, campaign):
        _ask(exchange, Consent.OUTCOMES)
        return True
    return False


def _agreed_to_current(participant: ParticipantRecord, kind: Consent, campaign: Campaign) -> bool:
    given = participant.consent(kind, campaign.id)
    return given is not None and given.agreed and is_current(given, kind, campaign)


def consent_reply(exchange: Exchange, action: Answer) -> None:
    """A typed (or stale) answer to the consent question asked; unclear: asked again."""
    participant = exchange.participant()
    choice = yes_or_no(action, exchange.language)
    kind = _waiting(participant)
    if kind is None or choice is None or participant.topic != kind.value:
        _ask_again(exchange, kind)  # a question from an older Sauti: the notice again
        return
    _answer(exchange, kind, choice)


def _ask_again(exchange: Exchange, kind: Consent | None) -> None:
    campaign = exchange.context.campaign
    stopped = exchange.participant().opted_out
    if stopped and (kind is None or kind is Consent.TAKE_PART):
        ask_resume(exchange)  # after /stop, nothing is asked again that would start it again
    elif campaign is None:  # the campaign went away meanwhile
        exchange.turn.update(exchange.participant(), stage=Stage.NONE)
        offer_campaigns(exchange)
    elif kind is None or kind is Consent.TAKE_PART:
        ask_consent(exchange, campaign)
    else:
        _ask(exchange, kind)


def consent(exchange: Exchange, argument: str) -> None:
    """The `consent` command: "<consent>:<yes|no>" from a button (or typed after "/consent")."""
    if exchange.turn.participant is None:  # a stale button of someone erased: keep nothing
        offer_campaigns(exchange)
        return
    name, _, answer = argument.partition(":")
    try:
        kind = Consent(name)
    except ValueError:
        kind = None
    choice = read_yes_or_no(answer, exchange.language) if answer else None
    if kind is None or choice is None:
        _ask_again(exchange, kind if exchange.participant().stage is Stage.CONSENT else None)
        return
    _answer(exchange, kind, choice)


def _answer(exchange: Exchange, kind: Consent, agreed: bool) -> None:
    campaign = exchange.context.campaign
    if kind.per_campaign and campaign is None:
        exchange.turn.update(exchange.participant(), stage=Stage.NONE)
        offer_campaigns(exchange)
        return
    if kind is Consent.TAKE_PART and not agreed:
        _declined(exchange)
        return
    waiting = _waiting(exchange.participant())
    participant = record(exchange, kind, agreed)
    if participant.stage in (Stage.UPDATES, Stage.MYDATA_MENU):  # that question is answered
        participant = exchange.turn.update(participant, stage=Stage.NONE)
    if participant.opted_out and kind is Consent.TAKE_PART:
        ask_resume(exchange)  # recorded; nothing starts again without their yes to this
    elif kind is Consent.TAKE_PART:
        assert campaign is not None
        outcomes = participant.consent(Consent.OUTCOMES, campaign.id)
        if not is_current(outcomes, Consent.OUTCOMES, campaign):
            _ask(exchange, Consent.OUTCOMES)
        else:
            _carry_on(exchange)
    elif waiting is kind:  # the questions of a join (or of a changed text) are over
        _carry_on(exchange)
    elif waiting is not None:  # another consent's button: the question asked still waits
        _ask_again(exchange, waiting)
    elif kind is Consent.OUTCOMES:
        _say_updates(exchange, agreed)
    else:
        exchange.say("consent.saved", mydata=exchange.quote("mydata"))


def _waiting(participant: ParticipantRecord) -> Consent | None:
    """The consent question asked and not answered yet, if any."""
    if participant.stage is not Stage.CONSENT:
        return None
    try:
        return Consent(participant.topic)
    except ValueError:  # asked by an older Sauti: its notice is asked again
        return Consent.TAKE_PART


def record(exchange: Exchange, kind: Consent, agreed: bool) -> ParticipantRecord:
    """Their answer, with the version of the text it answers and when."""
    participant = exchange.participant()
    campaign = exchange.context.campaign
    given = Given(agreed, current_version(kind, campaign), exchange.event.received_at_ms // 1000)
    key = consent_key(kind, campaign.id if campaign is not None else None)
    return exchange.turn.update(participant, consents={**participant.consents, key: given})


def _declined(exchange: Exchange) -> None:
    """No to taking part: said goodbye politely, and nothing kept of someone Sauti held
    nothing else about (a stranger who just arrived leaves no record). Someone who already
    answered some of it (a changed notice said no to) has the no recorded, and with it a no
    to hearing what comes of their answers: the loop tells no one who no longer takes part.
    Their campaign stays theirs, so "my data" shows both and "start" asks again."""
    turn, participant = exchange.turn, exchange.participant()
    campaign, session = exchange.context.campaign, exchange.context.session
    if not participant.joined:
        turn.reply_address = exchange.event.address or _address(exchange, participant)
        turn.erase = True
    elif campaign is not None and session is not None:
        record(exchange, Consent.TAKE_PART, False)
        if exchange.participant().consent(Consent.OUTCOMES, campaign.id) is not None:
            record(exchange, Consent.OUTCOMES, False)
        turn.update(exchange.participant(), stage=Stage.NONE, topic="")
    else:
        turn.update(participant, stage=Stage.NONE, campaign_id=None, topic="")
    exchange.say("consent.declined", start=exchange.quote("start"))
    if participant.joined and session is not None:  # what becomes of what they said so far
        exchange.say("consent.declined_answers", delete=exchange.quote("delete"))


def _address(exchange: Exchange, participant: ParticipantRecord) -> str | None:
    if exchange.turn.data_key is None:
        return None
    try:
        return stored_address(participant, exchange.turn.data_key)
    except DecryptionError:
        return None


def _carry_on(exchange: Exchange) -> None:
    """After the consent questions: the survey starts, or goes on where they were; after
    /stop, only once they say yes to starting again."""
    participant, campaign = exchange.participant(), exchange.context.campaign
    if participant.opted_out:
        ask_resume(exchange)
        return
    if participant.topic:
        participant = exchange.turn.update(participant, topic="")  # no question of ours waits
    if campaign is None:
        exchange.turn.update(participant, stage=Stage.NONE)
        offer_campaigns(exchange)
        return
    if not campaign.is_open:
        exchange.turn.update(participant, stage=Stage.NONE)
        exchange.turn.notice(closed(exchange.language))
        return
    session = exchange.context.session
    if session is not None and session.status is SessionStatus.COMPLETED:  # nothing to go on to
        exchange.turn.update(participant, stage=Stage.NONE)
        exchange.say("consent.saved", mydata=exchange.quote("mydata"))
        return
    begin_survey(
        exchange.turn,
        participant,
        campaign,
        session=session,
        language=session.language if session else spoken(campaign, participant.language),
        now=exchange.now,
    )


def updates(exchange: Exchange, argument: str) -> None:
    """The `updates` command: a button's "yes" / "no" (or one typed after "/updates") sets it
    for their campaign; without one, the question is asked again and their next yes, no or
    number answers it."""
    wanted = read_yes_or_no(argument, exchange.language)
    participant = exchange.participant()
    joining = participant.stage is Stage.CONSENT
    if joining and participant.topic != Consent.OUTCOMES.value:
        _ask_again(exchange, None)  # a stale button: the question waiting comes first
    elif wanted is None:
        _ask_updates(exchange)
    else:
        _answer(exchange, Consent.OUTCOMES, wanted)


def _ask_updates(exchange: Exchange) -> None:
    participant = exchange.participant()
    if participant.stage is not Stage.CONSENT:  # while joining, the answer still starts it
        exchange.turn.update(participant, stage=Stage.UPDATES)
    exchange.say("join.updates_question", _menu(exchange, Consent.OUTCOMES))


def updates_reply(exchange: Exchange, action: Answer) -> None:
    """What they typed (or pressed) after the question the `updates` command asked."""
    wanted = yes_or_no(action, exchange.language)
    if wanted is None:
        _ask_updates(exchange)  # anything unclear gets the same question again
        return
    exchange.turn.update(exchange.participant(), stage=Stage.NONE)
    _answer(exchange, Consent.OUTCOMES, wanted)


def _say_updates(exchange: Exchange, wanted: bool) -> None:
    if wanted:
        exchange.say("updates.on")
    else:
        exchange.say("updates.off", updates=exchange.quote("updates"))  # how to undo it
