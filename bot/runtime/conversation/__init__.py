"""Everything a participant says around the survey: joining, commands, consent, erasure.

`take_turn` is the one entry point the worker calls. Survey answers go to the engine
(`turns.answer`); this package handles the rest, the same on every channel:

- joining: language (names in their own script, the platform's hint pre-selected) → what happens
  with the answers, and whether they want to hear what comes of them → the survey;
- commands and keywords: start, help, language, stop, mydata, delete, feedback, updates, time;
- a participant's "stage" (a question outside the survey, such as "delete everything?") decides
  what a typed reply means; an unclear reply gets the same question again.

No Redis, no clock: the worker loads, this decides, the commit writes. One module per idea:

- `reading`: what a message is before anything is loaded (a command, a menu pick, a campaign);
- `dispatch`: `take_turn`, which sends each command and each reply to the module that owns it;
- `exchange`: what every part shares for one event (the turn, the participant's language);
- `menus`: the help menu and the open campaigns, and the numbers typed to pick from them;
- `joining`: a campaign joined or come back to, and the language chosen for it;
- `consent`: what they agree to hear from us (news of outcomes, or nothing: stop);
- `my_data`: what Sauti holds about them, as they can read it;
- `erasure`: deleting everything, asked first;
- `feedback`: what they write to the company (feedback, a concern about a decision);
- `their_time`: their local time, for quiet hours.
"""

from bot.runtime.conversation.dispatch import take_turn
from bot.runtime.conversation.feedback import feedback_reference
from bot.runtime.conversation.menus import HELP_MENU
from bot.runtime.conversation.reading import campaign_of, normalise

__all__ = ["HELP_MENU", "campaign_of", "feedback_reference", "normalise", "take_turn"]
