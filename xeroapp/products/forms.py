"""The product form.

Our SKU and name may be longer than Xero lets an Item's Code (30) and Name (50) be: that is
allowed here and only *warned* about, because the Xero "create missing products" dialog lets
the user choose a shorter code (remembered in Product.xero_code) when the product is sent.
"""
from __future__ import annotations

from collections.abc import Sequence

from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from xeroapp.extensions import db
from xeroapp.models import Product
from xeroapp.models.organisation import XeroOrganisation
from xeroapp.products.fields import MoneyField
from xeroapp.products.tax_rates import TaxRate
from xeroapp.stale import VersionedForm

XERO_ITEM_CODE_MAX = 30
XERO_ITEM_NAME_MAX = 50
SKU_TOO_LONG = (f"Longer than Xero's {XERO_ITEM_CODE_MAX}-character item code: you will choose "
                "a shorter code for Xero when this product is first sent there.")
NAME_TOO_LONG = (f"Longer than Xero's {XERO_ITEM_NAME_MAX}-character item name: Xero will need "
                 "a shorter name when this product is sent there.")

_ACCOUNT_CODE = [Optional(), Length(max=10, message="Xero account codes have at most 10 characters."),
                 Regexp(r"^[A-Za-z0-9]+$", message="Use letters and digits only, like 300.")]
_NOT_NEGATIVE = NumberRange(min=0, message="Enter 0 or more.")


class ProductForm(VersionedForm):
    sku = StringField("SKU", validators=[
        DataRequired("Enter a SKU (your product code)."),
        Length(max=100, message="Use at most 100 characters."),
    ], description="Unique in this workspace. Sent to Xero as the item code.")
    name = StringField("Name", validators=[DataRequired("Enter the product's name."),
                                           Length(max=200, message="Use at most 200 characters.")])
    description = TextAreaField("Description", validators=[
        Optional(), Length(max=4000, message="Use at most 4,000 characters (Xero's limit)."),
    ])
    cost_price = MoneyField("Cost price", validators=[Optional(), _NOT_NEGATIVE],
                            description="What you pay the supplier; prefills purchase order lines.")
    sale_price = MoneyField("Sale price", validators=[Optional(), _NOT_NEGATIVE])
    published = BooleanField("Published", default=True,
                             description="Unpublished products are hidden from invoices but "
                                         "can still be ordered on purchase orders.")
    purchase_account_code = StringField("Purchase account", validators=_ACCOUNT_CODE,
                                        description="Xero account code, e.g. 300 Purchases.")
    sales_account_code = StringField("Sales account", validators=_ACCOUNT_CODE,
                                     description="Xero account code, e.g. 200 Sales.")
    tax_type = SelectField("Tax rate", validate_choice=True)

    def __init__(self, *args, workspace_id: int, tax_rates: Sequence[TaxRate],
                 product: Product | None = None, locked: bool = False,
                 organisation: XeroOrganisation | None = None, **kwargs) -> None:
        super().__init__(*args, obj=product, **kwargs)
        self._workspace_id = workspace_id
        # The connected organisation's chart of accounts, when known: suggested while typing
        # (datalists) and checked, so the product never carries a code Xero would refuse.
        self.organisation = organisation
        self.accounts = {side: [a for a in organisation.account_list() if a.account_class == cls]
                         for side, cls in (("purchases", "EXPENSE"), ("sales", "REVENUE"))
                         } if organisation is not None else {}
        if organisation is not None:
            self.purchase_account_code.render_kw = {"list": "org-purchase-accounts"}
            self.sales_account_code.render_kw = {"list": "org-sales-accounts"}
        self._product_id = product.id if product else None
        # Shipping and Handling: its SKU, name and visibility are what makes it itself.
        self.locked = locked
        if locked and product is not None:
            # Whatever was posted, these stay (the inputs are read-only on the page).
            self.sku.data, self.name.data, self.published.data = product.sku, product.name, False
        # The connected organisation's rates (line_tax.all_rates); a saved code it no longer
        # has stays choosable, marked, so that editing other fields never drops it.
        self.tax_type.choices = [SelectChoice("", "Default for the account")] + [
            SelectChoice(rate.tax_type, f"{rate.name} ({rate.percent:g}%)") for rate in tax_rates
        ]
        saved = product.tax_type if product is not None else None
        if saved and saved not in {rate.tax_type for rate in tax_rates}:
            label = f"{saved} (not a rate of {organisation.name})" if organisation else saved
            self.tax_type.choices.append(SelectChoice(saved, label))
        if self.tax_type.data is None:
            self.tax_type.data = ""

    def validate_sku(self, field) -> None:
        sku = (field.data or "").strip()
        query = db.select(Product.id).where(Product.workspace_id == self._workspace_id,
                                            db.func.lower(Product.sku) == sku.lower())
        if self._product_id is not None:
            query = query.where(Product.id != self._product_id)
        if db.session.scalar(query) is not None:
            raise ValidationError("Another product already has this SKU.")

    def validate_purchase_account_code(self, field) -> None:
        self._known_account(field)

    def validate_sales_account_code(self, field) -> None:
        self._known_account(field)

    def _known_account(self, field) -> None:
        code = (field.data or "").strip()
        if not code or self.organisation is None:
            return
        if self.organisation.account(code) is None:
            raise ValidationError(f"{self.organisation.name} has no account {code}: use one of "
                                  "the codes of its chart of accounts.")

    def warnings(self) -> dict[str, str]:
        """Fields that are fine here but too long for Xero (shown, not blocking)."""
        found = {}
        if len((self.sku.data or "").strip()) > XERO_ITEM_CODE_MAX:
            found["sku"] = SKU_TOO_LONG
        if len((self.name.data or "").strip()) > XERO_ITEM_NAME_MAX:
            found["name"] = NAME_TOO_LONG
        return found

    def apply_to(self, product: Product) -> None:
        if not self.locked:
            product.sku = self.sku.data.strip()
            product.name = self.name.data.strip()
            product.published = bool(self.published.data)
        product.description = (self.description.data or "").strip() or None
        product.cost_price = self.cost_price.data
        product.sale_price = self.sale_price.data
        product.purchase_account_code = (self.purchase_account_code.data or "").strip() or None
        product.sales_account_code = (self.sales_account_code.data or "").strip() or None
        product.tax_type = self.tax_type.data or None
