"""`flask seed-demo` creates the demo workspace once."""
from __future__ import annotations

import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.models import Client, Invoice, Product, PurchaseOrder, Supplier, User, Workspace

MODELS = (Workspace, User, Client, Supplier, Product, Invoice, PurchaseOrder)


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
                for model in MODELS}


def test_seed_demo_is_idempotent(app, runner):
    first = runner.invoke(args=["seed-demo"])
    after_first = counts(app)
    second = runner.invoke(args=["seed-demo"])

    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "demo@example.com / demo" in first.output
    assert "(0 records created)" in second.output
    assert counts(app) == after_first
    assert after_first["Workspace"] == 1 and after_first["Client"] >= 3
    assert after_first["Invoice"] == 2 and after_first["PurchaseOrder"] == 1


def test_seeded_workspace_content(app, runner):
    runner.invoke(args=["seed-demo"])
    with app.app_context():
        workspace = db.session.scalar(sa.select(Workspace))
        assert workspace.name == "Demo Workspace"
        shipping = db.session.scalar(sa.select(Product).filter_by(name="Shipping and Handling"))
        assert shipping.published is False
        invoices = db.session.scalars(sa.select(Invoice)).all()
        assert {invoice.status for invoice in invoices} == {"draft"}
        assert all(invoice.lines for invoice in invoices)
        po = db.session.scalar(sa.select(PurchaseOrder))
        assert shipping.id in {line.product_id for line in po.lines}


def test_demo_user_can_log_in(runner, client, auth):
    runner.invoke(args=["seed-demo"])
    response = auth.login("demo@example.com", "demo")
    assert response.headers["Location"] == "/"
    assert b"Demo Workspace" in client.get("/").data


def test_the_demo_account_is_never_seeded_in_production(app, runner, client, auth):
    app.config["XEROAPP_ENV"] = "production"

    result = runner.invoke(args=["seed-demo"])

    assert result.exit_code == 1
    assert "never created when XEROAPP_ENV=production" in result.output
    assert "Traceback" not in result.output
    assert set(counts(app).values()) == {0}
    assert auth.login("demo@example.com", "demo").status_code == 200  # no such account
