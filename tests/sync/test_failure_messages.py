"""What a failed push says. "Failed" is shown only when Xero refused the record or could not
be reached after the last attempt; after a timeout or a lost answer on a create the record
may be in Xero, so the message says so and never suggests what would make a second copy
(renumbering, re-creating): Try again is safe, the app recognises its own copy."""
from __future__ import annotations

from tests.sync.push_support import run_scheduled, text_of
from xeroapp.sync import retries

BAD_ADVICE = ("Nothing here was changed", "Nothing was changed", "change the Invoice number",
              "Change the number", "Correct it here")


def give_up(desk, app, kind: str, record_id: int) -> str:
    """Send, then let every scheduled retry run; the panel once the push has failed."""
    desk.send(kind, record_id)
    for _ in range(retries.MAX_ATTEMPTS - 1):
        assert desk.jobs(kind, record_id)[-1].status == "waiting"
        run_scheduled(app, desk.drain)
    assert desk.jobs(kind, record_id)[-1].status == "failed"
    return text_of(desk.panel(kind, record_id))


def test_a_create_whose_last_answer_is_lost_says_it_may_be_in_xero_and_try_again_links_it(
        live_desk, records, app):
    desk = live_desk
    invoice_id = records.invoice(desk.workspace_id, number="INV-0042")
    # Every attempt at the invoice times out; the last one reaches Xero, which saves it,
    # and its answer is lost on the way back.
    desk.control("faults", {"next": ["timeout"] * 4 + ["lost_response"], "timeout_seconds": 0.2,
                            "paths": ["Invoices"]})

    panel = give_up(desk, app, "invoice", invoice_id)

    (job,) = desk.jobs("invoice", invoice_id)
    assert job.error_message == (
        "Xero could not be reached after 5 attempts: The connection to Xero broke before its "
        "answer arrived; the change may or may not have been saved. "
        "This invoice may have reached Xero all the same, before an answer was lost. Pressing "
        "Try again is safe: if Xero has it, the app recognises its own copy and links it instead "
        "of creating a second one. Do not enter it again, here or in Xero.")
    assert "Not confirmed by Xero." in panel and "Could not send" not in panel
    assert "Try again" in panel
    assert not any(advice in panel for advice in BAD_ADVICE)
    assert len(desk.held("invoices")) == 1  # Xero does hold it

    # Following the advice links the copy Xero holds: still one invoice there.
    panel = text_of(desk.send("invoice", invoice_id))
    assert "In Xero" in panel
    (held,) = desk.held("invoices")
    assert desk.link("invoice", invoice_id).xero_id == held["InvoiceID"]


def test_a_500_on_every_attempt_of_a_create_ends_failed_without_claiming_nothing_happened(
        desk, records, app):
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    desk.control("faults", {"next": ["500"] * retries.MAX_ATTEMPTS, "paths": ["Contacts"]})

    panel = give_up(desk, app, "client", client_id)

    (job,) = desk.jobs("client", client_id)
    assert (job.status, job.error_kind, job.attempts) == ("failed", "unreachable", 5)
    assert job.error_message.startswith(
        "Xero could not be reached after 5 attempts: Xero is unavailable right now (500: An "
        "error occurred in Xero.")
    assert job.error_message.endswith(
        "This client may have reached Xero all the same, before an answer was lost. Pressing "
        "Try again is safe: if Xero has it, the app recognises its own copy and links it "
        "instead of creating a second one. Do not enter it again, here or in Xero.")
    assert "Not confirmed by Xero." in panel and "Try again" in panel
    assert not any(advice in panel for advice in BAD_ADVICE)

    assert "In Xero" in text_of(desk.send("client", client_id))  # Try again
    assert [c["Name"] for c in desk.held("contacts")] == ["Bayside Café"]


def test_an_update_that_gives_up_says_its_changes_may_have_arrived(desk, records, app):
    client_id = records.client(desk.workspace_id, name="Bayside Café")
    desk.send("client", client_id)
    desk.control("faults", {"next": ["503"] * retries.MAX_ATTEMPTS, "paths": ["Contacts"]})

    panel = give_up(desk, app, "client", client_id)

    assert desk.jobs("client", client_id)[-1].error_message == (
        "Xero could not be reached after 5 attempts: Xero is unavailable right now (503: The "
        "Xero API is temporarily unavailable). Your changes to this client may or may not have "
        "reached Xero. Pressing Try again sends them again to the same client in Xero; it does "
        "not make a copy.")
    assert "Not confirmed by Xero." in panel and "Nothing here was changed" not in panel


def test_a_validation_refusal_says_what_xero_refused_and_where_to_correct_it(desk, records):
    client_id = records.client(desk.workspace_id, name="Bayside Café", email="not-an-email")

    panel = text_of(desk.send("client", client_id))

    (job,) = desk.jobs("client", client_id)
    assert (job.status, job.error_kind, job.error_field) == ("failed", "validation", "Email")
    assert job.error_message == ("Xero did not accept this client: Email address must be valid. "
                                 "Correct it here and try again.")
    assert "Could not send." in panel and "Xero complained about: Email" in panel
    assert "Not confirmed by Xero" not in panel
    assert desk.held("contacts") == []  # refused: Xero holds nothing, so correcting is safe
