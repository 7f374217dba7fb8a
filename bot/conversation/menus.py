"""The menus outside the survey — the help menu and the open campaigns — and the numbers
typed to pick from them (channels without buttons, or people who prefer typing)."""

from __future__ import annotations

from bot.conversation.consents import Consent, consent_key, honoured
from bot.conversation.exchange import Exchange
from bot.conversation.inbound import Answer, Channel, Command
from bot.conversation.my_consents import CHANGEABLE
from bot.conversation.outgoing import MenuItem
from bot.conversation.participants import ParticipantRecord, Stage
from dialogues.inbound import TextReply
from dialogues.normalize import ascii_digits

MAX_PICK_DIGITS = 3

# The help menu, in order; the same for everyone so a typed number means the same thing.
# New items go at the end: someone who saw the menu before an upgrade and types its number
# after it must get what they saw.
HELP_MENU = (
    ("start", "menu.continue"),
    ("language", "menu.language"),
    ("mydata", "menu.mydata"),
    ("feedback", "menu.feedback"),
    ("delete", "menu.delete"),
    ("stop", "menu.stop"),
    ("time", "menu.time"),
    ("updates", "menu.updates"),
    ("exit", "menu.exit"),
    ("shared", "menu.shared"),
    ("cases", "menu.cases"),
)
# The web chat never messages anyone (they read what comes when they come back): their time
# of day is not needed there, so its menu leaves "time" out and numbers the rest in order.
# WhatsApp's list message holds 10 rows: "my cases" is left out there (it is a keyword in
# every language, and a button under each resolution) rather than turning the menu into
# numbered text.
_NOT_ON = {Channel.WEBCHAT: frozenset({"time"}), Channel.WHATSAPP: frozenset({"cases"})}


def help_menu(channel: Channel) -> tuple[tuple[str, str], ...]:
    """The help menu's (command, label key) items shown on `channel`, in the order a typed
    number picks them."""
    left_out = _NOT_ON.get(channel, frozenset())
    return tuple(item for item in HELP_MENU if item[0] not in left_out)


def menu_pick(
    action: Answer,
    participant: ParticipantRecord | None,
    campaign_ids: tuple[str, ...],
    channel: Channel,
) -> Command | None:
    """A number typed right after a menu picks its item (channels without buttons, or people
    who prefer typing). Done before loading, as the pick decides what must be loaded."""
    # Typed in a survey question's own box (the web chat's form names it): the answer to it,
    # even right after the menu, which that page shows above the question's form.
    if not isinstance(action.input, TextReply) or action.input.question_id is not None:
        return None
    typed = ascii_digits(action.input.text.strip())
    # ASCII digits only, and few of them: `isdigit()` is also true of "²", "①" and "፩", which
    # `int()` refuses, and `int()` refuses more than 4,300 digits. No menu has 1,000 items.
    if not (typed.isascii() and typed.isdigit() and len(typed) <= MAX_PICK_DIGITS):
        return None
    place = int(typed) - 1
    stage = participant.stage if participant is not None else Stage.CAMPAIGN_MENU
    if stage is Stage.CAMPAIGN_MENU and 0 <= place < len(campaign_ids):
        return Command("start", campaign_ids[place])
    shown = help_menu(channel)
    if stage is Stage.HELP_MENU and 0 <= place < len(shown):
        return Command(shown[place][0])
    if stage is Stage.MYDATA_MENU and participant is not None and 0 <= place < len(CHANGEABLE):
        return _flip(participant, CHANGEABLE[place])
    return None


def _flip(participant: ParticipantRecord, kind: Consent) -> Command:
    """The button of "my data" at that place: the consent turned the other way."""
    given = None
    if participant.campaign_id is not None or not kind.per_campaign:
        given = participant.consents.get(consent_key(kind, participant.campaign_id))
    on = honoured(given, kind, None)  # none of these depends on the campaign's own texts
    return Command("consent", f"{kind.value}:{'no' if on else 'yes'}")


def show_help(exchange: Exchange, _: str = "") -> None:
    participant = exchange.participant()
    exchange.turn.update(participant, stage=Stage.HELP_MENU)  # the menu leaves any question
    menu = tuple(
        MenuItem(exchange.label(label), command)
        for command, label in help_menu(exchange.event.channel)
    )
    if exchange.event.channel is Channel.WEBCHAT:  # its page has a Menu button, not always a box
        exchange.say("help.text_tapped", menu, menu=exchange.label("web.menu"))
    else:
        exchange.say("help.text", menu, help=exchange.quote("help"))


def offer_campaigns(exchange: Exchange) -> None:
    """Plain /start, or a message from someone in no campaign: the open campaigns."""
    menu = tuple(
        MenuItem(c.survey.text(c.survey.title, exchange.language), "start", c.id)
        for c in exchange.context.open_campaigns
    )
    if not menu:
        exchange.say("start.none_open")
        return
    if exchange.turn.participant is not None:
        exchange.turn.update(exchange.turn.participant, stage=Stage.CAMPAIGN_MENU)
    exchange.say("start.choose_campaign", menu)
