from flask import Blueprint

from xeroapp.limits import refuse_too_many_lines

bp = Blueprint("invoices", __name__)
# Before the form is built: each posted row would become a sub-form.
bp.before_request(refuse_too_many_lines("An invoice"))

from xeroapp.invoices import views  # noqa: E402,F401  (registers the routes)
