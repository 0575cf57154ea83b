"""The only place that speaks HTTP to Xero: pages and jobs call these modules, never httpx.

- ``oauth``: the Authlib client for connecting (authorize redirect, code exchange, revocation).
- ``client``: ``XeroClient`` for the Accounting API and ``/connections``.
- ``tokens``: reading token sets, and the locked refresh every caller goes through.
- ``errors``: the typed exceptions callers catch.
- ``links``: "View in Xero" deep links.
"""
