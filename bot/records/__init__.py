"""What Sauti keeps and how it is read back: stores and queries over Redis that the pipeline, the
loop and the command line share.

- `campaigns`: campaigns as stored (survey source, revision, open or closed);
- `cases`: a grievance case end to end (created by a commit, read by the desk);
  `case_report`: the desk report, per category, small cells withheld; `desk`: each
  organisation's cases in the desk's order (its index), read a page at a time;
- `reactions`: how participants answered decision notices, counted;
- `stats`: a campaign's counters; `export`: the answers, for the company, and `export_files`
  their CSV, XLSX and JSON files; `sheets`: CSV and XLSX written row by row, formula-safe;
  `xlsform_files`: XLSForm workbooks read with pyxform, and a survey written as one;
- `pseudonym_lookup`: from an organisation's pseudonyms back to participants, on the server;
- `tally`: the result counters a commit keeps (what a session adds to them); `results`: a
  campaign's results read from them, with `suppression` withholding small cells (and
  `determined` checking that none can be worked out from the shown ones, `crossed`
  protecting "this by that" and "that by this" as one table, and `side_by_side` the same
  rows by language and by channel as one), and
  `results_files` as a CSV or XLSX file; `progress`: how far participants got (started,
  completed, dropped off by language and channel); `recount`: the result counters counted
  again from the stored sessions (a migration); `snapshots`: the frozen copy of the counters
  every aggregate is read from, taken once enough people changed them (no answer shows by
  difference);
- `key_epochs`: master key epochs: what each master key still wraps, moving it under the
  current one, and when each became current, emptied and retired; `key_holders`: which
  master keys each running process holds, so a rotation waits for every process;
- `retained`: the aggregates retention keeps beside the counters (respondents it erased, their
  theme counts).
- `triage`: a campaign's queue of free-text answers, newest first, as the organisation names
  them; `triage_items`: how an answer is named in it, and what takes an erased person's off
  it; `triage_marks`: the flags and decision links staff set, and the safety alerts.
- `translations`: each campaign language's last import and review, and acceptances of
  machine-drafted text; `translation_files`: translators' PO files written and read;
  `translation_import`: a PO file stored into a campaign, and the gate that opening passes.
"""
