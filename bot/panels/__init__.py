"""Panels: the people who agreed to be asked again, and inviting them to new campaigns.

An organisation's panel is everyone who joined one of its campaigns and said yes to being
contacted again (the deployment-wide `contact` consent, bot.conversation.consents); leaving it
is a no to that consent, from the chat (bot.conversation.leaving_panel).

- `profile`: a member's attributes (language, channel, area, groups), from their record and
  their own answers to questions that declare a profile attribute (dialogues.profiles);
- `segment`: which members an invitation is for (`language=sw area=north group=displaced`);
- `members`: the panel as stored, loaded a batch at a time; `census`: its members counted by
  attribute;
- `eligibility`: who may be invited now, and why not (consent, stop, budget, unfinished
  survey...), and quiet hours;
- `invitation`: the message, in the member's language, and its WhatsApp template;
- `inviting`: the preview and the sending (once per person and campaign, `invite.lua`);
- `shown`: the panel and a preview as an organisation may see them (small cells withheld).
"""
