"""The `sauti` subcommands, one module per group (`common` holds their shared plumbing):
`survey` (with `survey_forms`: XLSForm import and export), `runtime` (`sauti run`),
`campaigns`, `export`, `dead_letters`, `migrate`, `whatsapp`, `decisions`, `themes`, `triage`
(open safety alerts), `loop`, `grievances`; `orgs` and `staff` (organisations, their people,
and the setup links staff get in through); `audit` (an organisation's audit log); `results`
(`sauti campaign results`); `tokens` (API tokens of the JSON API); `retention` (how long
personal-level data is kept, and erasing what is due); `keys` (master key epochs: rotate,
rewrap, retire); `translations` (translators' files: export, import, and each language's
completeness and review); `nlu` (the intents read in typed messages: train, classify, export
as a Rasa project); `panels` (an organisation's panel) and `invitations` (a segment of it
invited to a campaign).
"""
