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
_NOT_ON = {Channel.WEBCHAT: frozenset({"time"})}
# WhatsApp's list message holds 10 rows (SAUTI_WHATSAPP_MAX_LIST_ROWS's default): there the
# menu's last row is "More", which shows the rest as a second list. The first rows keep their
# place (and typed number), so the quick exit stays on the first page.
_PAGE_ROWS = {Channel.WHATSAPP: 10}
MORE = "more"  # the help command's argument for the menu's second page
MenuEntry = tuple[str, str, str]  # command, label key, argument


def help_menu(channel: Channel, page: str = "") -> tuple[MenuEntry, ...]:
    """The help menu's items shown on `channel` (its second page when `page` is MORE), in the
    order a typed number picks them."""
    left_out = _NOT_ON.get(channel, frozenset())
    items = tuple((command, label, "") for command, label in HELP_MENU if command not in left_out)
    rows = _PAGE_ROWS.get(channel, len(items))
    if len(items) <= rows:
        return items
    if page == MORE:
        return items[rows - 1 :]
    return (*items[: rows - 1], ("help", "menu.more", MORE))


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
    if stage is Stage.HELP_MENU and participant is not None:
        shown = help_menu(channel, participant.topic)
        if 0 <= place < len(shown):
            return Command(shown[place][0], shown[place][2])
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


def show_help(exchange: Exchange, page: str = "") -> None:
    """The help menu (`page` MORE: its second page, where the channel's menus hold fewer rows
    than it has items)."""
    participant = exchange.participant()
    page = MORE if page.strip().lower() == MORE else ""
    # The menu leaves any question; the page tells which items a typed number picks from.
    exchange.turn.update(participant, stage=Stage.HELP_MENU, topic=page)
    menu = tuple(
        MenuItem(exchange.label(label), command, argument)
        for command, label, argument in help_menu(exchange.event.channel, page)
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
