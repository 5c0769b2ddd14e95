from datetime import timedelta

from odoo import Command, api, fields, models


class LotTraceabilityDemo(models.AbstractModel):
    """Dated stock flows of the demo bakery, run once when demo data is loaded.

    Every flow goes through Odoo's own operations (receipts, manufacturing orders,
    deliveries with backorders, returns, internal transfers) so that the move lines,
    their lot links and the quants are exactly what users would produce by hand.
    Dates are relative to the day the demo is loaded.
    """

    _name = "lot.traceability.demo"
    _description = "Lot traceability demo flows"

    @api.model
    def _run_bakery_flows(self):
        """Receive, manufacture, deliver, return and transfer the demo lots."""
        ref = self._demo_ref
        main = self.env.ref("stock.warehouse0")
        depot = ref("warehouse_depot")
        stock = main.lot_stock_id

        def lots(pairs):
            return [(ref(xmlid), qty) for xmlid, qty in pairs]

        def receive(partner, pairs, days_ago):
            return self._receive(main, ref(partner), lots(pairs), days_ago)

        def deliver(partner, pairs, days_ago, ordered=None):
            return self._deliver(main, ref(partner), lots(pairs), days_ago, ordered)

        def produce(bom, lot, qty, pairs, days_ago):
            return self._produce(ref(bom), ref(lot), qty, lots(pairs), days_ago)

        receive("supp_golden_fields", [("lot_flour_1", 500), ("lot_sugar_1", 200)], 20)
        receive("supp_sunny_hen", [("lot_eggs_1", 1200)], 15)
        receive("supp_green_valley", [("lot_milk_1", 200)], 14)
        receive("supp_golden_fields", [("lot_flour_2", 300)], 12)
        receive("supp_sunny_hen", [("lot_eggs_2", 800)], 10)
        receive("supp_green_valley", [("lot_milk_2", 150)], 3)

        produce(
            "bom_dough",
            "lot_dough_1",
            200,
            [("lot_flour_1", 120), ("lot_milk_1", 60), ("lot_eggs_1", 400)],
            11,
        )
        produce(
            "bom_cake",
            "lot_cake_1",
            300,
            [
                ("lot_flour_1", 60),
                ("lot_flour_2", 30),
                ("lot_milk_1", 60),
                ("lot_eggs_1", 500),
                ("lot_eggs_2", 400),
                ("lot_sugar_1", 60),
            ],
            10,
        )
        produce("bom_cookies", "lot_cookies_1", 400, [("lot_dough_1", 200), ("lot_sugar_1", 40)], 9)
        produce(
            "bom_cake",
            "lot_cake_2",
            200,
            [
                ("lot_flour_2", 60),
                ("lot_milk_2", 40),
                ("lot_eggs_2", 400),
                ("lot_eggs_1", 200),
                ("lot_sugar_1", 40),
            ],
            2,
        )

        # One cake lot split across six customers, one of which returns part of it.
        cake_deliveries = {}
        for days_ago, partner in enumerate(
            [
                "cust_corner_bakery",
                "cust_fresh_market",
                "cust_green_grocer",
                "cust_hotel_lumiere",
                "cust_school_canteen",
            ],
            start=4,
        ):
            cake_deliveries[partner] = deliver(partner, [("lot_cake_1", 50)], days_ago)
        self._return(cake_deliveries["cust_green_grocer"], lots([("lot_cake_1", 10)]), 3)
        # Cookies to six shops, the seventh order shipped partially (backorder left open).
        for days_ago, partner in enumerate(
            [
                "cust_petit_epicier",
                "cust_organic_corner",
                "cust_station_kiosk",
                "cust_airline_catering",
                "cust_campus_store",
                "cust_tea_room",
            ],
            start=3,
        ):
            deliver(partner, [("lot_cookies_1", 40)], days_ago)
        self._transfer(
            main.int_type_id, None, stock, depot.lot_stock_id, lots([("lot_cookies_1", 50)]), 4
        )
        deliver("cust_supermart", [("lot_cookies_1", 60)], 2, ordered=100)
        # Two cake lots in one delivery, then the fresh lot to a foreign customer and the depot.
        deliver("cust_city_hospital", [("lot_cake_1", 30), ("lot_cake_2", 20)], 1)
        deliver("cust_deli_brussels", [("lot_cake_2", 80)], 1)
        self._transfer(
            main.int_type_id, None, stock, depot.lot_stock_id, lots([("lot_cake_2", 40)]), 1
        )

    def _demo_ref(self, xmlid):
        return self.env.ref(f"lot_traceability.{xmlid}")

    def _backdate(self, days_ago):
        return fields.Datetime.now().replace(hour=10, minute=0, second=0) - timedelta(days=days_ago)

    def _transfer(self, picking_type, partner, src, dest, lots, days_ago, ordered=None):
        """Validate a picking moving the given (lot, quantity) pairs.

        With ``ordered`` (single product), the picking asks for that quantity and the
        shortfall stays open as a backorder.
        """
        products = {}
        for lot, qty in lots:
            products[lot.product_id] = products.get(lot.product_id, 0) + qty
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": partner and partner.id,
                "location_id": src.id,
                "location_dest_id": dest.id,
                "scheduled_date": self._backdate(days_ago),
                "move_ids": [
                    Command.create(
                        {
                            "name": product.display_name,
                            "product_id": product.id,
                            "product_uom_qty": ordered or qty,
                            "product_uom": product.uom_id.id,
                            "location_id": src.id,
                            "location_dest_id": dest.id,
                        }
                    )
                    for product, qty in products.items()
                ],
            }
        )
        picking.action_confirm()
        self._set_lines(picking.move_ids, lots)
        picking.with_context(skip_expired=True, skip_backorder=True).button_validate()
        self._set_date(picking, days_ago)
        return picking

    def _receive(self, warehouse, partner, lots, days_ago):
        """Receive (lot, quantity) pairs from a vendor into the warehouse's stock."""
        suppliers = self.env.ref("stock.stock_location_suppliers")
        return self._transfer(
            warehouse.in_type_id, partner, suppliers, warehouse.lot_stock_id, lots, days_ago
        )

    def _deliver(self, warehouse, partner, lots, days_ago, ordered=None):
        """Deliver (lot, quantity) pairs from the warehouse's stock to a customer."""
        customers = self.env.ref("stock.stock_location_customers")
        return self._transfer(
            warehouse.out_type_id,
            partner,
            warehouse.lot_stock_id,
            customers,
            lots,
            days_ago,
            ordered,
        )

    def _return(self, picking, lots, days_ago=None):
        """Return part of a validated picking through Odoo's return wizard (dated
        ``days_ago``, or now)."""
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=picking.id, active_model="stock.picking")
            .create({})
        )
        quantities = {lot.product_id: qty for lot, qty in lots}
        for line in wizard.product_return_moves:
            line.quantity = quantities.get(line.product_id, 0)
        returned = wizard._create_return()
        returned.action_confirm()
        self._set_lines(returned.move_ids, lots)
        returned.with_context(skip_expired=True).button_validate()
        if days_ago is not None:
            self._set_date(returned, days_ago)
        return returned

    def _produce(self, bom, lot, qty, components, days_ago=None, byproducts=()):
        """Manufacture ``qty`` of the BoM's product into ``lot`` from (lot, quantity) pairs
        of components and of by-products, dated ``days_ago`` (or now)."""
        production = self.env["mrp.production"].create(
            {
                "product_id": (bom.product_id or bom.product_tmpl_id.product_variant_id).id,
                "bom_id": bom.id,
                "product_qty": qty,
                "product_uom_id": bom.product_uom_id.id,
            }
        )
        production.action_confirm()
        production.write({"lot_producing_id": lot.id, "qty_producing": qty})
        production._set_qty_producing()
        self._set_lines(production.move_raw_ids, components)
        if byproducts:
            self._set_lines(production.move_byproduct_ids, byproducts)
        production.with_context(skip_expired=True).button_mark_done()
        if days_ago is None:
            return production
        date = self._backdate(days_ago)
        production.with_context(force_date=True).write(
            {"date_start": date - timedelta(hours=2), "date_finished": date}
        )
        self._set_date(production, days_ago)
        return production

    def _set_lines(self, moves, lots):
        """Replace the moves' lines by exactly the given lots and quantities."""
        moves._do_unreserve()
        moves.move_line_ids.unlink()
        line_vals = []
        for lot, qty in lots:
            move = moves.filtered(lambda m, lot=lot: m.product_id == lot.product_id)
            vals = move._prepare_move_line_vals(quantity=qty)
            vals.update(lot_id=lot.id, picked=True)
            line_vals.append(vals)
        self.env["stock.move.line"].create(line_vals)
        moves.picked = True

    def _set_date(self, operation, days_ago):
        """Date a done picking or production, with its moves and move lines, in the past."""
        date = self._backdate(days_ago)
        if operation._name == "stock.picking":
            moves = operation.move_ids
            operation.date_done = date
        else:
            moves = operation.move_raw_ids | operation.move_finished_ids
        moves.write({"date": date})
        moves.move_line_ids.write({"date": date})
        # The lots' origin dates were taken from the lines when they were done: now.
        lines = moves.move_line_ids
        lines.filtered(lambda ml: ml.location_id.usage == "supplier").lot_id.receipt_date = date
        lines.filtered(lambda ml: ml.move_id.production_id).lot_id.production_date = date.date()
