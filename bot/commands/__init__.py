"""The `sauti` subcommands, one module per group."""
