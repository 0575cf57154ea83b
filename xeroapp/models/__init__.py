"""All models, importable from one place (``from xeroapp.models import Invoice``)."""
from xeroapp.models.bulk import BulkPush
from xeroapp.models.catalogue import Product
from xeroapp.models.contacts import Client, Supplier
from xeroapp.models.documents import Invoice, InvoiceLine, PurchaseOrder, PurchaseOrderLine
from xeroapp.models.login_sessions import LoginSession
from xeroapp.models.organisation import XeroOrganisation
from xeroapp.models.workspace import User, Workspace
from xeroapp.models.xero import PushJob, XeroConnection, XeroLink
from xeroapp.models.xero_side import PollMark, WebhookEvent, XeroChange

__all__ = [
    "BulkPush",
    "Client",
    "Invoice",
    "InvoiceLine",
    "LoginSession",
    "PollMark",
    "Product",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PushJob",
    "Supplier",
    "User",
    "WebhookEvent",
    "Workspace",
    "XeroChange",
    "XeroConnection",
    "XeroLink",
    "XeroOrganisation",
]
