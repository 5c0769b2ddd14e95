from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoValuedFlows(TransactionCase):
    """The demo bakery in automated valuation: COGS by lot ties to the ledger."""

    def test_demo_invoices_cost_the_cake_lots_sold(self):
        rows = self.env["lot.cogs.report"].search(
            [("lot_id.name", "in", ("FG-CAK-101", "FG-CAK-102"))]
        )
        by_lot = {}
        for row in rows:
            quantity, cogs = by_lot.get(row.lot_id.name, (0, 0))
            by_lot[row.lot_id.name] = (quantity + row.quantity, cogs + row.cogs)
        # FG-CAK-101 cost 158.5 for 100, FG-CAK-102 182.5 for 100 (their component lots).
        self.assertAlmostEqual(by_lot["FG-CAK-101"][0], 80)
        self.assertAlmostEqual(by_lot["FG-CAK-101"][1], 80 * 1.585)
        self.assertAlmostEqual(by_lot["FG-CAK-102"][0], 80)  # 90 shipped, 10 returned
        self.assertAlmostEqual(by_lot["FG-CAK-102"][1], 80 * 1.825)
        self.assertTrue(all(rows.mapped("in_ledger")))

    def test_demo_cogs_report_total_equals_the_cogs_account_balance(self):
        cogs_account = (
            self.env.ref("lot_traceability.categ_finished")
            .with_company(self.env.ref("base.main_company"))
            .property_account_expense_categ_id
        )
        rows = self.env["lot.cogs.report"].search([("in_ledger", "=", True)])
        self.assertTrue(rows)
        date_from, date_to = min(rows.mapped("date")), max(rows.mapped("date"))
        lines = self.env["account.move.line"].search(
            [
                ("account_id", "=", cogs_account.id),
                ("parent_state", "=", "posted"),
                ("date", ">=", date_from),
                ("date", "<=", date_to),
            ]
        )
        self.assertAlmostEqual(sum(rows.mapped("cogs")), sum(lines.mapped("balance")), places=2)
