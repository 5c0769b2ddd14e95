"""The demo shows every feature of the suite at work (issue 16), as the README's ten-minute
walkthrough tells it: numbering rules in use, GS1 data, the states already reached, and
every menu of the suite open to the administrator without an access error."""

import re
from datetime import timedelta

from odoo import fields
from odoo.addons.lot_traceability.tools import gs1
from odoo.tests import TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval

SUITE = ("lot_traceability", "lot_fefo", "lot_recall", "lot_account")


@tagged("post_install", "-at_install")
class TestDemoWalkthrough(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        # as the administrator sees the demo, in the main company
        cls.env = cls.env(user=cls.admin, context=dict(cls.env.context, allowed_company_ids=[1]))
        cls.main = cls.env.ref("base.main_company")
        cls.today = fields.Date.context_today(cls.env["res.users"])

    def ref(self, xmlid):
        return self.env.ref(xmlid if "." in xmlid else f"lot_traceability.{xmlid}")

    def _day_code(self, date):
        return f"{date.year % 100:02d}{date.timetuple().tm_yday:03d}"

    # ------------------------------------------------------------------ numbering

    def test_numbering_rules_assigned_to_categories_and_company(self):
        raw = self.ref("categ_raw")
        self.assertEqual(raw.lot_numbering_rule_id, self.ref("numbering_rule_raw"))
        wip = self.ref("categ_wip")
        self.assertEqual(wip.lot_numbering_rule_id, self.ref("numbering_rule_intermediate"))
        finished = self.ref("categ_finished")
        self.assertEqual(finished.lot_numbering_rule_id, self.ref("numbering_rule_finished"))
        self.assertEqual(finished.lot_code, "L1")
        nord = self.ref("company_nord")
        self.assertEqual(nord.lot_numbering_rule_id, self.ref("numbering_rule_nord"))
        both = self.env["lot.numbering.rule"].with_context(allowed_company_ids=[1, nord.id])
        rules = both.search([])
        self.assertEqual(len(rules), 4, "Inventory > Configuration > Lot Numbering Rules")

    def test_recent_receipts_name_raw_lots_by_supplier_and_day(self):
        receipt = self.ref("walkthrough_receipt_done")
        self.assertEqual(receipt.state, "done")
        self.assertGreaterEqual(receipt.date_done.date(), self.today - timedelta(days=3))
        day = receipt.date_done.date()
        numbers = []
        for xmlid, supplier in (
            ("walkthrough_lot_flour", "GFM"),
            ("walkthrough_lot_sugar", "GFM"),
            ("walkthrough_lot_milk", "GVD"),
            ("walkthrough_lot_eggs", "SHF"),
        ):
            lot = self.ref(xmlid)
            self.assertRegex(lot.name, rf"^{supplier}-{self._day_code(day)}-\d{{3}}$")
            self.assertEqual(lot.receipt_date.date(), day)
            numbers.append(int(lot.name[-3:]))
        # one counter shared by the raw materials: the lots of that day follow each other
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + 4)))
        expired = self.ref("walkthrough_lot_milk_expired")
        receipt_day = self.ref("walkthrough_receipt_expired_milk").date_done.date()
        # 13 days ago, 11 days before the receipt of 2 days ago (the demo counts days in
        # UTC, the user's today may already be the next day)
        self.assertEqual((day - receipt_day).days, 11)
        self.assertRegex(expired.name, rf"^GVD-{self._day_code(receipt_day)}-\d{{3}}$")

    def test_manufacturing_orders_name_lots_by_line_day_and_check_digit(self):
        production = self.ref("walkthrough_mo_cake")
        self.assertEqual(production.state, "done")
        name = production.lot_producing_id.name
        day = self._day_code(production.date_start.date())
        self.assertRegex(name, rf"^L1{day}\d{{3}}\d$")
        self.assertEqual(name[-1], gs1.gtin_check_digit(re.sub(r"\D", "", name[:-1])))
        dough = self.ref("walkthrough_mo_dough")
        self.assertEqual(dough.state, "done")
        day = self._day_code(dough.date_start.date())
        self.assertRegex(dough.lot_producing_id.name, rf"^WIP-DGH-{day}-\d{{2}}$")

    def test_second_company_receipt_named_by_its_company_default(self):
        nord = self.ref("company_nord")
        receipt = self.ref("walkthrough_receipt_nord").with_context(allowed_company_ids=nord.ids)
        self.assertEqual(receipt.company_id, nord)
        self.assertEqual(receipt.state, "assigned")
        date = receipt.scheduled_date
        self.assertRegex(receipt.move_line_ids.lot_name, rf"^NB{date:%y%m}-\d{{4}}$")

    # ------------------------------------------------------------------ GS1

    def test_sold_products_have_gtins_and_labels_show_the_digital_link(self):
        sold = self.env["product.product"].search(
            [("sale_ok", "=", True), ("list_price", ">", 0), ("default_code", "=like", "FG-%")]
        )
        self.assertEqual(set(sold.mapped("default_code")), {"FG-CAK", "FG-COO"})
        for product in sold:
            self.assertTrue(gs1.is_valid_gtin(product.barcode), product.display_name)
        lot = self.ref("walkthrough_lot_cake")
        html, _format = self.env["ir.actions.report"]._render_qweb_html(
            "lot_traceability.action_report_lot_label_gs1", lot.ids
        )
        html = html.decode()
        self.assertIn('alt="GS1 Digital Link"', html)
        self.assertIn("data:image/png;base64,", html)
        self.assertNotIn("No GTIN", html)
        self.assertIn(lot.name, html)

    def test_open_receipt_carries_a_supplier_barcode_ready_to_scan(self):
        receipt = self.ref("walkthrough_receipt_open")
        self.assertEqual(receipt.state, "assigned")
        code = re.search(r"<code>([^<]+)</code>", str(receipt.note)).group(1)
        line = receipt.action_apply_gs1_barcode(code)
        self.assertEqual(line.lot_name, "GFM-24301")
        self.assertEqual(line.quantity, 250)
        self.assertEqual(line.product_id, self.ref("product_flour"))

    # ------------------------------------------------------------------ states

    def _on_hand(self, lot, location=None):
        domain = [("lot_id", "=", lot.id), ("location_id.usage", "=", "internal")]
        if location:
            domain.append(("location_id", "=", location.id))
        return sum(self.env["stock.quant"].search(domain).mapped("quantity"))

    def test_lot_statuses_reached(self):
        quarantined = self.ref("lot_eggs_1")
        self.assertEqual(quarantined.lot_status, "quarantine")
        self.assertGreater(self._on_hand(quarantined), 0)
        restricted = self.ref("lot_cake_1")
        self.assertEqual(restricted.lot_status, "restricted")
        self.assertEqual(restricted.lot_restricted_partner_ids, self.ref("cust_corner_bakery"))
        blocked = self.ref("walkthrough_lot_milk")
        self.assertEqual(blocked.lot_status, "blocked")
        quarantine = self.ref("lot_fefo.location_quarantine_main")
        self.assertEqual(self._on_hand(blocked, quarantine), 60)

    def test_expired_lots_moved_to_expiry_location_and_partly_scrapped(self):
        expired_location = self.ref("lot_fefo.location_expired_main")
        self.assertEqual(self.ref("stock.warehouse0").lot_expiry_location_id, expired_location)
        self.assertEqual(self.ref("lot_milk_1").lot_status, "expired")
        self.assertEqual(self._on_hand(self.ref("lot_milk_1"), expired_location), 80)
        lot = self.ref("walkthrough_lot_milk_expired")
        self.assertEqual(lot.lot_status, "expired")
        # 60 L were received: 40 L scrapped, 20 L wait in the expiry location
        self.assertEqual(self._on_hand(lot), 20)
        self.assertEqual(self._on_hand(lot, expired_location), 20)
        scrap = self.env["stock.scrap"].search([("lot_id", "=", lot.id), ("state", "=", "done")])
        self.assertEqual(scrap.scrap_qty, 40)
        self.assertEqual(scrap.location_id, expired_location)
        loss = self.ref("lot_account.account_expired_stock_loss")
        entry_lines = scrap.move_ids.account_move_ids.line_ids
        debit = entry_lines.filtered(lambda line: line.account_id == loss)
        self.assertTrue(debit, "the scrap is posted to the Expired Stock Loss account")
        self.assertAlmostEqual(debit.debit, 40 * 1.1, places=2)
        self.assertEqual(debit.move_id.state, "posted")

    def test_expiry_digest_sent(self):
        digests = self.env["lot.expiry.digest"].search([("company_id", "=", self.main.id)])
        self.assertTrue(digests, "Inventory > Reporting > Expiry Digests")
        self.assertTrue(digests.line_ids)
        self.assertIn(self.ref("lot_milk_2"), digests.line_ids.lot_id)

    def test_fefo_compliance_exception(self):
        rows = self.env["lot.fefo.compliance.report"].search(
            [
                ("lot_id", "=", self.ref("walkthrough_lot_cake").id),
                ("partner_id", "=", self.ref("cust_green_grocer").id),
            ]
        )
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows.earlier_lot_id, self.ref("lot_cake_2"))
        self.assertEqual(rows.quantity, 30)

    def test_finished_mock_recall_within_target(self):
        recalls = self.env["lot.recall"].search([("kind", "=", "mock"), ("state", "=", "closed")])
        self.assertEqual(len(recalls), 1)
        self.assertEqual(recalls.scope_lot_ids, self.ref("lot_sugar_1"))
        self.assertEqual(recalls.mock_target_hours, 4)
        self.assertAlmostEqual(recalls.trace_duration, 85 / 60, places=2)
        self.assertEqual(recalls.mock_result, "passed")
        self.assertTrue(recalls.effectiveness_reviewed)
        self.assertGreater(len(recalls.customer_ids), 5)

    # ------------------------------------------------------------------ access

    def test_administrator_in_every_group_of_the_suite(self):
        suite_groups = self.env["ir.model.data"].search(
            [("model", "=", "res.groups"), ("module", "in", SUITE)]
        )
        self.assertTrue(suite_groups)
        groups = self.env["res.groups"].browse(suite_groups.mapped("res_id"))
        groups |= self.env.ref("account.group_account_manager")
        groups |= self.env.ref("account.group_account_readonly")
        groups |= self.env.ref("stock.group_production_lot")
        for group in groups:
            self.assertIn(self.admin, group.users, group.full_name)

    def _suite_menus(self, user):
        data = (
            self.env["ir.model.data"]
            .sudo()
            .search([("model", "=", "ir.ui.menu"), ("module", "in", SUITE)])
        )
        menus = self.env["ir.ui.menu"].with_user(user).browse(data.mapped("res_id"))
        visible = menus.browse(menus._visible_menu_ids())
        return menus & visible

    def _open_menu(self, user, menu):
        """Load what the menu's action shows, as the web client does for ``user``."""
        env = self.env(user=user, context={"allowed_company_ids": user.company_id.ids})
        action = menu.action.sudo()
        if action._name == "ir.actions.client":
            self.assertEqual(action.tag, "lot_recall.trace_dashboard")
            return env["lot.trace.dashboard"].get_tiles()
        if action._name == "ir.actions.server":
            result = action.with_env(env).run()
            action = (
                env["ir.actions.act_window"]
                .sudo()
                .new(
                    {
                        key: value
                        for key, value in result.items()
                        if key in ("res_model", "domain", "context", "view_mode")
                    }
                )
            )
            action.context = str(result.get("context") or {})
            action.domain = str(result.get("domain") or [])
        eval_context = {
            **env["ir.actions.actions"]._get_eval_context(),
            "allowed_company_ids": user.company_id.ids,
            "active_id": False,
            "active_ids": [],
        }
        context = safe_eval(action.context or "{}", eval_context)
        domain = safe_eval(action.domain or "[]", eval_context)
        model = env[action.res_model].with_context(**context)
        views = [(view.view_id.id, view.view_mode) for view in action.view_ids] or [
            (False, mode) for mode in action.view_mode.split(",")
        ]
        description = model.get_views(views)
        fields_spec = {
            name: {}
            for name in description["models"][action.res_model]["fields"]
            if name in model._fields
        }
        return model.web_search_read(domain, fields_spec, limit=80)

    def test_every_suite_menu_opens_without_access_error(self):
        suite_menus = self.env["ir.model.data"].search(
            [("model", "=", "ir.ui.menu"), ("module", "in", SUITE)]
        )
        self.assertEqual(
            len(self._suite_menus(self.admin)), len(suite_menus), "the administrator sees all"
        )
        users = [self.admin, self.ref("user_nord"), self.env.ref("base.user_demo")]
        for user in users:
            menus = self._suite_menus(user)
            self.assertTrue(menus, user.login)
            for menu in menus:
                with self.subTest(user=user.login, menu=menu.complete_name):
                    self.assertTrue(self._open_menu(user, menu))
