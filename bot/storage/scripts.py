"""Every Lua script Sauti runs, by name: the only multi-key writes it makes. Each touches keys of
one hash slot (one shard's `{sN}` tag, one channel's rate tag, or one organisation's `{o:<slug>}`
tag), so it is atomic on a single Redis and allowed on Redis Cluster. What each takes and
returns is in its file's header (`bot/storage/lua/<name>.lua`).
"""

from __future__ import annotations

from bot.storage.lua import Script

# The durable pipeline: ingest, commit, send claims, leases.
INGEST = Script("ingest")
COMMIT = Script("commit")
CLAIM_SEND = Script("claim_send")
FINISH_SEND = Script("finish_send")
RELEASE_SEND_CLAIM = Script("release_send_claim")
TAKE_LEASES = Script("take_leases")
HEARTBEAT = Script("heartbeat")
RELEASE_LEASE = Script("release_lease")
RESERVE_SLOT = Script("reserve_slot")
MARK_IF_PRESENT = Script("mark_if_present")
QUEUE_WAITING = Script("queue_waiting")
REPLAY_DEAD_LETTER = Script("replay_dead_letter")
ADOPT_OLDER_MARKER = Script("adopt_older_marker")  # the migration of bot.runtime.migrations
INDEX_OWN_CASE = Script("index_own_case")  # the migration to schema 5 (bot.runtime.migrations)
INDEX_DESK_CASE = Script("index_desk_case")  # the migration to schema 7 (bot.runtime.migrations)
SWAP_RESULTS = Script("swap_results")  # result counters recounted (bot.records.recount)

# Written before a commit, in the same batch: feedback cases and reactions to decisions.
CREATE_CASE = Script("create_case")
ANSWER_CASE = Script("answer_case")  # satisfied or not, or reopened, by the participant
RECORD_REACTION = Script("record_reaction")
# Before an erasure's commit: its sessions taken out of the result counters, and its grievance
# cases no longer naming the participant.
UNCOUNT_RESULTS = Script("uncount_results")
FORGET_CASES = Script("forget_cases")
# Retention: a closed campaign's personal-level data erased, its aggregates kept
# (bot.runtime.retention).
EXPIRE_RESPONDENTS = Script("expire_respondents")
EXPIRE_CASES = Script("expire_cases")
MARK_PURGED = Script("mark_purged")
# Before an erasure's commit: its web chat recovery codes, for their index keys to go.
WEBCHAT_FORGET_CODES = Script("webchat_forget_codes")
# Before an erasure's commit (and in retention's): their free-text answers off the triage
# queue, with their flags and alerts (bot.records.triage_items).
FORGET_TRIAGE = Script("forget_triage")
# Staff flag a triage item (urgent, safety: which raises an alert) or link it to a decision.
MARK_TRIAGE = Script("mark_triage")
# Before an erasure's commit: the participant's entries waiting in their shard's streams.
PURGE_PARTICIPANT_ENTRIES = Script("purge_participant_entries")
# After an erasure and after its goodbye: the keys still named by the erased pseudonym.
FORGET_ERASED = Script("forget_erased")
# Erasure on disk (bot.runtime.disk_erasure) and master key rotation (bot.records.key_epochs).
ERASURE_REWRITTEN = Script("erasure_rewritten")
RESEAL_FIELD = Script("reseal_field")
# A campaign's results: what one shard's counters hold of them (bot.records.results).
READ_RESULTS = Script("read_results")
# Results snapshots, which every aggregate is read from (bot.records.snapshots).
PENDING_CHANGES = Script("pending_changes")
SNAPSHOT_SHARD = Script("snapshot_shard")
PUBLISH_SNAPSHOT = Script("publish_snapshot")
SETTLE_SNAPSHOT = Script("settle_snapshot")

# Channels.
COUNT_JOIN = Script("count_join")
WEBCHAT_RECOVERY_CODE = Script("webchat_recovery_code")
WEBCHAT_RELINK = Script("webchat_relink")
# A web chat quick exit hides the participant at once, before the worker runs (routes).
WEBCHAT_HIDE = Script("webchat_hide")
REMEMBER_QUESTION_MESSAGE = Script("remember_question_message")
APPLY_WHATSAPP_STATUS = Script("apply_whatsapp_status")

# Closing the loop: decisions, planning, feeding, held notices, the grievance desk.
ADD_DECISION_VERSION = Script("add_decision_version")
PLAN = Script("plan")
FEED = Script("feed")
MOVE_DUE = Script("move_due")
LOAD_TARGETS = Script("load_targets")
STEP_CASE = Script("step_case")

# Panels: a batch of members loaded, and invited to a campaign (bot.panels).
INVITE = Script("invite")
LOAD_PANEL = Script("load_panel")

# The audit log of an organisation (bot.audit): appended with a compare-and-set of its head.
APPEND_AUDIT = Script("append_audit")

# Loaded once at start, so that the first calls need no second try (the rest are rarer: they
# load themselves on first use).
PIPELINE = (
    INGEST,
    COMMIT,
    CREATE_CASE,
    ANSWER_CASE,
    RECORD_REACTION,
    UNCOUNT_RESULTS,
    FORGET_TRIAGE,
    FORGET_CASES,
    PURGE_PARTICIPANT_ENTRIES,
    FORGET_ERASED,
    CLAIM_SEND,
    FINISH_SEND,
    RELEASE_SEND_CLAIM,
    TAKE_LEASES,
    HEARTBEAT,
    RELEASE_LEASE,
    RESERVE_SLOT,
)

ALL = (
    *PIPELINE,
    MARK_IF_PRESENT,
    QUEUE_WAITING,
    REPLAY_DEAD_LETTER,
    ADOPT_OLDER_MARKER,
    INDEX_OWN_CASE,
    INDEX_DESK_CASE,
    SWAP_RESULTS,
    EXPIRE_RESPONDENTS,
    EXPIRE_CASES,
    MARK_PURGED,
    READ_RESULTS,
    PENDING_CHANGES,
    SNAPSHOT_SHARD,
    PUBLISH_SNAPSHOT,
    SETTLE_SNAPSHOT,
    COUNT_JOIN,
    WEBCHAT_RECOVERY_CODE,
    WEBCHAT_RELINK,
    WEBCHAT_HIDE,
    WEBCHAT_FORGET_CODES,
    REMEMBER_QUESTION_MESSAGE,
    APPLY_WHATSAPP_STATUS,
    ADD_DECISION_VERSION,
    PLAN,
    FEED,
    MOVE_DUE,
    LOAD_TARGETS,
    STEP_CASE,
    INVITE,
    LOAD_PANEL,
    MARK_TRIAGE,
    APPEND_AUDIT,
    ERASURE_REWRITTEN,
    RESEAL_FIELD,
)
