"""The bulk push engine: "Send all not in Xero" / "Update all changed" on a list page.

- runs.py: which records a run touches, starting a run (rows committed, then one RQ job per
  batch enqueued) and its progress;
- jobs.py: the RQ job that sends one batch and writes each row's outcome;
- senders.py: one batched request per record kind (contacts, invoices, items).
"""
