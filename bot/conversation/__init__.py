"""The conversation, pure: what Sauti says back to one inbound event, on every channel.

No Redis, no clock, no network: the worker loads the participant and their session, calls
`dispatch.take_turn`, and commits the `Turn` it returns. Survey answers go to the engine
(`dialogues`, through `turns.answer`); this package handles everything around the survey:

- `inbound`: the channel-neutral event (join, answer, command) channels build;
- `campaign`, `participants`, `turns`, `outgoing`, `inbox`: what a turn reads and produces;
- `reading`: what a message is before anything is loaded (a command, a menu pick, a campaign);
- `chat_commands`: the words and slash commands a participant may type, in every language;
- `dispatch`: `take_turn`, which sends each command and each reply to the module that owns it;
- `exchange`: what every part shares for one event (the turn, the participant's language);
- `menus`: the help menu and the open campaigns, and the numbers typed to pick from them;
- `joining`: a campaign joined or come back to, and the language chosen for it;
- `consents`: the separate, versioned consents (take part, outcomes, quote, contact again),
  and whether one may be relied on;
- `consent`: asking for them (the data notice when joining, again when a text changed) and
  changing them; `data_notice`: the notice as a participant reads it, and the fingerprint of
  those words that versions their consent to take part;
- `stopping`: stop; `resume_question`: the question that must be answered before messages
  start again;
- `leaving_panel`: "leave panel", a no to being contacted again (bot.panels);
- `my_data`, `my_consents`: what Sauti holds about them, as they can read it, and their
  consents with a button to change each;
- `stored_answers`, `stored_sessions`: answers and sessions as Redis keeps them (compactly
  encoded) and read back, in that format and the one written before;
- `erasure`: deleting everything, asked first;
- `quick_exit`: leaving at once (a watched phone), and coming back;
- `shared_phone`: shared-phone mode (notices that quote nothing), their own choice;
- `feedback`: what they write to the company (feedback, a concern about a decision);
- `understood`: what a typed message no keyword matched means, as the model read it (a
  command, a skip, a safety concern); `safety`: such a concern flagged for a person at once;
- `case_view`: a grievance case as the conversation knows it (statuses, categories, what a
  participant may read of their own); `my_cases`: "my cases", "are you satisfied?" and
  reopening a resolved case;
- `their_time`, `local_time`: their local time, for quiet hours;
- `decisions/`: the pure half of closing the loop (the decision file, its rules, what a
  participant reads about a decision and how they answer it).

A test (`tests/bot/test_layers.py`) keeps this package free of I/O.
"""
