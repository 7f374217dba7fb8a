"""The `sauti` subcommands, one module per group (`common` holds their shared plumbing):
`survey`, `runtime` (`sauti run`), `campaigns`, `export`, `dead_letters`, `migrate`, `whatsapp`,
`decisions`, `themes`, `loop`, `grievances`; `orgs` and `staff` (organisations and their
people); `audit` (an organisation's audit log); `results` (`sauti campaign results`).
"""
