from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase
from odoo.tools import mute_logger


class LotAccountCase(TransactionCase):
    """A company in automated (perpetual, anglo-saxon) valuation with its own stock, COGS
    and write-off accounts, lot-tracked products valued by lot, a customer and helpers to
    receive, sell, ship, invoice, return and scrap lots through Odoo's operations."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.flows = cls.env["lot.traceability.demo"]
        cls.demo = cls.env["lot.account.demo"]
        cls.company = cls.env.company
        cls.company.anglo_saxon_accounting = True
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.stock = cls.warehouse.lot_stock_id
        account = cls.env["account.account"].create
        cls.valuation_account = account(
            {"code": "119901", "name": "Lot Stock Valuation", "account_type": "asset_current"}
        )
        cls.input_account = account(
            {
                "code": "119902",
                "name": "Lot Stock Received",
                "account_type": "asset_current",
                "reconcile": True,
            }
        )
        cls.output_account = account(
            {
                "code": "119903",
                "name": "Lot Stock Delivered",
                "account_type": "asset_current",
                "reconcile": True,
            }
        )
        cls.cogs_account = account(
            {"code": "519901", "name": "Lot COGS", "account_type": "expense_direct_cost"}
        )
        cls.income_account = account(
            {"code": "419901", "name": "Lot Sales", "account_type": "income"}
        )
        cls.expired_account = account(
            {"code": "619901", "name": "Lot Expired Loss", "account_type": "expense"}
        )
        cls.recall_account = account(
            {"code": "619902", "name": "Lot Recall Costs", "account_type": "expense"}
        )
        cls.company.write(
            {
                "lot_expired_loss_account_id": cls.expired_account.id,
                "lot_recall_cost_account_id": cls.recall_account.id,
            }
        )
        cls.stock_journal = cls.env["account.journal"].create(
            {"name": "Lot Stock Journal", "code": "LSTJ", "type": "general"}
        )
        cls.customer = cls.env["res.partner"].create({"name": "Lot Margin Customer"})
        cls.vendor = cls.env["res.partner"].create({"name": "Lot Cost Vendor"})

    @classmethod
    def _category(cls, name, cost_method, lot_valuated=True):
        return cls.env["product.category"].create(
            {
                "name": name,
                "property_cost_method": cost_method,
                "property_valuation": "real_time",
                "property_stock_valuation_account_id": cls.valuation_account.id,
                "property_stock_account_input_categ_id": cls.input_account.id,
                "property_stock_account_output_categ_id": cls.output_account.id,
                "property_stock_journal": cls.stock_journal.id,
                "property_account_expense_categ_id": cls.cogs_account.id,
                "property_account_income_categ_id": cls.income_account.id,
                "lot_valuated": lot_valuated,
            }
        )

    @classmethod
    def _product(cls, name, category, list_price=30.0, **vals):
        return cls.env["product.product"].create(
            {
                "name": name,
                "categ_id": category.id,
                "is_storable": True,
                "tracking": "lot",
                "invoice_policy": "delivery",
                "list_price": list_price,
                "taxes_id": [Command.clear()],
                **vals,
            }
        )

    def _lot(self, product, name, **vals):
        return self.env["stock.lot"].create({"name": name, "product_id": product.id, **vals})

    def _set_lines(self, moves, lots):
        """Give the moves exactly these (lot, quantity) lines, picked."""
        self.flows._set_lines(moves, lots)

    def _receive(self, lot, quantity, unit_cost):
        """Receive ``quantity`` of a lot from the vendor at ``unit_cost``."""
        picking_type = self.warehouse.in_type_id
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": self.vendor.id,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": self.stock.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": lot.product_id.name,
                            "product_id": lot.product_id.id,
                            "product_uom_qty": quantity,
                            "product_uom": lot.product_id.uom_id.id,
                            "price_unit": unit_cost,
                            "location_id": self.env.ref("stock.stock_location_suppliers").id,
                            "location_dest_id": self.stock.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        self._set_lines(picking.move_ids, [(lot, quantity)])
        picking.with_context(skip_expired=True).button_validate()
        self.assertEqual(picking.state, "done")
        return picking

    def _sell(self, product, quantity, price_unit=None, partner=None):
        return self.demo._sell(partner or self.customer, product, quantity, price_unit)

    def _ship(self, order, lots):
        """Ship (lot, quantity) pairs on the order's open delivery, keeping a backorder."""
        picking = self.demo._ship(order, lots)
        self.assertEqual(picking.state, "done")
        return picking

    def _invoice(self, order, quantity=None):
        """Invoice what is to invoice (or ``quantity`` of it) and post it."""
        return self.demo._invoice(order, quantity)

    def _return(self, picking, lots):
        """Return (lot, quantity) pairs of a delivery, to be credited."""
        return self.flows._return(picking, lots)

    def _scrap(self, lot, quantity, origin=None):
        scrap = self.env["stock.scrap"].create(
            {
                "product_id": lot.product_id.id,
                "lot_id": lot.id,
                "scrap_qty": quantity,
                "location_id": self.stock.id,
                "origin": origin,
            }
        )
        scrap.do_scrap()
        return scrap

    def _balance(self, account, moves=None):
        domain = [("account_id", "=", account.id), ("parent_state", "=", "posted")]
        if moves is not None:
            domain.append(("move_id", "in", moves.ids))
        return sum(self.env["account.move.line"].search(domain).mapped("balance"))

    def _rows(self, invoices):
        """{(invoice name, lot name): (quantity, unit cost, COGS, revenue)} of the report."""
        rows = self.env["lot.cogs.report"].search([("move_id", "in", invoices.ids)])
        return {
            (row.move_id.name, row.lot_id.name): (
                round(row.quantity, 6),
                round(row.unit_cost, 6),
                round(row.cogs, 6),
                round(row.revenue, 6),
            )
            for row in rows
        }

    def _assert_fields_hidden(self, records, names, visible):
        """``records`` (as their user) read ``visible`` but none of ``names``: each raises
        AccessError, and their form view neither shows nor asks for them."""
        self.assertTrue(records.read([visible])[0][visible])
        for name in names:
            with self.subTest(model=records._name, field=name, user=records.env.user.login):
                with self.assertRaises(AccessError), mute_logger("odoo.models"):
                    records.read([name])
        views = records.get_views([(False, "form")])
        for name in names:
            self.assertNotIn(f'name="{name}"', views["views"]["form"]["arch"])
        spec = dict.fromkeys(views["models"][records._name]["fields"], {})
        self.assertTrue(records.web_read(spec))
