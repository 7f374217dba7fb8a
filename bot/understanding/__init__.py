"""Reading free text in the shell (`readers`): the embedded model (`nlu`), or a Rasa server
when SAUTI_RASA_URL is set, with a timeout and the embedded model as the fallback. The worker
asks before each typed message's turn (`understand`); what it concludes is applied by the pure
`bot.conversation.understood`."""

from bot.understanding.readers import (
    EmbeddedReader,
    MessageReader,
    RasaReader,
    shared_model,
    understand,
)

__all__ = ["EmbeddedReader", "MessageReader", "RasaReader", "shared_model", "understand"]
