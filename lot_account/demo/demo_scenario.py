from odoo import Command, api, fields, models


class LotAccountDemo(models.AbstractModel):
    """Valued flows of the demo bakery, run once when the demo data is loaded.

    Purchases (order, receipt, vendor bill), manufacturing, sales (order, deliveries with
    a backorder, invoices) and a customer return with its credit note, all through Odoo's
    own operations, so that the journal entries, valuation layers and COGS are exactly what
    users would produce. New lots only: the lots of the traceability demo keep their
    quantities.
    """

    _name = "lot.account.demo"
    _description = "Lot account demo flows"

    @api.model
    def _run_valued_flows(self):
        """Buy, make, sell and return lots of the demo bakery in automated valuation."""
        ref = self.env.ref
        flows = self.env["lot.traceability.demo"]
        self._purchase(
            "lot_traceability.supp_golden_fields",
            [("lot_account.lot_flour_3", 60, 0.95), ("lot_account.lot_sugar_2", 40, 1.30)],
        )
        self._purchase("lot_traceability.supp_green_valley", [("lot_account.lot_milk_3", 40, 1.15)])
        self._purchase("lot_traceability.supp_sunny_hen", [("lot_account.lot_eggs_3", 300, 0.27)])
        self._purchase("lot_traceability.supp_sunny_hen", [("lot_account.lot_eggs_4", 300, 0.35)])
        for cake_lot, egg_lot in (("lot_cake_3", "lot_eggs_3"), ("lot_cake_4", "lot_eggs_4")):
            flows._produce(
                ref("lot_traceability.bom_cake"),
                ref(f"lot_account.{cake_lot}"),
                100,
                [
                    (ref("lot_account.lot_flour_3"), 30),
                    (ref("lot_account.lot_milk_3"), 20),
                    (ref(f"lot_account.{egg_lot}"), 300),
                    (ref("lot_account.lot_sugar_2"), 20),
                ],
            )
        # Two cake lots of different costs on one order, shipped in two deliveries, each
        # invoiced; a second order partly returned and credited.
        cake_3, cake_4 = ref("lot_account.lot_cake_3"), ref("lot_account.lot_cake_4")
        order = self._sell(ref("lot_traceability.cust_corner_bakery"), cake_3.product_id, 120)
        self._ship(order, [(cake_3, 80), (cake_4, 20)])
        self._invoice(order)
        self._ship(order, [(cake_4, 20)])
        self._invoice(order)
        order = self._sell(ref("lot_traceability.cust_hotel_lumiere"), cake_4.product_id, 50)
        delivery = self._ship(order, [(cake_4, 50)])
        self._invoice(order)
        flows._return(delivery, [(cake_4, 10)])
        self._invoice(order)

    def _release(self, lots):
        """Release the lots a product's quality release holds in quarantine at receipt."""
        held = lots.filtered(lambda lot: lot.lot_status == "quarantine")
        if held:
            held._lot_set_status("released", self.env._("Certificate of analysis received."))

    def _purchase(self, partner, lines):
        """Order, receive and bill (lot xmlid, quantity, unit price) from a vendor."""
        lots = [(self.env.ref(xmlid), qty, price) for xmlid, qty, price in lines]
        order = self.env["purchase.order"].create(
            {
                "partner_id": self.env.ref(partner).id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": lot.product_id.id,
                            "product_qty": qty,
                            "product_uom": lot.product_id.uom_po_id.id,
                            "price_unit": price,
                        }
                    )
                    for lot, qty, price in lots
                ],
            }
        )
        order.button_confirm()
        picking = order.picking_ids
        self.env["lot.traceability.demo"]._set_lines(
            picking.move_ids, [(lot, qty) for lot, qty, _price in lots]
        )
        picking.button_validate()
        self._release(picking.move_line_ids.lot_id)
        order.action_create_invoice()
        order.invoice_ids.write({"invoice_date": fields.Date.context_today(self)})
        order.invoice_ids.action_post()
        return order

    def _sell(self, partner, product, quantity, price_unit=None):
        """A confirmed sale order of ``quantity`` of ``product`` (at its sales price)."""
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "price_unit": product.list_price if price_unit is None else price_unit,
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        return order

    def _ship(self, order, lots):
        """Ship (lot, quantity) pairs on the order's open delivery, leaving a backorder."""
        picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.env["lot.traceability.demo"]._set_lines(picking.move_ids, lots)
        picking.with_context(skip_backorder=True).button_validate()
        return picking

    def _invoice(self, order, quantity=None):
        """Invoice what the order has to invoice (or ``quantity`` of it) and post it."""
        moves = order._create_invoices(final=True)
        if quantity is not None:
            moves.invoice_line_ids.quantity = quantity
        moves.action_post()
        return moves
