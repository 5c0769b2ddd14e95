from datetime import timedelta

from markupsafe import Markup
from odoo import api, fields, models

from ..tools import gs1


class LotTraceabilityDemo(models.AbstractModel):
    """Recent operations of the demo bakery, named by its lot numbering rules.

    Receipts validated, manufacturing orders produced and a delivery shipped through Odoo's
    own operations, after the rules of ``demo/lot_numbering_demo.xml`` are in place: the
    lots get their names from the rules (supplier code and day of receipt for raw
    materials, product code and day for the dough, line code, year, day of year and check
    digit for finished goods). A milk lot received 13 days ago has expired. A receipt of
    flour stays open with the supplier's GS1-128 barcode in its note, ready to scan; one
    of Bakery Nord waits with the lot name drawn from that company's default rule. Dates
    are relative to the day the demo is loaded.
    """

    _inherit = "lot.traceability.demo"

    @api.model
    def _run_walkthrough_flows(self):
        """Receive, produce and ship the lots of the ten-minute walkthrough."""
        ref = self._demo_ref
        main = self.env.ref("stock.warehouse0")
        stock = main.lot_stock_id
        suppliers = self.env.ref("stock.stock_location_suppliers")
        customers = self.env.ref("stock.stock_location_customers")
        self._walkthrough_counters(days=14)

        def receive(partner, products, days_ago, expiry_days=None):
            return self._walkthrough_receive(
                main.in_type_id, ref(partner), suppliers, stock, products, days_ago, expiry_days
            )

        # milk whose label gave 11 days of shelf life: expired two days ago
        old_milk = receive("supp_green_valley", [(ref("product_milk"), 60)], 13, expiry_days=11)
        flour_sugar = receive(
            "supp_golden_fields", [(ref("product_flour"), 300), (ref("product_sugar"), 100)], 2
        )
        milk = receive("supp_green_valley", [(ref("product_milk"), 120)], 2)
        eggs = receive("supp_sunny_hen", [(ref("product_eggs"), 900)], 2)
        lot = {
            product.default_code: product_lot
            for product_lot in (flour_sugar | milk | eggs).move_line_ids.lot_id
            for product in product_lot.product_id
        }
        dough = self._walkthrough_produce(
            ref("bom_dough"),
            100,
            [(lot["RM-FLR"], 60), (lot["RM-MLK"], 30), (lot["RM-EGG"], 200)],
            1,
        )
        cake = self._walkthrough_produce(
            ref("bom_cake"),
            150,
            [(lot["RM-FLR"], 45), (lot["RM-MLK"], 30), (lot["RM-EGG"], 450), (lot["RM-SUG"], 30)],
            1,
        )
        delivery = self._transfer(
            main.out_type_id,
            ref("cust_fresh_market"),
            stock,
            customers,
            [(cake.lot_producing_id, 40)],
            0,
        )
        receipt = self._walkthrough_open_receipt(main.in_type_id, ref("supp_golden_fields"))
        nord = ref("warehouse_nord")
        nord_receipt = self.with_company(nord.company_id)._walkthrough_picking(
            nord.in_type_id,
            ref("supp_hanse_muehle"),
            suppliers,
            nord.lot_stock_id,
            [(ref("product_flour"), 200)],
            -1,
        )
        self._walkthrough_xmlids(
            {
                "walkthrough_receipt_expired_milk": old_milk,
                "walkthrough_lot_milk_expired": old_milk.move_line_ids.lot_id,
                "walkthrough_receipt_done": flour_sugar,
                "walkthrough_lot_flour": lot["RM-FLR"],
                "walkthrough_lot_sugar": lot["RM-SUG"],
                "walkthrough_lot_milk": lot["RM-MLK"],
                "walkthrough_lot_eggs": lot["RM-EGG"],
                "walkthrough_mo_dough": dough,
                "walkthrough_lot_dough": dough.lot_producing_id,
                "walkthrough_mo_cake": cake,
                "walkthrough_lot_cake": cake.lot_producing_id,
                "walkthrough_delivery": delivery,
                "walkthrough_receipt_open": receipt,
                "walkthrough_receipt_nord": nord_receipt,
            }
        )

    def _walkthrough_xmlids(self, records):
        """Name the walkthrough's records, so that the README, tours and tests find them."""
        self.env["ir.model.data"]._update_xmlids(
            [
                {"xml_id": f"lot_traceability.{name}", "record": record, "noupdate": True}
                for name, record in records.items()
            ]
        )

    def _walkthrough_counters(self, days):
        """Create the counters of the demo's rules from ``days`` days ago to tomorrow.

        A rule creates a missing counter with a second cursor, which cannot see tables
        that the installation of the module has not committed yet: the demo creates them
        in its own transaction first."""
        rules = self.env["lot.numbering.rule"].union(
            *(
                self._demo_ref(f"numbering_rule_{name}")
                for name in ("raw", "intermediate", "finished", "nord")
            )
        )
        today = fields.Date.context_today(self)
        for rule in rules:
            for day in range(-1, days + 1):
                date = today - timedelta(days=day)
                sequence_id, range_id = rule._counter_ids(self.env.cr, None, date)
                if range_id is None:
                    rule._counter_create(None, date, sequence_id)

    def _walkthrough_receive(
        self, picking_type, partner, src, dest, products, days_ago, expiry_days=None
    ):
        """Validate a receipt of (product, quantity) pairs whose lots the rules name; with
        ``expiry_days``, the lots expire that many days after the receipt."""
        picking = self._walkthrough_picking(picking_type, partner, src, dest, products, days_ago)
        for move in picking.move_ids:
            move.move_line_ids.quantity = move.product_uom_qty
            if expiry_days is not None:
                expiry = self._backdate(days_ago) + timedelta(days=expiry_days)
                move.move_line_ids.expiration_date = expiry
        picking.move_ids.picked = True
        picking.with_context(skip_expired=True).button_validate()
        self._set_date(picking, days_ago)
        return picking

    def _walkthrough_picking(self, picking_type, partner, src, dest, products, days_ago):
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": partner.id,
                "location_id": src.id,
                "location_dest_id": dest.id,
                "scheduled_date": self._backdate(days_ago),
                "move_ids": [
                    fields.Command.create(
                        {
                            "name": product.display_name,
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "product_uom": product.uom_id.id,
                            "location_id": src.id,
                            "location_dest_id": dest.id,
                        }
                    )
                    for product, qty in products
                ],
            }
        )
        picking.action_confirm()
        return picking

    def _walkthrough_produce(self, bom, qty, components, days_ago):
        """Manufacture ``qty`` of the BoM's product into a lot named by its rule."""
        date = self._backdate(days_ago)
        production = self.env["mrp.production"].create(
            {
                "product_id": bom.product_id.id,
                "bom_id": bom.id,
                "product_qty": qty,
                "product_uom_id": bom.product_uom_id.id,
                "date_start": date - timedelta(hours=2),
                "origin": self.env._("Weekly production plan"),
            }
        )
        production.action_confirm()
        production.action_generate_serial()
        production.qty_producing = qty
        production._set_qty_producing()
        self._set_lines(production.move_raw_ids, components)
        production.with_context(skip_expired=True).button_mark_done()
        production.with_context(force_date=True).write(
            {"date_start": date - timedelta(hours=2), "date_finished": date}
        )
        self._set_date(production, days_ago)
        return production

    def _walkthrough_open_receipt(self, picking_type, partner):
        """A receipt of flour waiting to be received, the supplier's barcode in its note."""
        flour = self._demo_ref("product_flour")
        stock = picking_type.default_location_dest_id
        suppliers = self.env.ref("stock.stock_location_suppliers")
        picking = self._walkthrough_picking(
            picking_type, partner, suppliers, stock, [(flour, 250)], 0
        )
        code = gs1.format_element_string(
            gtin=flour.barcode,
            expiry=fields.Date.today() + timedelta(days=170),
            lot="GFM-24301",
            net_weight_kg=250,
        ).human
        picking.note = Markup("<p>%s</p><p><code>%s</code></p>") % (
            self.env._(
                "Golden Fields Mill's GS1-128 label on the pallet: paste it in the GS1 "
                "Barcode of the flour line (Details) to receive the supplier's lot."
            ),
            code,
        )
        return picking
