from datetime import timedelta

from odoo.tests import Form, tagged

from .common import RecallCase


@tagged("post_install", "-at_install")
class TestRecallDemo(RecallCase):
    """The demo mock recall, and a real recall of the demo flour lot from start to close."""

    def test_demo_mock_recall_is_scoped_and_passes(self):
        recall = self.env.ref("lot_recall.demo_mock_recall_flour")
        self.assertEqual((recall.kind, recall.state), ("mock", "scoped"))
        self.assertEqual(recall.scope_lot_ids, self.flour)
        self.assertEqual(
            self._names(recall.affected_lot_ids),
            {"RM-FLR-001", "WIP-DGH-001", "FG-CAK-001", "FG-COO-001"},
        )
        self.assertEqual(len(recall.customer_ids), 13)
        self.assertEqual(recall.mock_target_hours, 4)
        self.assertEqual(recall.mock_result, "passed")
        self.assertLess(recall.trace_duration, 4)
        # Traced five hours after the start: the mock recall fails the 4-hour target.
        recall.date_started = recall.date_traced - timedelta(hours=5)
        self.assertEqual(recall.mock_result, "failed")
        self.assertAlmostEqual(recall.trace_duration, 5)

    def test_mock_target_comes_from_the_company_settings(self):
        settings = Form(self.env["res.config.settings"])
        settings.lot_recall_mock_target_hours = 2.5
        settings.save().execute()
        self.assertEqual(self.env.company.lot_recall_mock_target_hours, 2.5)
        recall = self._scoped(kind="mock")
        self.assertEqual(recall.mock_target_hours, 2.5)
        self.assertEqual(recall.mock_result, "passed")
        self.assertFalse(self._scoped().mock_result)

    def test_real_recall_of_the_demo_flour_lot_from_start_to_close(self):
        # Started from the lot list ("Start Recall" on the selected lot).
        action = (
            self.env.ref("lot_recall.action_lot_start_recall")
            .with_user(self.manager)
            .with_context(
                active_model="stock.lot", active_ids=self.flour.ids, active_id=self.flour.id
            )
            .run()
        )
        wizard = Form(
            self.env[action["res_model"]].with_user(self.manager).with_context(**action["context"])
        )
        wizard.reason = "Supplier reports Salmonella in flour lot GFM-24117"
        wizard.recall_class = "1"
        recall = self.env["lot.recall"].browse(wizard.save().action_create_recall()["res_id"])
        recall.action_compute_scope()
        recall.action_start()
        recall.action_block_stock()
        recall.action_notify_customers()
        recall.action_create_returns()
        for picking in recall.return_picking_ids:
            picking.button_validate()
        self.assertEqual(set(recall.return_picking_ids.mapped("state")), {"done"})
        self.assertEqual(sum(recall.customer_ids.mapped("returned_quantity")), 580)
        self.assertEqual(set(recall.customer_ids.mapped("recovered_percent")), {100})
        recall.invalidate_recordset()
        products = recall._effectiveness()["products"]
        self.assertEqual(sum(group["at_customers"] for group in products), 0)
        self.assertEqual(
            {group["product"].default_code: group["recovered"] for group in products},
            {"RM-FLR": 320, "WIP-DGH": 0, "FG-CAK": 300, "FG-COO": 400},
        )
        self.assertEqual(recall.recovered_percent, 100)
        self.assertEqual(recall.accounted_percent, 100)
        self.assertEqual(self.cake.balance_on_hand, 300)
        self.assertEqual(self.cake.lot_status, "recalled")
        recall.action_review_effectiveness()
        recall.corrective_action = "<p>Flour tested for Salmonella at every receipt.</p>"
        recall.action_close()
        self.assertEqual(recall.state, "closed")
        domain = self.hospital.action_view_lot_recalls()["domain"]
        self.assertIn(recall, self.env["lot.recall"].search(domain))

    def test_administrator_is_a_recall_manager(self):
        admin = self.env.ref("base.user_admin")
        self.assertTrue(admin.has_group("lot_recall.group_recall_manager"))
        menu = self.env.ref("lot_recall.menu_lot_recall")
        self.assertIn(menu, self.env["ir.ui.menu"].with_user(admin).search([("id", "=", menu.id)]))
        self.assertIn(
            self.env.ref("lot_recall.demo_mock_recall_flour"),
            self.env["lot.recall"].with_user(admin).search([]),
        )
