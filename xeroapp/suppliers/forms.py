"""The supplier form. Maximum lengths are Xero's Contact limits (xero_accounting.yaml,
components.schemas.Contact: Name 255, Phone 50, address lines 500, AccountNumber and TaxNumber
50), so a supplier saved here can always be sent to Xero without being cut short."""
from __future__ import annotations

from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from xeroapp.extensions import db
from xeroapp.limits import NOTES_MAX
from xeroapp.models import Supplier
from xeroapp.stale import VersionedForm


def _max(limit: int) -> Length:
    return Length(max=limit, message=f"Use at most {limit:,} characters.")


class SupplierForm(VersionedForm):
    name = StringField("Name", validators=[DataRequired("Enter the supplier's name."), _max(255)],
                       description="Must be unique among your suppliers (Xero requires it).")
    email = EmailField("Email", validators=[
        Optional(), _max(255),
        Email("Enter a valid email address, like orders@example.com.", check_deliverability=False),
    ])
    phone = StringField("Phone", validators=[Optional(), _max(50)])
    first_name = StringField("Contact first name", validators=[Optional(), _max(255)])
    last_name = StringField("Contact last name", validators=[Optional(), _max(255)])
    address_line1 = StringField("Address line 1", validators=[Optional(), _max(500)])
    address_line2 = StringField("Address line 2", validators=[Optional(), _max(500)])
    city = StringField("Town / city", validators=[Optional(), _max(255)])
    region = StringField("Region", validators=[Optional(), _max(255)])
    postal_code = StringField("Postal code", validators=[Optional(), _max(50)])
    country = StringField("Country", validators=[Optional(), _max(50)])
    account_number = StringField("Account number", validators=[Optional(), _max(50)],
                                 description="Your account number with this supplier.")
    tax_number = StringField("Tax number", validators=[Optional(), _max(50)],
                             description="GST, VAT or ABN number.")
    notes = TextAreaField("Notes", validators=[Optional(), _max(NOTES_MAX)])

    TEXT_FIELDS = ("name", "email", "phone", "first_name", "last_name", "address_line1",
                   "address_line2", "city", "region", "postal_code", "country",
                   "account_number", "tax_number", "notes")

    def __init__(self, *args, workspace_id: int, supplier_id: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._workspace_id = workspace_id
        self._supplier_id = supplier_id

    def validate_name(self, field) -> None:
        """Xero rejects a second active contact with the same name, so we do too, up front."""
        name = (field.data or "").strip()
        query = db.select(Supplier.id).where(Supplier.workspace_id == self._workspace_id,
                                             db.func.lower(Supplier.name) == name.lower())
        if self._supplier_id is not None:
            query = query.where(Supplier.id != self._supplier_id)
        if db.session.scalar(query) is not None:
            raise ValidationError("You already have a supplier with this name.")

    def apply_to(self, supplier: Supplier) -> None:
        """Copy the entered values onto ``supplier``: trimmed, and blank becomes None."""
        for name in self.TEXT_FIELDS:
            value = (getattr(self, name).data or "").strip()
            setattr(supplier, name, value or None)
        supplier.name = supplier.name or ""
