from odoo import Command
from odoo.addons.lot_traceability.tests.common import FlowCase, company_user
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestRecallFlows(FlowCase):
    """The scope of a recall follows every way a lot moves: its customers, deliveries,
    returns and the mass balance of its lots."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = company_user(
            cls.env,
            "flow_recall_manager",
            "lot_recall.group_recall_manager,stock.group_production_lot",
            cls.env.company,
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

    def test_eu_report_of_a_dropshipped_lot_names_the_vendor_and_the_customer(self):
        self._require("stock_dropshipping")
        lot, picking, dock = self._dropship(25)
        returned = self.demo._return(picking, [(lot, 5)], 0)
        report = (
            self.env["lot.eu.trace.report"]
            .with_user(self.manager)
            .create({"lot_ids": [Command.set(lot.ids)]})
        )
        rows = {
            row["movement"]: (
                row["step_key"],
                row["quantity"],
                row["consignor"],
                row["consignee"],
                row["document"],
            )
            for row in report._report_data()["rows"]
            if row["lot"] == lot.name
        }
        self.assertEqual(
            rows,
            {
                "Dropship": ("both", 25, "Flow Mill", dock.display_name, picking.name),
                "Dropship return": ("both", 5, dock.display_name, "Flow Mill", returned.name),
            },
        )

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

    def _lines(self, recall):
        """{lot name: (in, consumed, delivered, returned, scrapped, on hand)} of the
        recall's lots, each 100 % accounted for."""
        self.assertEqual(
            recall.lot_line_ids.mapped("qty_unaccounted"), [0] * len(recall.lot_line_ids)
        )
        self.assertEqual(recall._effectiveness()["accounted_percent"], 100)
        return {
            line.lot_id.name: (
                line.qty_in,
                line.qty_consumed,
                line.qty_delivered,
                line.qty_returned,
                line.qty_destroyed,
                line.qty_on_hand,
            )
            for line in recall.lot_line_ids
        }

    def test_recall_after_a_customer_return_and_redelivery(self):
        recall = self._scoped(self._customer_return())
        self.assertEqual(
            self._scope_customers(recall),
            {"Flow Grocer": (40, 10), "Flow Tea Room": (10, 0)},
        )
        self.assertEqual(self._lines(recall), {"TEA-001": (100, 0, 50, 10, 0, 60)})

    def test_recall_across_two_warehouses_and_transit(self):
        recall = self._scoped(self._two_warehouses())
        self.assertEqual(self._scope_customers(recall), {"Flow Grocer": (10, 0)})
        self.assertEqual(self._lines(recall), {"OAT-001": (100, 0, 10, 0, 0, 90)})

    def test_recall_of_a_kit_component(self):
        recall = self._scoped(self._kit())
        self.assertEqual(self._scope_customers(recall), {"Flow Grocer": (20, 0)})
        self.assertEqual(self._lines(recall), {"JAM-001": (100, 0, 20, 0, 0, 80)})

    def test_recall_reaches_the_customers_of_by_products(self):
        cream, _butter, _buttermilk = self._byproducts()
        recall = self._scoped(cream)
        self.assertEqual(
            self._scope_customers(recall), {"Flow Grocer": (4, 0), "Flow Dairy Buyer": (30, 0)}
        )
        self.assertEqual(
            self._lines(recall),
            {
                "CRM-001": (100, 50, 0, 0, 0, 50),
                "BTR-001": (10, 0, 4, 0, 0, 6),
                "BTM-001": (30, 0, 30, 0, 0, 0),
            },
        )

    def test_recall_after_an_unbuild(self):
        flour, _cake = self._unbuild()
        recall = self._scoped(flour)
        self.assertEqual(self._scope_customers(recall), {"Flow Grocer": (5, 0)})
        self.assertEqual(
            self._lines(recall),
            {"RYE-001": (104, 20, 0, 0, 0, 84), "RYC-001": (10, 2, 5, 0, 0, 3)},
        )

    def test_recall_after_scrap_and_inventory_adjustments(self):
        lot, _found = self._scrap_and_adjust()
        recall = self._scoped(lot)
        self.assertFalse(recall.customer_ids)
        self.assertEqual(self._lines(recall), {"SLT-001": (103, 0, 0, 0, 7, 91)})

    def test_recall_after_a_return_to_the_vendor(self):
        recall = self._scoped(self._vendor_return())
        self.assertFalse(recall.customer_ids)
        self.assertEqual(self._lines(recall), {"PEP-001": (100, 0, 0, 0, 0, 80)})

    def test_recall_in_the_products_units(self):
        flour, _roll = self._unit_conversions()
        recall = self._scoped(flour)
        self.assertEqual(self._scope_customers(recall), {"Flow Grocer": (60, 0)})
        self.assertEqual(
            self._lines(recall),
            {"SPL-001": (100, 30, 0, 0, 0, 70), "SPR-001": (120, 0, 60, 0, 0, 60)},
        )
