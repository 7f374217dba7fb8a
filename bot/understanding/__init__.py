"""Reading free text in the shell: the embedded model (`nlu`), or a Rasa server when
SAUTI_RASA_URL is set, with a timeout and the embedded model as the fallback. The worker asks
before each typed message's turn (`bot.runtime.worker`); what it concludes is applied by
`bot.conversation.understood`."""

from bot.understanding.readers import (
    EmbeddedReader,
    MessageReader,
    RasaReader,
    shared_model,
    understand,
)

__all__ = ["EmbeddedReader", "MessageReader", "RasaReader", "shared_model", "understand"]
