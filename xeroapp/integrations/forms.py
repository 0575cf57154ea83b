"""Forms of Settings > Integrations and Settings > Purchase orders."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, SelectField
from wtforms.validators import DataRequired

from xeroapp.models.workspace import PO_XERO_STATUSES
from xeroapp.stale import VersionedForm


class ChooseOrganisationForm(FlaskForm):
    tenant = RadioField("Organisation", validators=[DataRequired("Choose an organisation.")])


class PurchaseOrderSettingsForm(VersionedForm):
    po_save_to_xero_default = BooleanField(
        '"Save to Xero" ticked on new purchase orders',
        description="When ticked, saving a new purchase order also sends it to Xero.",
    )
    po_xero_status = SelectField(
        "Status of purchase orders created in Xero",
        choices=[SelectChoice(status, status.title()) for status in PO_XERO_STATUSES],
        validate_choice=True,
        description="Draft keeps them editable in Xero; Authorised makes them ready to send.",
    )
