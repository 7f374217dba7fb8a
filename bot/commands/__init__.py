"""The `sauti` subcommands, one module per group (`common` holds their shared plumbing):
`survey`, `runtime` (`sauti run`), `campaigns`, `export`, `dead_letters`, `migrate`, `whatsapp`,
`decisions`, `themes`, `loop`, `grievances`; `audit` (an organisation's audit log).
"""
