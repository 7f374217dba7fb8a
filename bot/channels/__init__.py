"""Channel adapters: translate platform payloads to inbound events and back."""
