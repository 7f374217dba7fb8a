"""The data notice a participant agrees to when they take part, as they read it: who is
asking, what happens with their answers, what they can do about it, how long answers are
kept, on WhatsApp that their chat keeps what was said, and the question itself.

Its version (`bot.conversation.consents`) is computed from these texts as rendered, so any
word a person would read differently asks them again.
"""

from __future__ import annotations

from bot.conversation.campaign import Campaign
from bot.conversation.chat_commands import keyword
from dialogues.overrides import campaign_catalog


def data_notice(campaign: Campaign, language: str, *, mydata: str, delete: str) -> str:
    """Who is asking (the organisation, always named), who sees the answers, the code number,
    how to see and delete what is held: the built-in notice, or the campaign's own words under
    who is asking, always followed by the built-in line on seeing and deleting what is held (a
    survey file cannot leave it out). The web chat shows the same on its join page."""
    survey, catalog = campaign.survey, campaign_catalog(campaign.survey)
    organisation = survey.text(survey.organisation, language)
    title = survey.text(survey.title, language)
    if survey.data_notice:
        asking = catalog.message("join.asking", language, organisation=organisation, title=title)
        rights = catalog.message("join.rights", language, mydata=mydata, delete=delete)
        return f"{asking}\n\n{survey.text(survey.data_notice, language)}\n\n{rights}"
    return catalog.message(
        "join.consent",
        language,
        organisation=organisation,
        title=title,
        mydata=mydata,
        delete=delete,
    )


def notice_as_read(campaign: Campaign, language: str) -> tuple[str, ...]:
    """Every text a participant reads before saying yes to taking part, in one language: the
    notice, the retention line, the WhatsApp line (said on WhatsApp only, counted for every
    channel so one version stands for all) and the question. Commands are quoted by their
    keyword, the same on every channel."""
    catalog = campaign_catalog(campaign.survey)
    return (
        data_notice(
            campaign,
            language,
            mydata=keyword("mydata", language),
            delete=keyword("delete", language),
        ),
        catalog.message("join.retention", language, days=campaign.retention_days),
        catalog.message("exit.whatsapp_history", language, exit=keyword("exit", language)),
        catalog.message("consent.take_part", language),
    )
