"""Products: listed (search, published filter), created, edited, and deleted while unused.

Shipping and Handling is special: every workspace has it (made with the workspace), it stays
unpublished, and it cannot be deleted — purchase orders need it for freight lines.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from xeroapp import stale
from xeroapp.access import get_owned_or_404
from xeroapp.deletion import delete_unless_blocked
from xeroapp.extensions import db
from xeroapp.listing import paginate, where_contains, workspace_select
from xeroapp.models import Product
from xeroapp.products import bp
from xeroapp.products.catalogue import is_shipping_product, product_usage
from xeroapp.products.forms import (
    NAME_TOO_LONG,
    SKU_TOO_LONG,
    XERO_ITEM_CODE_MAX,
    XERO_ITEM_NAME_MAX,
    ProductForm,
)
from xeroapp.products import line_tax
from xeroapp.rendering import render_page_or_partial

VISIBILITY = {"": "All products", "published": "Published", "unpublished": "Unpublished"}
SEARCHED = (Product.sku, Product.name, Product.description)
SHIPPING_NOT_DELETABLE = ("Shipping and Handling cannot be deleted: purchase orders use it for "
                          "freight lines. You can still edit its price and accounts.")


@bp.get("/")
def index():
    q = request.args.get("q", "").strip()
    visibility = request.args.get("visibility", "")
    query = where_contains(workspace_select(Product), SEARCHED, q)
    query = query.order_by(Product.name, Product.id)
    if visibility in ("published", "unpublished"):
        query = query.where(Product.published.is_(visibility == "published"))
    return render_page_or_partial("products/index.html", "products/partials/_table.html",
                                  page=paginate(query), q=q, visibility=visibility,
                                  visibilities=VISIBILITY, filtered=bool(q or visibility))


@bp.get("/<id:product_id>")
def detail(product_id: int):
    product = get_owned_or_404(Product, product_id)
    return render_page_or_partial("products/detail.html", "products/partials/_details.html",
                                  product=product, usage=product_usage(product),
                                  is_shipping=is_shipping_product(product),
                                  tax_rate_name=_tax_rate_name(product))


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = _form(product=None)
    if form.validate_on_submit():
        product = Product(workspace_id=current_user.workspace_id)
        form.apply_to(product)
        db.session.add(product)
        db.session.commit()
        _flash_saved(f"Product {product.name} added.", form)
        return redirect(url_for("products.detail", product_id=product.id))
    return _render_form(form, product=None)


@bp.route("/<id:product_id>/edit", methods=["GET", "POST"])
def edit(product_id: int):
    product = get_owned_or_404(Product, product_id)
    form = _form(product=product)
    conflict = stale.check(form, product)
    if conflict is not None:  # changed since this form was opened: keep what was typed
        return stale.refused(conflict, lambda: _form_page(form, product, conflict))
    if form.validate_on_submit():
        form.apply_to(product)
        db.session.commit()
        _flash_saved("Product saved.", form)
        return redirect(url_for("products.detail", product_id=product.id))
    return _render_form(form, product=product)


@bp.post("/<id:product_id>/delete")
def delete(product_id: int):
    product = get_owned_or_404(Product, product_id)
    return delete_unless_blocked(
        product, _delete_blocker(product), deleted=f"Product {product.name} deleted.",
        label=product.name,
        kept_url=url_for("products.detail", product_id=product.id),
        gone_url=url_for("products.index"))


def _delete_blocker(product: Product) -> str | None:
    if is_shipping_product(product):
        return SHIPPING_NOT_DELETABLE
    lines = product_usage(product)
    if not lines:
        return None
    return (f"{product.name} cannot be deleted: {lines} invoice or purchase order "
            f"line{'s use' if lines > 1 else ' uses'} it.")


def _form(product: Product | None) -> ProductForm:
    workspace = current_user.workspace
    org = line_tax.organisation(workspace)
    return ProductForm(workspace_id=workspace.id, tax_rates=line_tax.line_rates(workspace),
                       product=product, locked=product is not None and is_shipping_product(product),
                       organisation=org)


def _flash_saved(message: str, form: ProductForm) -> None:
    flash(message, "success")
    for warning in form.warnings().values():
        flash(warning, "warning")


def _tax_rate_name(product: Product) -> str:
    return line_tax.rate_name(current_user.workspace, product.tax_type)


def _render_form(form: ProductForm, product: Product | None):
    return _form_page(form, product), 422 if form.errors else 200


def _form_page(form: ProductForm, product: Product | None,
               conflict: stale.Conflict | None = None) -> str:
    stale.stamp(form, product)
    return render_template("products/form.html", form=form, product=product, conflict=conflict,
                           code_max=XERO_ITEM_CODE_MAX, name_max=XERO_ITEM_NAME_MAX,
                           sku_warning=SKU_TOO_LONG, name_warning=NAME_TOO_LONG)
