"""Channel adapters: translate platform payloads to inbound events and back. Each channel is a
folder of its own and never imports another: `telegram`, `whatsapp`, `webchat`;
`json_body` reads a webhook's JSON so that no single value can fail the whole body.
"""
