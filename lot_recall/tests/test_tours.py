from odoo import Command
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

    def test_dashboard_opens_the_list_of_a_tile(self):
        user = new_test_user(
            self.env,
            login="dashboard_tour_user",
            groups="stock.group_stock_user,stock.group_production_lot,lot_recall.group_recall_user",
        )
        lot = self.env["stock.lot"].create(
            {
                "name": "DASH-TOUR-BLK",
                "product_id": self.env.ref("lot_traceability.product_cake").id,
                "company_id": self.env.company.id,
            }
        )
        lot._lot_set_status("blocked", "Metal fragment found")
        flour = self.env.ref("lot_traceability.lot_flour_1")
        self.env["lot.recall"].create(
            {"reason": "Salmonella", "scope_lot_ids": [Command.set(flour.ids)]}
        )
        self.env["lot.recall"].create(
            {"kind": "mock", "reason": "Exercise", "scope_lot_ids": [Command.set(flour.ids)]}
        ).action_compute_scope()
        self.start_tour(
            "/odoo/action-lot_recall.action_lot_trace_dashboard",
            "lot_recall_trace_dashboard",
            login=user.login,
        )

    def test_customer_answers_the_recall_and_the_manager_sees_it(self):
        new_test_user(
            self.env,
            login="response_tour_manager",
            groups="lot_recall.group_recall_manager,stock.group_production_lot",
        )
        recall = self.env["lot.recall"].create(
            {
                "reason": "Salmonella found in supplier flour",
                "scope_lot_ids": [Command.set(self.env.ref("lot_traceability.lot_flour_1").ids)],
            }
        )
        recall.action_compute_scope()
        recall.action_notify_customers()
        hospital = recall.customer_ids.filtered(
            lambda customer: (
                customer.partner_id == self.env.ref("lot_traceability.cust_city_hospital")
            )
        )
        # The customer, not logged in, follows the link of its notification.
        self.start_tour(hospital.get_portal_url(), "lot_recall_customer_response", login=None)
        self.assertEqual(hospital.response, "destroyed")
        self.assertEqual(hospital.destroyed_quantity, 30)
        self.assertEqual(hospital.outstanding_quantity, 0)
        self.start_tour(
            f"/odoo/action-lot_recall.action_lot_recall/{recall.id}",
            "lot_recall_customer_response_seen",
            login="response_tour_manager",
        )
