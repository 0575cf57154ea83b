"""Back-sync: what Xero changed on linked records comes back here.

Three ways in, one way to apply:

- webhooks.py: ``POST /webhooks/xero``. Xero signs each delivery; valid events are stored
  (``WebhookEvent``) and one read job per organisation is queued.
- fetch.py: that job. It reads the changed objects by id, in batches, through the app's
  XeroClient (so the shared call budget counts them).
- poll.py: every POLL_INTERVAL_SECONDS, each connected organisation is asked what changed
  since its last poll (If-Modified-Since): purchase orders (Xero sends no webhooks for them)
  and whatever a missed delivery did not bring.
- apply.py: writes Xero's state on the record's XeroLink and a ``XeroChange`` per transition,
  only for a newer version than the link holds, so order and repetition do not matter.
- check.py: "Check Xero now" for the organisation and for one record.

Every job runs on the low-priority queue (queueing.LOW_QUEUE), which workers take only when
no push waits, and a background read leaves the last calls of a minute to pushes.
"""
