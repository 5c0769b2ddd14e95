from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestRecallTours(HttpCase):
    """User flows of lot_recall, in the browser."""

    def test_start_recall_from_lot_block_stock_and_see_customers(self):
        new_test_user(
            self.env,
            login="recall_tour_manager",
            groups="lot_recall.group_recall_manager,stock.group_production_lot",
        )
        cake = self.env.ref("lot_traceability.lot_cake_1")
        self.start_tour(
            f"/odoo/action-stock.action_production_lot_form/{cake.id}",
            "lot_recall_start_from_lot",
            login="recall_tour_manager",
        )
        recall = self.env["lot.recall"].search([("scope_lot_ids", "=", cake.id)])
        self.assertEqual(len(recall), 1)
        self.assertEqual(recall.state, "in_progress")
        self.assertEqual(recall.reason, "Undeclared hazelnut in the cake glaze")
        self.assertEqual(recall.affected_lot_ids, cake)
        self.assertEqual(cake.lot_status, "recalled")
        self.assertEqual(len(recall.customer_ids), 6)
