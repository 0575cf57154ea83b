"""The web server in front of api.xero.com refuses URLs that are too long, with a 404.

Xero's API is served by IIS, whose request filtering turns away a query string longer than
2,048 characters (``maxQueryString``'s default) with "HTTP Error 404.15 - Not Found: The
request filtering module is configured to deny a request where the query string is too long"
(the page is quoted in github.com/XeroAPI/Xero-Net/issues/280). It happens before the API sees
the request: no authentication, no rate-limit count, and an HTML page instead of Xero's JSON or
plain-text errors, so the SDKs report only "The resource you're looking for cannot be found".
What integrators measured:

- github.com/XeroAPI/xero-node/issues/404: GET /Contacts with 52 ContactIDs works, 53 get the
  404 (also when the same id is repeated: it is the length, not the answer's size);
- github.com/XeroAPI/Xero-Java/issues/328 (moved to
  github.com/XeroAPI/Xero-OpenAPI/issues/534): 52 InvoiceIDs work, 53 do not;
- github.com/XeroAPI/Xero-NetStandard/issues/471: "a total URL length of >2091" fails, found by
  padding the query string with an extra parameter one character at a time.

52 GUIDs joined by ``%2C`` make an ``IDs=`` query of 2,029 characters and 53 make 2,068;
with ``https://api.xero.com/api.xro/2.0/Contacts?`` in front, 2,068 is a URL of 2,110 and
2,029 one of 2,071: IIS's 2,048 on the query string (what follows ``?``, as sent,
percent-encoded) explains all three reports. The whole request target would not: with its
path, 52 IDs already pass 2,048, yet they work. So that is what the sandbox counts.
"""
from __future__ import annotations

from flask import Flask, Response, request

MAX_QUERY_LENGTH = 2048
# The paths of api.xero.com (identity.xero.com and login.xero.com are other servers).
API_PREFIXES = ("/api.xro/", "/connections")

PAGE = """<!DOCTYPE html>
<html>
<head><title>404.15 - Not Found</title></head>
<body>
<h1>HTTP Error 404.15 - Not Found</h1>
<p>The request filtering module is configured to deny a request where the query string is too long.</p>
</body>
</html>
"""


def init_app(app: Flask) -> None:
    # An app-wide hook runs before any blueprint's: the check comes before authentication.
    app.before_request(refuse_long_urls)


def query_string(environ: dict) -> str:
    """The query string as the client sent it (percent-encoded). QUERY_STRING is that in
    every server we run under (werkzeug's, gunicorn, an httpx WSGI transport)."""
    return environ.get("QUERY_STRING", "")


def refuse_long_urls() -> Response | None:
    if not request.path.startswith(API_PREFIXES):
        return None
    if len(query_string(request.environ)) <= MAX_QUERY_LENGTH:
        return None
    return Response(PAGE, status=404, mimetype="text/html")
