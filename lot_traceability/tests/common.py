from odoo import Command
from odoo.tests import Form, TransactionCase, new_test_user

from ..tools.move_kinds import CLASSIFIED_COLUMNS, DELIVERY_KINDS, classify_lines


def company_user(env, login, groups, companies=None):
    """A user of ``groups`` (comma-separated xmlids) allowed in ``companies`` only (default:
    the current company), working in the first of them."""
    companies = companies or env.company
    return new_test_user(
        env,
        login=login,
        groups=groups,
        company_id=companies[0].id,
        company_ids=[Command.set(companies.ids)],
    )


class DemoCompaniesCase(TransactionCase):
    """The demo's two companies, the bakery and Bakery Nord, and its cake lot FG-CAK-001."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.main = ref("base.main_company")
        cls.nord = ref("lot_traceability.company_nord")
        cls.cake = ref("lot_traceability.lot_cake_1")


class FlowCase(TransactionCase):
    """Stock flows built with Odoo's own operations (the demo scenario's helpers), checked
    as a warehouse user: trace, customers, mass balance."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.demo = cls.env["lot.traceability.demo"]
        cls.genealogy = cls.env["lot.genealogy"]
        cls.warehouse = cls.env.ref("stock.warehouse0")
        cls.stock = cls.warehouse.lot_stock_id
        cls.suppliers = cls.env.ref("stock.stock_location_suppliers")
        cls.customers = cls.env.ref("stock.stock_location_customers")
        cls.vendor = cls.env["res.partner"].create({"name": "Flow Mill", "is_company": True})
        cls.customer = cls.env["res.partner"].create({"name": "Flow Grocer", "is_company": True})
        cls.user = cls._stock_user("flow_stock_user", cls.env.company)

    @classmethod
    def _stock_user(cls, login, *companies):
        return company_user(
            cls.env,
            login,
            "stock.group_stock_user,stock.group_production_lot",
            cls.env["res.company"].union(*companies),
        )

    @classmethod
    def _product(cls, name, **vals):
        return cls.env["product.product"].create(
            dict({"name": name, "is_storable": True, "tracking": "lot"}, **vals)
        )

    @classmethod
    def _lot(cls, product, name, **vals):
        return cls.env["stock.lot"].create(dict({"name": name, "product_id": product.id}, **vals))

    def _receive(self, lot, qty, partner=None, warehouse=None):
        return self.demo._receive(
            warehouse or self.warehouse, partner or self.vendor, [(lot, qty)], 5
        )

    def _deliver(self, lot, qty, partner=None, warehouse=None, days_ago=1):
        return self.demo._deliver(
            warehouse or self.warehouse, partner or self.customer, [(lot, qty)], days_ago
        )

    def _produce(self, bom, lot, qty, components, byproducts=()):
        """Manufacture ``qty`` of ``lot`` from (lot, quantity in the product's unit) pairs,
        with by-products as (lot, quantity) pairs, in the companies of ``bom``'s
        environment."""
        production = self.demo.with_env(bom.env)._produce(
            bom, lot, qty, components, byproducts=byproducts
        )
        self.assertEqual(production.state, "done")
        return production

    def _trace(self, lot, direction="downstream", user=None):
        """The lot's trace, once checked that its movements are classified as their moves,
        transfers and orders are now."""
        result = self.genealogy.with_user(user or self.user).trace(lot.ids, direction)
        self._assert_classified_as_now(result["movements"])
        return result

    def _assert_classified_as_now(self, movements):
        """The partners and orders of the movements (from the inputs their lines keep) are
        those their moves, transfers and orders give now (``classify_lines``)."""
        self.env.flush_all()
        now = classify_lines(
            self.env, [{"move_id": row["move_id"], "kind": row["kind"]} for row in movements]
        )
        self.assertEqual(
            [{column: row[column] for column in CLASSIFIED_COLUMNS} for row in movements],
            [{column: row[column] for column in CLASSIFIED_COLUMNS} for row in now],
        )

    def _movements(self, result, lot=None):
        """{(kind, partner name): quantity} of the trace's movements (of one lot)."""
        totals = {}
        for move in result["movements"]:
            if lot and move["lot_id"] != lot.id:
                continue
            partner = self.env["res.partner"].browse(move["partner_id"]).name or False
            key = (move["kind"], partner)
            totals[key] = totals.get(key, 0) + move["quantity"]
        return totals

    def _lot_names(self, result):
        return {self.env["stock.lot"].browse(row["lot_id"]).name for row in result["lots"]}

    def _customers(self, lot, user=None):
        """{customer name: quantity delivered} from the lot's *Customers* button."""
        user = user or self.user
        action = lot.with_user(user).action_trace_customers()
        lines = self.env["lot.trace.line"].with_user(user).search(action["domain"])
        totals = {}
        for line in lines.filtered(lambda line: line.kind in DELIVERY_KINDS):
            totals[line.partner_id.name] = totals.get(line.partner_id.name, 0) + line.quantity
        return totals

    def _assert_balance(self, lot, user=None, **expected):
        """The lot's mass balance as ``user``: 100 % reconciled, with the expected figures."""
        balance = self.genealogy.with_user(user or self.user).mass_balance(lot.ids)[lot.id]
        self.assertEqual({key: balance[key] for key in expected}, expected)
        self.assertEqual(balance["unaccounted"], 0)
        self.assertEqual(balance["reconciliation"], 100)
        return balance

    # ------------------------------------------------------------------ flows

    def _dropship(self, qty=25):
        """A lot drop-shipped from the vendor to the customer's delivery address, from a
        sale order through its purchase order (``stock_dropshipping``)."""
        route = self.env.ref("stock_dropshipping.route_drop_shipping")
        product = self._product(
            "Dropshipped Honey",
            seller_ids=[Command.create({"partner_id": self.vendor.id})],
            route_ids=[Command.link(route.id)],
        )
        dock = self.env["res.partner"].create(
            {"name": "Flow Grocer Dock", "parent_id": self.customer.id, "type": "delivery"}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "partner_shipping_id": dock.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": qty})],
            }
        )
        order.action_confirm()
        purchase = self.env["purchase.order"].search(
            [("group_id", "=", order.procurement_group_id.id)]
        )
        purchase.button_confirm()
        picking = purchase.picking_ids
        self.assertEqual(picking.partner_id, self.vendor, "Odoo puts the vendor on the picking")
        lot = self._lot(product, "DS-HONEY-001")
        self.demo._set_lines(picking.move_ids, [(lot, qty)])
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        return lot, picking, dock

    def _subcontract(self):
        """Flour lot sent to a subcontractor who bakes it into a bread lot, received and
        delivered (``mrp_subcontracting``). 100 flour received, 40 sent, 20 bread made
        from them, 15 bread delivered."""
        subcontractor = self.env["res.partner"].create(
            {"name": "Flow Bakehouse", "is_company": True}
        )
        flour = self._product("Subcontracted Flour")
        bread = self._product("Subcontracted Bread")
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": bread.product_tmpl_id.id,
                "type": "subcontract",
                "subcontractor_ids": [Command.link(subcontractor.id)],
                "bom_line_ids": [Command.create({"product_id": flour.id, "product_qty": 2})],
            }
        )
        flour_lot = self._lot(flour, "SUB-FLR-001")
        bread_lot = self._lot(bread, "SUB-BRD-001")
        self._receive(flour_lot, 100)
        self.demo._transfer(
            self.warehouse.subcontracting_resupply_type_id,
            subcontractor,
            self.stock,
            subcontractor.property_stock_subcontractor,
            [(flour_lot, 40)],
            4,
        )
        receipt_form = Form(self.env["stock.picking"])
        receipt_form.picking_type_id = self.warehouse.in_type_id
        receipt_form.partner_id = subcontractor
        with receipt_form.move_ids_without_package.new() as move:
            move.product_id = bread
            move.product_uom_qty = 20
        receipt = receipt_form.save()
        receipt.action_confirm()
        action = receipt.action_record_components()
        production = self.env["mrp.production"].browse(action["res_id"])
        production_form = Form(production.with_context(**action["context"]), view=action["view_id"])
        production_form.qty_producing = 20
        production_form.lot_producing_id = bread_lot
        with production_form.move_line_raw_ids.edit(0) as line:
            line.lot_id = flour_lot
        production = production_form.save()
        production.subcontracting_record_component()
        receipt.button_validate()
        self.assertEqual((receipt.state, production.state), ("done", "done"))
        self._deliver(bread_lot, 15)
        return flour_lot, bread_lot, subcontractor

    def _intercompany(self):
        """A lot of a product shared by two companies: company A receives 100 and ships 40
        to company B through the inter-company transit location; B delivers 30 to its own
        customer."""
        company_a = self.env.company
        company_b = self.env["res.company"].create({"name": "Flow Foods B"})
        warehouse_b = self.env["stock.warehouse"].search(
            [("company_id", "=", company_b.id)], limit=1
        ) or self.env["stock.warehouse"].with_company(company_b).create(
            {"name": "Flow B", "code": "FLB", "company_id": company_b.id}
        )
        inter_company = self.env.ref("stock.stock_location_inter_company")
        product = self._product("Flow Shared Rice")
        lot = self._lot(product, "RICE-001")
        self.assertFalse(product.company_id or lot.company_id)
        self._receive(lot, 100)
        self.demo._transfer(
            self.warehouse.out_type_id,
            company_b.partner_id,
            self.stock,
            inter_company,
            [(lot, 40)],
            3,
        )
        demo_b = self.demo.with_company(company_b)
        demo_b._transfer(
            warehouse_b.in_type_id,
            company_a.partner_id,
            inter_company,
            warehouse_b.lot_stock_id,
            [(lot, 40)],
            2,
        )
        customer_b = self.env["res.partner"].create({"name": "Customer of B"})
        demo_b._transfer(
            warehouse_b.out_type_id,
            customer_b,
            warehouse_b.lot_stock_id,
            self.customers,
            [(lot, 30)],
            1,
        )
        user_b = self._stock_user("flow_user_b", company_b)
        user_ab = self._stock_user("flow_user_ab", company_a, company_b)
        return lot, company_a, company_b, user_b, user_ab

    def _two_warehouses(self):
        """100 oats received in the main warehouse; 30 moved to a second warehouse, 20
        through the company's transit location; 10 delivered from the second warehouse."""
        depot = self.env["stock.warehouse"].create({"name": "Flow Depot", "code": "FDP"})
        transit = self.env.company.internal_transit_location_id
        self.assertEqual((transit.usage, transit.company_id), ("transit", self.env.company))
        lot = self._lot(self._product("Flow Oats"), "OAT-001")
        self._receive(lot, 100)
        int_type = self.warehouse.int_type_id
        self.demo._transfer(int_type, None, self.stock, depot.lot_stock_id, [(lot, 30)], 4)
        self.demo._transfer(int_type, None, self.stock, transit, [(lot, 20)], 3)
        # On its way: the 20 in transit are still on hand.
        self._assert_balance(lot, received=100, on_hand=100)
        self.demo._transfer(depot.int_type_id, None, transit, depot.lot_stock_id, [(lot, 20)], 2)
        self._deliver(lot, 10, warehouse=depot)
        return lot

    def _outgoing(self, product, quantity, lots, uom=None):
        """Deliver ``quantity`` of ``product`` (in ``uom``) to the customer with the given
        (lot, quantity in the product's unit) pairs."""
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.out_type_id.id,
                "partner_id": self.customer.id,
                "location_id": self.stock.id,
                "location_dest_id": self.customers.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom": (uom or product.uom_id).id,
                            "product_uom_qty": quantity,
                            "location_id": self.stock.id,
                            "location_dest_id": self.customers.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        self.demo._set_lines(picking.move_ids, lots)
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        return picking

    def _kit(self):
        """100 jam received; 10 gift boxes (a kit of 2 jars) delivered: 20 jam."""
        kit = self._product("Flow Gift Box", tracking="none")
        jam = self._product("Flow Jam")
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": kit.product_tmpl_id.id,
                "type": "phantom",
                "bom_line_ids": [Command.create({"product_id": jam.id, "product_qty": 2})],
            }
        )
        lot = self._lot(jam, "JAM-001")
        self._receive(lot, 100)
        picking = self._outgoing(kit, 10, [(lot, 20)])
        self.assertEqual(picking.move_ids.product_id, jam, "the kit is exploded")
        return lot

    def _byproducts(self):
        """100 cream received, 50 churned into 10 butter and 30 buttermilk (a by-product);
        4 butter and 30 buttermilk delivered to two customers."""
        cream, butter, buttermilk = (
            self._product(name) for name in ("Flow Cream", "Flow Butter", "Flow Buttermilk")
        )
        bom = self.env["mrp.bom"].create(
            {
                "product_tmpl_id": butter.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [Command.create({"product_id": cream.id, "product_qty": 5})],
                "byproduct_ids": [Command.create({"product_id": buttermilk.id, "product_qty": 3})],
            }
        )
        cream_lot = self._lot(cream, "CRM-001")
        butter_lot = self._lot(butter, "BTR-001")
        buttermilk_lot = self._lot(buttermilk, "BTM-001")
        self._receive(cream_lot, 100)
        self._produce(bom, butter_lot, 10, [(cream_lot, 50)], byproducts=[(buttermilk_lot, 30)])
        dairy = self.env["res.partner"].create({"name": "Flow Dairy Buyer"})
        self._deliver(butter_lot, 4)
        self._deliver(buttermilk_lot, 30, partner=dairy)
        return cream_lot, butter_lot, buttermilk_lot

    def _unbuild(self):
        """100 rye received, 20 baked into 10 cakes, 5 cakes delivered, 2 unbuilt (4 rye
        recovered into the rye lot)."""
        flour, cake = self._product("Flow Rye"), self._product("Flow Rye Cake")
        bom = self.env["mrp.bom"].create(
            {
                "product_tmpl_id": cake.product_tmpl_id.id,
                "bom_line_ids": [Command.create({"product_id": flour.id, "product_qty": 2})],
            }
        )
        flour_lot, cake_lot = self._lot(flour, "RYE-001"), self._lot(cake, "RYC-001")
        self._receive(flour_lot, 100)
        production = self._produce(bom, cake_lot, 10, [(flour_lot, 20)])
        self._deliver(cake_lot, 5)
        self.env["mrp.unbuild"].create(
            {
                "product_id": cake.id,
                "bom_id": bom.id,
                "mo_id": production.id,
                "lot_id": cake_lot.id,
                "product_qty": 2,
                "product_uom_id": cake.uom_id.id,
            }
        ).action_unbuild()
        return flour_lot, cake_lot

    def _scrap_and_adjust(self):
        """100 salt received, 7 scrapped, counted 88 (5 lost) then 91 (3 found); a second
        lot found at inventory (12)."""
        product = self._product("Flow Salt")
        lot = self._lot(product, "SLT-001")
        self._receive(lot, 100)
        self.env["stock.scrap"].create(
            {
                "product_id": product.id,
                "lot_id": lot.id,
                "scrap_qty": 7,
                "location_id": self.stock.id,
            }
        ).action_validate()
        quant = self.env["stock.quant"].search(
            [("lot_id", "=", lot.id), ("location_id", "=", self.stock.id)]
        )
        for counted in (88, 91):
            quant.with_context(inventory_mode=True).inventory_quantity = counted
            quant.action_apply_inventory()
        found = self._lot(product, "SLT-002")
        self.env["stock.quant"].with_context(inventory_mode=True).create(
            {
                "product_id": product.id,
                "lot_id": found.id,
                "location_id": self.stock.id,
                "inventory_quantity": 12,
            }
        ).action_apply_inventory()
        return lot, found

    def _customer_return(self):
        """100 tea received, 40 delivered, 10 of them returned and delivered to another
        customer."""
        lot = self._lot(self._product("Flow Tea"), "TEA-001")
        self._receive(lot, 100)
        delivery = self._deliver(lot, 40, days_ago=3)
        self.demo._return(delivery, [(lot, 10)], 2)
        other = self.env["res.partner"].create({"name": "Flow Tea Room"})
        self._deliver(lot, 10, partner=other)
        return lot

    def _vendor_return(self):
        """100 pepper received, 20 returned to the vendor."""
        lot = self._lot(self._product("Flow Pepper"), "PEP-001")
        receipt = self._receive(lot, 100)
        self.demo._return(receipt, [(lot, 20)], 1)
        return lot

    def _unit_conversions(self):
        """100 kg of spelt received; 120 rolls baked from 30 kg, consumed as 30000 g; 5
        dozen rolls delivered."""
        ref = self.env.ref
        kg, gram, dozen = (
            ref("uom.product_uom_kgm"),
            ref("uom.product_uom_gram"),
            ref("uom.product_uom_dozen"),
        )
        flour = self._product("Flow Spelt", uom_id=kg.id, uom_po_id=kg.id)
        roll = self._product("Flow Spelt Roll")
        bom = self.env["mrp.bom"].create(
            {
                "product_tmpl_id": roll.product_tmpl_id.id,
                "bom_line_ids": [
                    Command.create(
                        {"product_id": flour.id, "product_qty": 250, "product_uom_id": gram.id}
                    )
                ],
            }
        )
        flour_lot, roll_lot = self._lot(flour, "SPL-001"), self._lot(roll, "SPR-001")
        self._receive(flour_lot, 100)
        # The demo helpers take quantities in the product's unit: 30 kg, 60 rolls.
        production = self._produce(bom, roll_lot, 120, [(flour_lot, 30)])
        consumed = production.move_raw_ids.move_line_ids
        self.assertEqual((consumed.product_uom_id, consumed.quantity), (gram, 30000))
        delivered = self._outgoing(roll, 5, [(roll_lot, 60)], uom=dozen).move_line_ids
        self.assertEqual((delivered.product_uom_id, delivered.quantity), (dozen, 5))
        return flour_lot, roll_lot

    def _installed(self, module):
        return self.env["ir.module.module"].search_count(
            [("name", "=", module), ("state", "=", "installed")]
        )

    def _require(self, module):
        if not self._installed(module):
            self.skipTest(f"{module} is not installed")
