"""``python -m devstack.webhooks SANDBOX_URL RECEIVER_URL``: register the sandbox's webhooks
to the app (``make run`` does it once the app answers), signed with XERO_WEBHOOK_KEY from the
environment. Exits 1 unless the sandbox's Intent to Receive passed."""
from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request


def register(sandbox_url: str, receiver_url: str, key: str, timeout: float = 20.0) -> dict:
    """POST /_sandbox/webhooks; the sandbox's view of the registration."""
    request = urllib.request.Request(
        f"{sandbox_url.rstrip('/')}/_sandbox/webhooks", method="POST",
        data=json.dumps({"url": receiver_url, "key": key}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (local URL)
        return json.loads(answer.read())


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not os.environ.get("XERO_WEBHOOK_KEY"):
        print("usage: XERO_WEBHOOK_KEY=... python -m devstack.webhooks SANDBOX_URL RECEIVER_URL")
        return 2
    try:
        shown = register(argv[0], argv[1], os.environ["XERO_WEBHOOK_KEY"])
    except (urllib.error.URLError, OSError, ValueError) as exc:
        print(f"could not register the sandbox's webhooks: {exc}")
        return 1
    registration = shown.get("registration") or {}
    if registration.get("status") != "OK":
        print(f"the sandbox's webhooks were not accepted: {registration.get('detail') or registration}")
        return 1
    print(f"sandbox webhooks -> {argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
