from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import format_amount


@tagged("post_install", "-at_install")
class TestTraceDashboard(TransactionCase):
    """The dashboard's figures, read as each user: company A's users never count
    company B's lots, stock, recalls or deliveries; money for accounting users only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Dashboard Company B"})
        cls.warehouse_a = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company_a.id)], limit=1
        )
        cls.warehouse_b = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company_b.id)], limit=1
        )

        def user(login, company, groups):
            return new_test_user(
                cls.env,
                login=login,
                company_id=company.id,
                company_ids=[(6, 0, company.ids)],
                groups=groups,
            )

        stock = "stock.group_stock_user,stock.group_production_lot"
        cls.inventory_a = user("dash_inventory_a", cls.company_a, stock)
        cls.inventory_b = user("dash_inventory_b", cls.company_b, stock)
        cls.accountant_a = user(
            "dash_accountant_a", cls.company_a, stock + ",account.group_account_readonly"
        )
        cls.recall_a = user(
            "dash_recall_a", cls.company_a, stock + ",lot_recall.group_recall_manager"
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "Dashboard Yoghurt",
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
                "standard_price": 2.5,
            }
        )

    def _tiles(self, user):
        self.env.flush_all()
        data = self.env["lot.trace.dashboard"].with_user(user).get_tiles()
        return {tile["key"]: tile for section in data["sections"] for tile in section["tiles"]}

    def _lot(self, company, name, days_left=None):
        return (
            self.env["stock.lot"]
            .with_company(company)
            .create(
                {
                    "name": name,
                    "product_id": self.product.id,
                    "company_id": company.id,
                    "expiration_date": fields.Datetime.now() + timedelta(days=days_left)
                    if days_left is not None
                    else False,
                }
            )
        )

    def _receive(self, lot, warehouse, quantity):
        quant = (
            self.env["stock.quant"]
            .with_company(warehouse.company_id)
            .with_context(inventory_mode=True)
            .create(
                {
                    "product_id": lot.product_id.id,
                    "lot_id": lot.id,
                    "location_id": warehouse.lot_stock_id.id,
                    "inventory_quantity": quantity,
                }
            )
        )
        quant.action_apply_inventory()

    def test_lot_status_counts_keep_to_the_user_companies(self):
        before_a, before_b = self._tiles(self.inventory_a), self._tiles(self.inventory_b)
        self._lot(self.company_a, "DASH-A-1")._lot_set_status("quarantine", "Lab test")
        self._lot(self.company_b, "DASH-B-1")._lot_set_status("blocked", "Foreign body")
        self._lot(self.company_b, "DASH-B-2")._lot_set_status("quarantine", "Lab test")
        after_a, after_b = self._tiles(self.inventory_a), self._tiles(self.inventory_b)
        self.assertEqual(after_a["quarantine"]["count"], before_a["quarantine"]["count"] + 1)
        self.assertEqual(after_a["blocked"]["count"], before_a["blocked"]["count"])
        self.assertEqual(after_b["quarantine"]["count"], before_b["quarantine"]["count"] + 1)
        self.assertEqual(after_b["blocked"]["count"], before_b["blocked"]["count"] + 1)
        self.assertEqual(after_a["recalled"]["count"], before_a["recalled"]["count"])
        # The tile opens the lots it counts.
        action = after_a["quarantine"]["action"]
        self.assertEqual(action["res_model"], "stock.lot")
        lots = self.env["stock.lot"].with_user(self.inventory_a).search(action["domain"])
        self.assertEqual(len(lots), after_a["quarantine"]["count"])
        self.assertIn("DASH-A-1", lots.mapped("name"))
        self.assertEqual(lots.company_id, self.company_a)

    def test_expiring_stock_per_horizon_with_value_for_accounting_only(self):
        self.company_a.lot_expiry_alert_horizons = "30,7"
        self.company_b.lot_expiry_alert_horizons = "60"
        Report = self.env["lot.near.expiry.report"]
        domain = [("days_left", ">=", 0), ("days_left", "<=", 7)]

        def value_a():
            self.env.flush_all()
            [(value,)] = Report._read_group(
                domain + [("company_id", "=", self.company_a.id)], aggregates=["value:sum"]
            )
            return value

        before = self._tiles(self.accountant_a)
        value_before = value_a()
        self._receive(self._lot(self.company_a, "DASH-A-EXP", days_left=5), self.warehouse_a, 10)
        self._receive(self._lot(self.company_a, "DASH-A-LATER", days_left=20), self.warehouse_a, 4)
        self._receive(self._lot(self.company_b, "DASH-B-EXP", days_left=5), self.warehouse_b, 10)
        self.assertEqual(value_a(), value_before + 25.0)
        tiles = self._tiles(self.accountant_a)
        # Only the horizons of the user's companies.
        self.assertEqual(
            [key for key in tiles if key.startswith("expiry_")], ["expiry_30", "expiry_7"]
        )
        self.assertEqual(tiles["expiry_7"]["count"], before["expiry_7"]["count"] + 1)
        self.assertEqual(tiles["expiry_30"]["count"], before["expiry_30"]["count"] + 2)
        # Company A's value at cost only: 10 x 2.50 more, not company B's 25.
        self.assertEqual(
            tiles["expiry_7"]["detail"],
            format_amount(self.env, value_before + 25.0, self.company_a.currency_id),
        )
        # No money for the inventory user.
        inventory = self._tiles(self.inventory_a)
        self.assertEqual(inventory["expiry_7"]["count"], tiles["expiry_7"]["count"])
        self.assertEqual(inventory["expiry_7"]["detail"], "lots in stock")
        self.assertNotIn(self.company_a.currency_id.symbol, str(inventory))
        # Company B's user sees its own horizon and lot.
        tiles_b = self._tiles(self.inventory_b)
        self.assertEqual([key for key in tiles_b if key.startswith("expiry_")], ["expiry_60"])
        self.assertEqual(tiles_b["expiry_60"]["count"], 1)
        action = tiles_b["expiry_60"]["action"]
        rows = Report.with_user(self.inventory_b).search(action["domain"])
        self.assertEqual(rows.lot_id.mapped("name"), ["DASH-B-EXP"])

    def test_recall_tiles_keep_to_the_user_companies(self):
        self.assertNotIn("open_recalls", self._tiles(self.inventory_a))
        before = self._tiles(self.recall_a)
        Recall = self.env["lot.recall"]
        flour = self.env.ref("lot_traceability.lot_flour_1")
        recall = Recall.with_user(self.recall_a).create(
            {"reason": "Salmonella", "scope_lot_ids": [(6, 0, flour.ids)]}
        )
        mock = Recall.with_user(self.recall_a).create(
            {"kind": "mock", "reason": "Yearly exercise", "scope_lot_ids": [(6, 0, flour.ids)]}
        )
        mock.action_compute_scope()
        lot_b = self._lot(self.company_b, "DASH-B-RCL")
        for kind in ("recall", "mock"):
            Recall.with_company(self.company_b).create(
                {
                    "kind": kind,
                    "reason": "Company B",
                    "company_id": self.company_b.id,
                    "scope_lot_ids": [(6, 0, lot_b.ids)],
                }
            ).action_compute_scope()
        tiles = self._tiles(self.recall_a)
        self.assertEqual(tiles["open_recalls"]["count"], before["open_recalls"]["count"] + 1)
        self.assertIn(recall.name, [line["label"] for line in tiles["open_recalls"]["lines"]])
        line = next(line for line in tiles["open_recalls"]["lines"] if line["label"] == recall.name)
        self.assertEqual(line["value"], "0.0 % recovered")
        self.assertEqual(line["action"]["res_id"], recall.id)
        opened = Recall.with_user(self.recall_a).search(tiles["open_recalls"]["action"]["domain"])
        self.assertEqual(len(opened), tiles["open_recalls"]["count"])
        self.assertEqual(opened.company_id, self.company_a)
        # The last mock recall of company A, against its 4-hour target.
        mock_tile = tiles["mock_recall"]
        self.assertIn(mock.name, mock_tile["detail"])
        self.assertIn("of a 4.0 h target", mock_tile["detail"])
        self.assertEqual(mock_tile["value"], f"{round(mock.trace_duration, 2)} h")
        self.assertEqual(mock_tile["tone"], "success")

    def test_fefo_rate_keeps_to_the_user_companies(self):
        Report = self.env["lot.fefo.compliance.report"]
        before_a, before_b = self._tiles(self.inventory_a), self._tiles(self.inventory_b)
        Report.create({"company_id": self.company_b.id, "date": fields.Datetime.now()})
        Report.create(
            {
                "company_id": self.company_a.id,
                "date": fields.Datetime.now() - timedelta(days=200),
            }
        )
        after_a, after_b = self._tiles(self.inventory_a), self._tiles(self.inventory_b)
        self.assertEqual(after_a["fefo"]["count"], before_a["fefo"]["count"])
        self.assertEqual(after_a["fefo"]["value"], before_a["fefo"]["value"])
        self.assertEqual(after_b["fefo"]["count"], before_b["fefo"]["count"] + 1)
        self.assertEqual(after_b["fefo"]["tone"], "warning")
        action = after_b["fefo"]["action"]
        self.assertEqual(Report.with_user(self.inventory_b).search_count(action["domain"]), 1)

    def test_only_inventory_users(self):
        for groups in ("base.group_user", "base.group_portal"):
            user = new_test_user(self.env, login=f"dash_{groups}", groups=groups)
            with self.subTest(groups=groups), self.assertRaises(AccessError):
                self.env["lot.trace.dashboard"].with_user(user).get_tiles()
