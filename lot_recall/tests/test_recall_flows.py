from odoo import Command
from odoo.addons.lot_traceability.tests.flow_common import FlowCase
from odoo.tests import new_test_user, tagged


@tagged("post_install", "-at_install")
class TestRecallFlows(FlowCase):
    """The scope of a recall follows every way a lot moves: its customers, deliveries,
    returns and the mass balance of its lots."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="flow_recall_manager",
            groups="lot_recall.group_recall_manager,stock.group_production_lot",
            company_id=cls.env.company.id,
            company_ids=[Command.set(cls.env.company.ids)],
        )

    def _scoped(self, lots):
        recall = (
            self.env["lot.recall"]
            .with_user(self.manager)
            .create(
                {
                    "reason": "Foreign bodies",
                    "scope_type": "lots",
                    "scope_lot_ids": [Command.set(lots.ids)],
                }
            )
        )
        recall.action_compute_scope()
        return recall

    def _scope_customers(self, recall):
        """{customer name: (delivered, returned)} of the recall."""
        return {
            customer.partner_id.name: (customer.delivered_quantity, customer.returned_quantity)
            for customer in recall.customer_ids
        }

    def test_recall_of_a_dropshipped_lot_reaches_the_customer(self):
        self._require("stock_dropshipping")
        lot, picking, dock = self._dropship(25)
        self.demo._return(picking, [(lot, 5)], 0)
        recall = self._scoped(lot)
        self.assertEqual(self._scope_customers(recall), {"Flow Grocer": (25, 5)})
        self.assertEqual(recall.delivery_line_ids.move_line_id, picking.move_line_ids)
        (line,) = recall.lot_line_ids
        self.assertEqual(
            (line.qty_in, line.qty_delivered, line.qty_returned, line.qty_unaccounted),
            (25, 25, 5, 0),
        )
        effectiveness = recall._effectiveness()
        self.assertEqual(
            (effectiveness["base"], effectiveness["at_customers"], effectiveness["recovered"]),
            (25, 20, 5),
        )
        self.assertEqual(effectiveness["accounted_percent"], 100)

    def test_recall_of_a_subcontracted_component_reaches_the_finished_lots_customers(self):
        self._require("mrp_subcontracting")
        flour, bread, _subcontractor = self._subcontract()
        recall = self._scoped(flour)
        self.assertEqual(recall.affected_lot_ids, flour | bread)
        self.assertEqual(self._scope_customers(recall), {"Flow Grocer": (15, 0)})
        self.assertEqual(recall.delivery_line_ids.lot_id, bread)
        self.assertEqual(recall._effectiveness()["accounted_percent"], 100)

    def test_recall_in_one_company_lists_the_other_company_as_customer(self):
        lot, _company_a, company_b, _user_b, _user_ab = self._intercompany()
        recall = self._scoped(lot)
        self.assertEqual(self._scope_customers(recall), {company_b.partner_id.name: (40, 0)})
        (line,) = recall.lot_line_ids
        self.assertEqual(
            (line.qty_in, line.qty_delivered, line.qty_on_hand, line.qty_unaccounted),
            (100, 40, 60, 0),
        )

    def test_recall_after_a_customer_return_and_redelivery(self):
        product = self._product("Flow Cocoa")
        lot = self._lot(product, "COC-001")
        self._receive(lot, 100)
        delivery = self._deliver(lot, 40, days_ago=3)
        self.demo._return(delivery, [(lot, 10)], 2)
        other = self.env["res.partner"].create({"name": "Flow Chocolatier"})
        self._deliver(lot, 10, partner=other)
        recall = self._scoped(lot)
        self.assertEqual(
            self._scope_customers(recall),
            {"Flow Grocer": (40, 10), "Flow Chocolatier": (10, 0)},
        )
        self.assertEqual(recall._effectiveness()["accounted_percent"], 100)
