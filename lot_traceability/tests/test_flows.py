from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..models.stock_move_line import fill_trace_inputs
from ..tools.move_kinds import TRACE_INPUT_COLUMNS
from .common import FlowCase


@tagged("post_install", "-at_install")
class TestFlows(FlowCase):
    """Every way a lot moves: trace, customers and a 100 % mass balance, as a warehouse user."""

    def test_dropship_is_a_receipt_from_the_vendor_and_a_delivery_to_the_customer(self):
        self._require("stock_dropshipping")
        lot, picking, dock = self._dropship(25)
        result = self._trace(lot)
        (move,) = result["movements"]
        self.assertEqual(move["kind"], "dropship")
        self.assertEqual((move["customer_id"], move["vendor_id"]), (dock.id, self.vendor.id))
        self.assertEqual(move["partner_id"], dock.id)
        self.assertEqual(move["sale_id"], picking.move_ids.sale_line_id.order_id.id)
        self.assertEqual(move["purchase_id"], picking.purchase_id.id)
        self.assertEqual(self._customers(lot), {"Flow Grocer Dock": 25})
        self._assert_balance(lot, dropship=25, received=25, delivered=25, on_hand=0)
        lot_as_user = lot.with_user(self.user)
        self.assertEqual((lot_as_user.balance_in, lot_as_user.balance_delivered), (25, 25))
        action = lot.with_user(self.user).action_trace_upstream()
        line = self.env["lot.trace"].with_user(self.user).browse(action["res_id"]).line_ids
        self.assertEqual(
            (line.kind, line.partner_id, line.vendor_id), ("dropship", dock, self.vendor)
        )

    def test_dropship_return_is_a_customer_return_and_a_return_to_the_vendor(self):
        self._require("stock_dropshipping")
        lot, picking, dock = self._dropship(25)
        returned = self.demo._return(picking, [(lot, 5)], 0)
        self.assertEqual(
            (returned.location_id, returned.location_dest_id), (self.customers, self.suppliers)
        )
        moves = self._trace(lot)["movements"]
        self.assertEqual(
            {(m["kind"], m["customer_id"], m["vendor_id"], m["quantity"]) for m in moves},
            {
                ("dropship", dock.id, self.vendor.id, 25),
                ("dropship_return", dock.id, self.vendor.id, 5),
            },
        )
        balance = self._assert_balance(
            lot, received=25, delivered=25, returned=5, returned_to_supplier=5, on_hand=0
        )
        self.assertEqual((balance["in"], balance["out"]), (30, 30))
        self.assertEqual(lot.with_user(self.user).balance_returned, 5)

    def test_partners_changed_after_the_dropship_are_those_of_the_trace(self):
        """The partners a trace reads from the lines (kept on them) follow the purchase
        order, the transfer and the move when they change after the goods left."""
        self._require("stock_dropshipping")
        lot, picking, dock = self._dropship(25)
        other_vendor = self.env["res.partner"].create({"name": "Flow Other Mill"})
        picking.purchase_id.partner_id = other_vendor
        (move,) = self._trace(lot)["movements"]
        self.assertEqual((move["customer_id"], move["vendor_id"]), (dock.id, other_vendor.id))
        picking.move_ids.partner_id = False
        picking.sale_id.partner_shipping_id = self.customer
        (move,) = self._trace(lot)["movements"]
        self.assertEqual(move["customer_id"], self.customer.id)
        picking.move_ids.partner_id = dock
        (move,) = self._trace(lot)["movements"]
        self.assertEqual(move["customer_id"], dock.id)

    def test_transfer_partner_changed_after_the_delivery_is_the_customer_of_the_trace(self):
        lot = self._lot(self._product("Flow Spelt"), "SPL-001")
        self._receive(lot, 100)
        delivery = self._deliver(lot, 10)
        tea_room = self.env["res.partner"].create({"name": "Flow Tea Room"})
        delivery.move_ids.partner_id = False
        delivery.partner_id = tea_room
        self.assertEqual(self._movements(self._trace(lot), lot)[("delivery", "Flow Tea Room")], 10)

    def test_nobody_sets_the_partners_a_trace_reads(self):
        """The trace inputs of a line are refused in the values a user sends (the ORM would
        keep a value written, and the trace would show another customer than the
        transfers)."""
        lot = self._lot(self._product("Flow Oats"), "OAT-001")
        self._receive(lot, 100)
        line = self._deliver(lot, 10).move_line_ids
        forger = self.env["res.partner"].create({"name": "Flow Forger"})
        as_user = line.with_user(self.user)
        with self.assertRaises(AccessError):
            as_user.write({"lot_trace_move_partner_id": forger.id})
        with self.assertRaises(AccessError):
            as_user.copy({"lot_trace_picking_partner_id": forger.id})
        self.assertEqual(
            self._movements(self._trace(lot), lot),
            {("receipt", "Flow Mill"): 100, ("delivery", "Flow Grocer"): 10},
        )

    def test_install_fills_the_trace_inputs_of_existing_lines_as_the_orm_does(self):
        """The SQL that fills the trace inputs at install and update gives every line the
        values the ORM computed (sale and purchase orders, manufacturing orders, partners)."""
        self._require("stock_dropshipping")
        self._dropship(25)
        self._unbuild()
        columns = ", ".join(TRACE_INPUT_COLUMNS)
        self.env.flush_all()
        # The ORM stores an empty order id as 0 or NULL, which it reads alike.
        read = columns.replace("lot_trace_sale_id", "NULLIF(lot_trace_sale_id, 0)").replace(
            "lot_trace_purchase_id", "NULLIF(lot_trace_purchase_id, 0)"
        )
        query = f"SELECT id, {read} FROM stock_move_line ORDER BY id"
        self.env.cr.execute(query)
        computed = self.env.cr.fetchall()
        for column in ("lot_trace_sale_id", "lot_trace_purchase_id", "lot_trace_production_id"):
            self.assertTrue(any(row[1 + TRACE_INPUT_COLUMNS.index(column)] for row in computed))
        self.env.cr.execute(
            f"UPDATE stock_move_line SET ({columns}) = ROW({', '.join(['NULL'] * 8)})"
        )
        fill_trace_inputs(self.env.cr)
        self.env.cr.execute(query)
        self.assertEqual(self.env.cr.fetchall(), computed)

    def test_uninstalling_the_sale_bridge_takes_the_sale_orders_out_of_the_trace(self):
        """When ``sale_stock`` is uninstalled, its moves' sale order lines are dropped: the
        lines forget their sale orders, as the live classification does (purchase kept)."""
        self._require("stock_dropshipping")
        lot, picking, _dock = self._dropship(25)
        self.env.flush_all()
        sale_line = self.env["ir.model.fields"]._get("stock.move", "sale_line_id")
        query = """SELECT lot_trace_sale_id, lot_trace_sale_partner_id, lot_trace_purchase_id
                     FROM stock_move_line WHERE lot_id = %s"""
        self.env.cr.execute(query, [lot.id])
        self.assertEqual(
            self.env.cr.fetchall(),
            [(picking.sale_id.id, picking.sale_id.partner_shipping_id.id, picking.purchase_id.id)],
        )
        with self.env.cr.savepoint(flush=False) as savepoint:
            sale_line._drop_column()
            self.env.cr.execute(query, [lot.id])
            self.assertEqual(self.env.cr.fetchall(), [(0, None, picking.purchase_id.id)])
            savepoint.rollback()

    def test_subcontracting_component_reaches_the_customers_of_the_finished_lot(self):
        self._require("mrp_subcontracting")
        flour, bread, subcontractor = self._subcontract()
        result = self._trace(flour)
        self.assertEqual(self._lot_names(result), {"SUB-FLR-001", "SUB-BRD-001"})
        (edge,) = result["edges"]
        self.assertEqual(
            (edge["in_lot"], edge["out_lot"], edge["quantity"]), (*(flour | bread).ids, 40)
        )
        self.assertEqual(
            self._movements(result, flour),
            {
                ("receipt", "Flow Mill"): 100,
                ("internal", "Flow Bakehouse"): 40,
                ("consumption", False): 40,
            },
        )
        self.assertEqual(self._customers(flour), {"Flow Grocer": 15})
        self.assertEqual(self._customers(bread), {"Flow Grocer": 15})
        upstream = self._trace(bread, "upstream")
        self.assertEqual(self._lot_names(upstream), {"SUB-FLR-001", "SUB-BRD-001"})
        self._assert_balance(flour, received=100, consumption=40, on_hand=60)
        self._assert_balance(bread, production=20, delivered=15, on_hand=5)

    def test_transfers_between_two_warehouses_and_resupply_through_transit(self):
        lot = self._two_warehouses()
        self.assertEqual(
            self._movements(self._trace(lot)),
            {
                ("receipt", "Flow Mill"): 100,
                ("internal", False): 30,
                ("transit", False): 40,
                ("delivery", "Flow Grocer"): 10,
            },
        )
        self.assertEqual(self._customers(lot), {"Flow Grocer": 10})
        self._assert_balance(lot, received=100, delivered=10, on_hand=90)

    def test_intercompany_trace_continues_only_for_users_of_both_companies(self):
        lot, company_a, company_b, user_b, user_ab = self._intercompany()
        name_a, name_b = company_a.partner_id.name, company_b.partner_id.name
        # Company A's user: shipped to company B, which is A's customer.
        self.assertEqual(
            self._movements(self._trace(lot)),
            {("receipt", "Flow Mill"): 100, ("intercompany_out", name_b): 40},
        )
        self.assertEqual(self._customers(lot), {name_b: 40})
        self._assert_balance(lot, received=100, delivered=40, on_hand=60)
        # Company B's user: received from company A, delivered to its customer.
        self.assertEqual(
            self._movements(self._trace(lot, user=user_b)),
            {("intercompany_in", name_a): 40, ("delivery", "Customer of B"): 30},
        )
        self.assertEqual(self._customers(lot, user_b), {"Customer of B": 30})
        self._assert_balance(lot, user_b, received=40, delivered=30, on_hand=10)
        # A user of both companies follows the lot to B's customer, 100 % reconciled.
        self.assertEqual(self._customers(lot, user_ab), {name_b: 40, "Customer of B": 30})
        self._assert_balance(lot, user_ab, received=140, delivered=70, on_hand=70)

    def test_kit_components_delivered(self):
        lot = self._kit()
        self.assertEqual(
            self._movements(self._trace(lot)),
            {("receipt", "Flow Mill"): 100, ("delivery", "Flow Grocer"): 20},
        )
        self.assertEqual(self._customers(lot), {"Flow Grocer": 20})
        self._assert_balance(lot, received=100, delivered=20, on_hand=80)

    def test_by_products_are_traced_from_the_components(self):
        cream_lot, butter_lot, buttermilk_lot = self._byproducts()
        result = self._trace(cream_lot)
        self.assertEqual(self._lot_names(result), {"CRM-001", "BTR-001", "BTM-001"})
        self.assertEqual(
            {(e["out_lot"], e["quantity"]) for e in result["edges"]},
            {(butter_lot.id, 50), (buttermilk_lot.id, 50)},
        )
        self.assertEqual(self._customers(cream_lot), {"Flow Grocer": 4, "Flow Dairy Buyer": 30})
        self.assertEqual(
            self._lot_names(self._trace(buttermilk_lot, "upstream")), {"CRM-001", "BTM-001"}
        )
        self._assert_balance(cream_lot, received=100, consumption=50, on_hand=50)
        self._assert_balance(butter_lot, production=10, delivered=4, on_hand=6)
        self._assert_balance(buttermilk_lot, production=30, delivered=30, on_hand=0)

    def test_unbuild_returns_components_to_their_lots(self):
        flour_lot, cake_lot = self._unbuild()
        result = self._trace(flour_lot)
        self.assertEqual(self._lot_names(result), {"RYE-001", "RYC-001"})
        self.assertEqual(
            {(e["kind"], e["in_lot"], e["out_lot"], e["quantity"]) for e in result["edges"]},
            {
                ("production", flour_lot.id, cake_lot.id, 20),
                ("unbuild", cake_lot.id, flour_lot.id, 2),
            },
        )
        self.assertEqual(self._customers(flour_lot), {"Flow Grocer": 5})
        self._assert_balance(flour_lot, received=100, consumption=20, production=4, on_hand=84)
        self._assert_balance(cake_lot, production=10, consumption=2, delivered=5, on_hand=3)

    def test_scrap_and_inventory_adjustments(self):
        lot, found = self._scrap_and_adjust()
        self.assertEqual(
            self._movements(self._trace(lot)),
            {
                ("receipt", "Flow Mill"): 100,
                ("scrap", False): 7,
                ("adjustment_out", False): 5,
                ("adjustment_in", False): 3,
            },
        )
        self.assertEqual(self._customers(lot), {})
        balance = self._assert_balance(
            lot, received=100, scrap=7, adjustment_out=5, adjustment_in=3, on_hand=91
        )
        self.assertEqual((balance["in"], balance["out"]), (103, 12))
        self._assert_balance(found, adjustment_in=12, on_hand=12)

    def test_customer_return_and_redelivery(self):
        lot = self._customer_return()
        self.assertEqual(
            self._movements(self._trace(lot)),
            {
                ("receipt", "Flow Mill"): 100,
                ("delivery", "Flow Grocer"): 40,
                ("customer_return", "Flow Grocer"): 10,
                ("delivery", "Flow Tea Room"): 10,
            },
        )
        self.assertEqual(self._customers(lot), {"Flow Grocer": 40, "Flow Tea Room": 10})
        balance = self._assert_balance(lot, received=100, delivered=50, returned=10, on_hand=60)
        self.assertEqual((balance["in"], balance["out"]), (110, 50))

    def test_return_to_vendor(self):
        lot = self._vendor_return()
        moves = self._trace(lot)["movements"]
        self.assertEqual(
            {(m["kind"], m["vendor_id"], m["quantity"]) for m in moves},
            {("receipt", self.vendor.id, 100), ("supplier_return", self.vendor.id, 20)},
        )
        self.assertEqual(self._customers(lot), {})
        self._assert_balance(lot, received=100, returned_to_supplier=20, on_hand=80)

    def test_unit_conversions_kg_g_and_dozens(self):
        flour_lot, roll_lot = self._unit_conversions()
        result = self._trace(flour_lot)
        self.assertEqual([e["quantity"] for e in result["edges"]], [30])
        self.assertEqual(self._customers(flour_lot), {"Flow Grocer": 60})
        self._assert_balance(flour_lot, received=100, consumption=30, on_hand=70)
        self._assert_balance(roll_lot, production=120, delivered=60, on_hand=60)

    def _trace_queries(self, lot):
        genealogy = self.genealogy.with_user(self.user)
        genealogy.trace(lot.ids)
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        result = genealogy.trace(lot.ids)
        return self.env.cr.sql_log_count - before, len(result["movements"])

    def test_classification_queries_do_not_grow_with_the_movements(self):
        receipt_lot = self._lot(self._product("Flow Barley"), "BRL-001")
        self._receive(receipt_lot, 100)
        self._deliver(receipt_lot, 10)
        few = self._trace_queries(receipt_lot)
        for index in range(6):
            partner = self.env["res.partner"].create({"name": f"Flow Brewer {index}"})
            self._deliver(receipt_lot, 5, partner=partner)
        many = self._trace_queries(receipt_lot)
        self.assertEqual((few[1], many[1]), (2, 8))
        self.assertEqual(few[0], many[0])

    def test_intercompany_genealogy_continues_only_for_users_of_the_other_company(self):
        lot, _company_a, company_b, user_b, user_ab = self._intercompany()
        crackers = self._product("Flow Rice Crackers")
        bom = (
            self.env["mrp.bom"]
            .with_company(company_b)
            .create(
                {
                    "product_tmpl_id": crackers.product_tmpl_id.id,
                    "company_id": company_b.id,
                    "bom_line_ids": [Command.create({"product_id": lot.product_id.id})],
                }
            )
        )
        crackers_lot = self._lot(crackers, "RCK-001")
        production = self._produce(bom, crackers_lot, 5, [(lot, 5)])
        self.assertEqual(production.company_id, company_b)
        # Company A's user stops at the shipment to company B.
        self.assertEqual(self._lot_names(self._trace(lot)), {"RICE-001"})
        for user in (user_b, user_ab):
            self.assertEqual(self._lot_names(self._trace(lot, user=user)), {"RICE-001", "RCK-001"})
            self.assertEqual(
                self._lot_names(self._trace(crackers_lot, "upstream", user=user)),
                {"RICE-001", "RCK-001"},
            )
        self._assert_balance(lot, user_ab, received=140, consumption=5, delivered=70, on_hand=65)
        self._assert_balance(crackers_lot, user_b, production=5, on_hand=5)
