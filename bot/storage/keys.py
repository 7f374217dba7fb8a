"""Every Redis key name Sauti uses, in one place (documented in docs/keys.md; a test checks that
the two list the same keys).

Everything one inbound event touches lives under its participant's shard hash tag `{sN}`, so a
single Lua script can commit it atomically and the same code runs on Redis Cluster.
Deployment-wide keys are only ever touched one at a time.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass

# Keys of a participant that the erasing commit leaves, and why (every other key that names a
# participant is in `KeySchema.keys_of`; a test holds the two lists together). Those named by
# the participant's pseudonym go just after the commit and again after the goodbye
# (forget_erased.lua): their event markers move to the shard's `erased_events`.
KEPT_ON_ERASURE = {
    "event_markers": "hashes of message ids only: an old message redelivered after an erasure "
    "must still be a duplicate; expires with the dedupe window",
    "send_claims": "hashes of idempotency keys only; expires with the dedupe window",
    "older_send_claim": "written no more; moved into send_claims by a migration",
    "send_in_flight": "a claim member only; deleted with the acknowledgement, else expires",
    "chat_rate": "a limiter's clock, nothing personal; expires within seconds",
    "whatsapp_bodies": "digests only; expires with the resend copies it indexes",
    "telegram_parts": "a count of parts sent, named by message; expires within 24 h",
    "whatsapp_status": "named by message, not by participant; expires with its TTL",
    "whatsapp_body": "named by message, not by participant; expires within minutes",
}


@dataclass(frozen=True, slots=True)
class KeySchema:
    prefix: str = "sauti"
    shards: int = 16

    def shard_of(self, participant_id: str) -> int:
        """A participant's shard: stable, and uniform because ids are HMAC outputs."""
        return zlib.crc32(participant_id.encode()) % self.shards

    def tag(self, shard: int) -> str:
        return f"{self.prefix}:{{s{shard}}}"

    def _tag_of(self, participant_id: str) -> str:
        return self.tag(self.shard_of(participant_id))

    # -- deployment-wide (single-key operations only) --------------------------------------
    @property
    def meta(self) -> str:
        return f"{self.prefix}:meta"

    @property
    def campaigns(self) -> str:
        return f"{self.prefix}:campaigns"

    @property
    def erasures(self) -> str:
        """Hash: erasures noted (`noted`), the oldest and latest not yet rewritten off the
        disk (`first`, `last`, ms), and how many a verified rewrite covered (`rewritten`,
        `rewritten_at`). Names nobody: a count and times (bot.storage.erasure_marks)."""
        return f"{self.prefix}:erasures"

    @property
    def erasure_rewriter(self) -> str:
        """String: the process rewriting the data files after erasures now (a lock, TTL)."""
        return f"{self.prefix}:erasures:rewriter"

    @property
    def master_keys(self) -> str:
        """Hash: master key epochs: `current` (the id new data keys are wrapped under),
        `since:<id>` (ms it became current), `emptied:<id>` (ms a pass that moved nothing
        away from an older id ended with nothing under it), `retired:<id>` (ms `retire` ran)."""
        return f"{self.prefix}:master-keys"

    @property
    def master_key_holders(self) -> str:
        """Hash: process name -> "<current id>|<held ids>|<last heartbeat ms>"
        (bot.records.key_holders)."""
        return f"{self.prefix}:master-keys:holders"

    def campaign(self, campaign_id: str) -> str:
        return f"{self.prefix}:campaign:{campaign_id}"

    def results_snapshot(self, campaign_id: str) -> str:
        """String: the number of the campaign's published results snapshot (absent: none yet;
        bot.records.snapshots)."""
        return f"{self.prefix}:snapshot:{campaign_id}"

    def results_snapshot_lease(self, campaign_id: str) -> str:
        """String: the process taking the campaign's next results snapshot now (a lock, TTL)."""
        return f"{self.prefix}:snapshot:{campaign_id}:lease"

    @property
    def retention_lease(self) -> str:
        """String: which process runs the retention job now (one at a time), with a TTL."""
        return f"{self.prefix}:retention:lease"

    def members(self, role: str) -> str:
        return f"{self.prefix}:members:{role}"

    def webchat_joins(self, digest: str) -> str:
        """Web chat joins from one client address (a keyed hash of it) in the current window."""
        return f"{self.prefix}:joins:{digest}"

    def webchat_recovery(self, digest: str) -> str:
        """A web chat recovery code (a keyed hash of it): the participant id it reopens."""
        return f"{self.prefix}:wrc:{digest}"

    def telegram_group(self, digest: str) -> str:
        """A group chat already told that Sauti works in private chats only."""
        return f"{self.prefix}:tg:group:{digest}"

    def channel_rate(self, channel: str) -> tuple[str, str]:
        """A channel's global limiter and pause keys (one hash slot per channel)."""
        tag = f"{self.prefix}:{{rate:{channel}}}"
        return f"{tag}:tat", f"{tag}:pause"

    # -- deployment-wide: loop closure -----------------------------------------------------
    def decision(self, campaign_id: str, decision_id: str) -> str:
        """Hash: `latest` version, `src:<n>` / `at:<n>` per version, `ref`, `pub`."""
        return f"{self.prefix}:loop:d:{campaign_id}:{decision_id}"

    def decisions(self, campaign_id: str) -> str:
        """Set of a campaign's decision ids."""
        return f"{self.prefix}:loop:ds:{campaign_id}"

    @property
    def decision_refs(self) -> str:
        """Hash: short decision reference (in button payloads) -> "<campaign>/<decision>"."""
        return f"{self.prefix}:loop:refs"

    def publication(self, ref: str, version: int) -> str:
        """Hash: status, options and timing of publishing one version of a decision."""
        return f"{self.prefix}:loop:pub:{ref}:{version}"

    def preview(self, ref: str) -> str:
        """String (JSON): a decision's last preview count and the versions it was made at;
        expires (SAUTI_LOOP_PREVIEW_KEEP_SECONDS)."""
        return f"{self.prefix}:loop:preview:{ref}"

    def preview_lease(self, ref: str) -> str:
        """String: who counts a decision's preview now; expires (..._PREVIEW_LEASE_SECONDS)."""
        return f"{self.prefix}:loop:preview:{ref}:lease"

    def preview_viewed(self, ref: str, digest: str) -> str:
        """String: one person was shown these sample answers of the decision's preview (and
        the read recorded); expires (SAUTI_LOOP_PREVIEW_KEEP_SECONDS)."""
        return f"{self.prefix}:loop:preview:{ref}:viewed:{digest}"

    @property
    def active_publications(self) -> str:
        """Set of "<campaign>/<decision>/<version>" publications the publisher role feeds."""
        return f"{self.prefix}:loop:active"

    @property
    def publisher_bell(self) -> str:
        """Stream: one short entry per publication started, which wakes idle publishers."""
        return f"{self.prefix}:loop:bell"

    def loop_campaign(self, campaign_id: str) -> str:
        """Hash: loop settings of a campaign (`tz`: its time zone)."""
        return f"{self.prefix}:loop:campaign:{campaign_id}"

    # -- deployment-wide: organisations and staff (single-key operations) --------------------
    @property
    def organisations(self) -> str:
        """Set of organisation slugs."""
        return f"{self.prefix}:orgs"

    def organisation(self, org: str) -> str:
        """Hash: `name`, `created`, `salt` (for its pseudonyms)."""
        return f"{self.prefix}:org:{org}"

    def organisation_staff(self, org: str) -> str:
        """Set of the e-mail addresses of an organisation's staff (an index: the account's
        `r:<org>` field grants the role)."""
        return f"{self.prefix}:org:{org}:staff"

    def staff_changes(self, org: str) -> str:
        """String: the one change to the organisation's roles under way (a lock, TTL), so that
        two admins demoting each other at once cannot leave it without one."""
        return f"{self.prefix}:org:{org}:staff-changing"

    def staff(self, email: str) -> str:
        """Hash: `r:<org>` role per organisation, `pw` password hash, `totp` sealed second
        factor, `created`."""
        return f"{self.prefix}:staff:{email}"

    # -- deployment-wide: staff sign-in (single-key operations) ------------------------------
    def staff_session(self, digest: str) -> str:
        """Hash: one signed-in browser (`digest`: SHA-256 of its cookie token, never the
        token): `email`, `org`, `role`, `mfa`, `csrf`, `created`, `seen`."""
        return f"{self.prefix}:staff-session:{digest}"

    def staff_sessions(self, email: str) -> str:
        """Set: the session digests of one account (sign out everywhere)."""
        return f"{self.prefix}:staff-sessions:{email}"

    def staff_setup(self, digest: str) -> str:
        """Hash: a one-time setup link (`digest`: SHA-256 of its token): `email`, `orgs` (the
        organisations it was made for, comma-separated), `totp` (the second factor's secret
        offered on the page, sealed)."""
        return f"{self.prefix}:staff-setup:{digest}"

    def staff_setup_of(self, email: str) -> str:
        """String: the digest of the account's one live setup link (a new one ends the old)."""
        return f"{self.prefix}:staff-setup-of:{email}"

    def staff_invitations(self, email: str) -> str:
        """Hash: the organisations that asked an account of another organisation to join them
        (`<org>` -> `<role>:<ms asked>`), until it accepts (TTL: a setup link's)."""
        return f"{self.prefix}:staff-invited:{email}"

    def organisation_invitations(self, org: str) -> str:
        """Set: the addresses an organisation asked to join it (an index of the above; one whose
        invitation lapsed is dropped when read)."""
        return f"{self.prefix}:org:{org}:invited"

    def staff_invitation_link(self, digest: str) -> str:
        """String: `<email> <org>` an invitation's link stands for (`digest`: SHA-256 of its
        token), so that its page can send the person to sign in (TTL: a setup link's)."""
        return f"{self.prefix}:staff-invitation:{digest}"

    def staff_totp_step(self, email: str) -> str:
        """Sorted set: the last TOTP time step accepted for the account (never twice)."""
        return f"{self.prefix}:staff-totp:{email}"

    def sign_in_failures(self, kind: str, digest: str) -> str:
        """String: failed sign-ins in the current window for one account or client address
        (`kind`: `account` or `address`; `digest`: a keyed hash of it)."""
        return f"{self.prefix}:sign-in:{kind}:{digest}"

    # -- per organisation (the organisation's hash tag `{o:<slug>}`) -------------------------
    def audit(self, org: str) -> str:
        """Stream: the organisation's audit log, a keyed hash chain (bot.audit)."""
        return f"{self.prefix}:{{o:{org}}}:audit"

    def audit_head(self, org: str) -> str:
        """String: the hash of the last entry of the organisation's audit log; in the stream's
        hash slot, so append_audit.lua moves both at once."""
        return f"{self.prefix}:{{o:{org}}}:audit:head"

    def export_lease(self, org: str) -> str:
        """String: who is exporting for the organisation now (a random owner), with a TTL:
        one API export at a time per organisation (bot.api.operations.exports)."""
        return f"{self.prefix}:{{o:{org}}}:export"

    # -- deployment-wide: API tokens (bot.access.tokens) --------------------------------------
    def api_token(self, token_id: str) -> str:
        """Hash: `hash` (SHA-256 of the secret), `email`, `org`, `role`, `created`, `expires`,
        `used` (last used, epoch seconds)."""
        return f"{self.prefix}:token:{token_id}"

    def organisation_tokens(self, org: str) -> str:
        """Set of the ids of an organisation's API tokens (an index, for listings)."""
        return f"{self.prefix}:org:{org}:tokens"

    def api_rate(self, token_id: str) -> tuple[str, str]:
        """A token's request limiter (GCRA, `reserve_slot.lua`) and its unused pause key: one
        hash slot per token."""
        tag = f"{self.prefix}:{{api:{token_id}}}"
        return f"{tag}:tat", f"{tag}:pause"

    # -- per shard -------------------------------------------------------------------------
    def lease(self, role: str, shard: int) -> str:
        """In the shard's hash slot, so the commit script can check it (fencing)."""
        return f"{self.tag(shard)}:lease:{role}"

    def inbound(self, shard: int) -> str:
        return f"{self.tag(shard)}:in"

    def dead_letters(self, shard: int) -> str:
        return f"{self.tag(shard)}:dead"

    def counters(self, shard: int, campaign_id: str) -> str:
        return f"{self.tag(shard)}:c:{campaign_id}"

    def changed(self, shard: int, campaign_id: str) -> str:
        """Set: who moved the campaign's counters in the shard since its last results snapshot
        (an erased person by a random mark): the commit writes it with the counters."""
        return f"{self.tag(shard)}:ch:{campaign_id}"

    def snapshot_taken(self, shard: int, campaign_id: str, number: int) -> str:
        """Set: the members of `changed` results snapshot `number` takes in, until it is
        published (TTL)."""
        return f"{self.tag(shard)}:ch:{campaign_id}:{number}"

    def snapshot(self, shard: int, campaign_id: str, number: int) -> str:
        """Hash: the shard's counters as results snapshot `number` froze them; what every
        aggregate is read from (a superseded one expires)."""
        return f"{self.tag(shard)}:cs:{campaign_id}:{number}"

    def respondents(self, shard: int, campaign_id: str) -> str:
        return f"{self.tag(shard)}:r:{campaign_id}"

    def joiners(self, shard: int, campaign_id: str) -> str:
        """Set: participants whose record named the campaign (`cid`), started or not: whom
        retention must reach, the data notice seen being enough to keep a record."""
        return f"{self.tag(shard)}:j:{campaign_id}"

    def outbox(self, shard: int, priority: str) -> str:
        """Outgoing messages of push channels; `priority` is "reply" or "bulk"."""
        return f"{self.tag(shard)}:out:{priority}"

    def outbox_dead(self, shard: int) -> str:
        """Messages a platform kept failing on (not inbound events: not replayed as such)."""
        return f"{self.tag(shard)}:out:dead"

    def case(self, shard: int, reference: str) -> str:
        """Hash: a feedback case or concern (the reference does not say its shard)."""
        return f"{self.tag(shard)}:case:{reference}"

    def cases(self, shard: int) -> str:
        """Sorted set: the shard's case references by creation time."""
        return f"{self.tag(shard)}:cases"

    def desk(self, shard: int, org: str) -> str:
        """Sorted set, every score 0: the organisation's cases in the shard as the desk lists
        them, `<rank>:<due ms>:<reference>` (bot.records.desk, includes/desk_place.lua)."""
        return f"{self.tag(shard)}:desk:{org}"

    def desk_moves(self, shard: int, org: str) -> str:
        """Sorted set: the organisation's case references in the shard, scored by the number of
        their last move on the desk (1, 2, ...), for paging that skips none (bot.records.desk)."""
        return f"{self.tag(shard)}:desk:{org}:moved"

    def shard_publication(self, shard: int, ref: str, version: int) -> str:
        """Hash: this shard's planning cursor, target count, feed cursor and counters."""
        return f"{self.tag(shard)}:pub:{ref}:{version}"

    def targets(self, shard: int, ref: str, version: int) -> str:
        """List: participant ids to tell, in the order they were planned (the feed cursor is an
        index into it)."""
        return f"{self.tag(shard)}:pub:{ref}:{version}:t"

    def schedule(self, shard: int) -> str:
        """Sorted set: notices held back by quiet hours or the weekly budget, by due time."""
        return f"{self.tag(shard)}:later"

    def schedule_bodies(self, shard: int) -> str:
        """Hash: `m:<key>` (participant, channel, consent field) and `b:<key>` (sealed body)
        of each scheduled notice."""
        return f"{self.tag(shard)}:later:b"

    def loop_stats(self, shard: int, campaign_id: str) -> str:
        """Hash: participants told (`told`) and days from answer to notice (`days:<n>`)."""
        return f"{self.tag(shard)}:loop:{campaign_id}"

    def reactions(self, shard: int, ref: str) -> str:
        """Hash: participants who found a decision helpful / still have concerns / asked more."""
        return f"{self.tag(shard)}:rx:{ref}"

    def concerns(self, shard: int, ref: str) -> str:
        """Sorted set: case references of concerns about a decision, by time."""
        return f"{self.tag(shard)}:rx:{ref}:c"

    def triage(self, shard: int, campaign_id: str) -> str:
        """Sorted set: the campaign's free-text answers in the shard, by when they were given
        (ms): member `<pid>/<question id>` (bot.loop.triage)."""
        return f"{self.tag(shard)}:tq:{campaign_id}"

    def triage_marks(self, shard: int, campaign_id: str) -> str:
        """Hash: per triage item (a member of `triage`): `u:<item>` flagged urgent (ms),
        `s:<item>` flagged safety (ms), `d:<item>` the decision it is linked to."""
        return f"{self.tag(shard)}:tm:{campaign_id}"

    def safety_alerts(self, shard: int, campaign_id: str) -> str:
        """Sorted set: the triage items flagged `safety` and not yet acknowledged, by when."""
        return f"{self.tag(shard)}:ta:{campaign_id}"

    # -- per participant (their shard's tag) -------------------------------------------------
    def participant(self, participant_id: str) -> str:
        return f"{self._tag_of(participant_id)}:p:{participant_id}"

    def session(self, participant_id: str, campaign_id: str) -> str:
        return f"{self._tag_of(participant_id)}:s:{participant_id}:{campaign_id}"

    def answers(self, participant_id: str, campaign_id: str) -> str:
        return f"{self._tag_of(participant_id)}:a:{campaign_id}:{participant_id}"

    def participant_cases(self, participant_id: str) -> str:
        """Sorted set: the references of their own grievance cases, by creation time."""
        return f"{self._tag_of(participant_id)}:pc:{participant_id}"

    def webchat_inbox(self, participant_id: str) -> str:
        return f"{self._tag_of(participant_id)}:wc:{participant_id}"

    def telegram_questions(self, participant_id: str) -> str:
        """Telegram's question messages of a participant (to edit them after an answer)."""
        return f"{self._tag_of(participant_id)}:tg:q:{participant_id}"

    def telegram_history(self, participant_id: str) -> str:
        """Sorted set: the recent message ids of their Telegram chat (the bot's and theirs), by
        when they were sent, so that a quick exit can delete them."""
        return f"{self._tag_of(participant_id)}:tg:h:{participant_id}"

    def told(self, participant_id: str) -> str:
        """Hash: `d:<ref>` -> "<version>|<told ms>|<answer s>" (plus "|h<earlier version>" while
        held back), `c:<campaign>` -> first told ms, `r:<ref>` -> their reaction, `m:<ref>` ->
        asked for more."""
        return f"{self._tag_of(participant_id)}:n:{participant_id}"

    def budget(self, participant_id: str) -> str:
        """Sorted set: when their recent and scheduled push notices go out (the weekly budget)."""
        return f"{self._tag_of(participant_id)}:nb:{participant_id}"

    def invitations(self, participant_id: str) -> str:
        """Hash: campaign id -> ms they were invited to it (bot.panels): once per campaign, and
        the invitation budget across campaigns and organisations."""
        return f"{self._tag_of(participant_id)}:iv:{participant_id}"

    def themes(self, participant_id: str, campaign_id: str) -> str:
        """Hash: question id -> comma-separated themes of their free-text answer."""
        return f"{self._tag_of(participant_id)}:th:{campaign_id}:{participant_id}"

    def event_markers(self, participant_id: str) -> str:
        """Their inbound events: stored (deduplication) and committed (bot.runtime.markers)."""
        return f"{self._tag_of(participant_id)}:e:{participant_id}"

    def send_claims(self, participant_id: str) -> str:
        """Outbox entries handed to a platform for them: never twice (bot.runtime.markers)."""
        return f"{self._tag_of(participant_id)}:sent:{participant_id}"

    def older_send_claim(self, participant_id: str, idempotency_key: str) -> str:
        """A send claim as written before claims were kept per participant: read no more; the
        migration of bot.runtime.migrations moves any left into `send_claims`."""
        return f"{self._tag_of(participant_id)}:sent:{idempotency_key}"

    # -- formats retired by a migration (bot.runtime.migrations): no key is written so --------
    def older_marker_patterns(self) -> dict[str, str]:
        """SCAN patterns of the string keys markers and claims were before they were kept per
        participant, by kind (`event`: `e:<event id>`, `claim`: `sent:<idempotency key>`). The
        per-participant sorted sets match them too: they are told apart by type."""
        shards = f"{self.prefix}:{{s*}}"
        return {"event": f"{shards}:e:*", "claim": f"{shards}:sent:*"}

    def erased_events(self, shard: int) -> str:
        """Sorted set: event markers of participants erased within the dedupe window, named by
        no one, so that a platform's late redelivery of their message is still a duplicate."""
        return f"{self.tag(shard)}:erased-events"

    def send_in_flight(self, participant_id: str) -> str:
        """The claim member of the one message being handed to a platform for this participant
        (their messages go one at a time), from the claim until the platform's answer is
        recorded. Still there after a sender died mid-send: bot.runtime.claims."""
        return f"{self._tag_of(participant_id)}:sending:{participant_id}"

    def chat_rate(self, participant_id: str) -> tuple[str, str]:
        """One recipient's limiter and pause keys (WhatsApp pauses a pair on error 131056)."""
        tag = self._tag_of(participant_id)
        return f"{tag}:rate:{participant_id}", f"{tag}:pause:{participant_id}"

    def telegram_parts(self, participant_id: str, idempotency_key: str) -> str:
        """How many parts of a long Telegram message went out, so a retry sends only the rest."""
        return f"{self._tag_of(participant_id)}:tg:parts:{idempotency_key}"

    def whatsapp_status(self, participant_id: str, digest: str) -> str:
        """A sent WhatsApp message's latest status, by an HMAC of its wamid."""
        return f"{self._tag_of(participant_id)}:wa:m:{digest}"

    def whatsapp_body(self, participant_id: str, digest: str) -> str:
        """A sent WhatsApp message, sealed, kept a short while to queue it again on failure."""
        return f"{self._tag_of(participant_id)}:wa:b:{digest}"

    def whatsapp_bodies(self, participant_id: str) -> str:
        """Set: the digests of their resend copies (`whatsapp_body`), for erasure to find."""
        return f"{self._tag_of(participant_id)}:wa:bi:{participant_id}"

    def keys_of(self, participant_id: str, campaigns: Iterable[str]) -> list[str]:
        """Every key that holds one participant's data, in the campaigns they joined: what
        erasure deletes. The rest of their keys expire on their own (KEPT_ON_ERASURE)."""
        joined = sorted(set(campaigns))
        return [
            self.participant(participant_id),
            self.telegram_questions(participant_id),
            self.telegram_history(participant_id),
            self.webchat_inbox(participant_id),
            self.participant_cases(participant_id),
            *(self.session(participant_id, campaign) for campaign in joined),
            *(self.answers(participant_id, campaign) for campaign in joined),
            self.told(participant_id),
            self.budget(participant_id),
            self.invitations(participant_id),
            *(self.themes(participant_id, campaign) for campaign in joined),
        ]

    # -- prefixes the loop's scripts put a participant id after ------------------------------
    def participant_prefixes(self, shard: int, campaign_id: str) -> dict[str, str]:
        """What the scripts put a participant id after to name their keys (see the methods
        above); scripts build these names themselves so a chunk of ids needs no key list."""
        tag = self.tag(shard)
        return {
            "p": f"{tag}:p:",
            "a": f"{tag}:a:{campaign_id}:",
            "th": f"{tag}:th:{campaign_id}:",
            "n": f"{tag}:n:",
            "nb": f"{tag}:nb:",
            "wc": f"{tag}:wc:",
            "iv": f"{tag}:iv:",
        }

    def move_due_prefixes(self, shard: int) -> list[str]:
        """What move_due.lua puts a participant id, campaign id or "<ref>:<version>" after to
        name the participant, what they were told, the campaign's stats, the publication and
        the participant's weekly budget."""
        tag = self.tag(shard)
        return [f"{tag}:p:", f"{tag}:n:", self.loop_stats(shard, ""), f"{tag}:pub:", f"{tag}:nb:"]
