"""The invitation itself: one message to one panel member, in their language, with a button
that joins the campaign, and what WhatsApp needs to send it outside the 24-hour window.

WhatsApp outside the window takes only the `invitation` template
(config/whatsapp_templates.toml), in their language or a fallback language the file names,
with the message as its parameter and a quick reply that joins the campaign like the button;
without one, nothing goes out (never the `notice` template: its words speak of a survey they
answered). Inside the window, and on Telegram, it is the message with its button; on the web
chat, a notice in their inbox.
"""

from __future__ import annotations

from bot.channels.whatsapp.templates import INVITATION
from bot.conversation.campaign import Campaign
from bot.conversation.chat_commands import keyword
from bot.conversation.outgoing import MenuItem, Outgoing, TemplateHint
from dialogues.localization import builtin_catalog


def invitation_key(campaign_id: str, participant_id: str) -> str:
    """The outbox entry's idempotency key: one invitation per person and campaign, ever."""
    return f"i:{campaign_id}:{participant_id}"


def invitation_text(campaign: Campaign, language: str, channel: str) -> str:
    """The invitation in `language` (the campaign's texts in it, which the caller checked the
    survey speaks); on Telegram commands are quoted as slash commands."""
    survey = campaign.survey
    slash = channel == "telegram"
    return builtin_catalog().message(
        "invite.text",
        language,
        organisation=survey.text(survey.organisation, language),
        title=survey.text(survey.title, language),
        code=f"/start {campaign.id}" if slash else campaign.id,
        leave="/leave" if slash else keyword("leave", language),
    )


def invitation_menu(campaign: Campaign, language: str) -> tuple[MenuItem, ...]:
    """One button: take part (the same as sending the join code)."""
    label = builtin_catalog().message("invite.button", language)
    return (MenuItem(label, "start", campaign.id),)


def invitation_message(campaign: Campaign, language: str, channel: str) -> Outgoing:
    return Outgoing(
        invitation_text(campaign, language, channel),
        menu=invitation_menu(campaign, language),
        template=TemplateHint(INVITATION, None, language),
    )
