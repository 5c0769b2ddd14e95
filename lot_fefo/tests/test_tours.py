from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestLotStatusTour(HttpCase):
    """Lot status flows of lot_fefo, in the browser."""

    def test_block_lot_then_delivery_refuses_it(self):
        admin = self.env.ref("base.user_admin")
        admin.groups_id |= self.env.ref("lot_fefo.group_lot_quality_manager")
        warehouse = self.env.ref("stock.warehouse0")
        customers = self.env.ref("stock.stock_location_customers")
        product = self.env["product.product"].create(
            {"name": "ST Tour Honey", "is_storable": True, "tracking": "lot"}
        )
        lot = self.env["stock.lot"].create({"name": "ST-TOUR-1", "product_id": product.id})
        self.env["stock.quant"]._update_available_quantity(
            product, warehouse.lot_stock_id, 10, lot_id=lot
        )
        partner = self.env["res.partner"].create({"name": "ST Tour Grocer"})
        delivery = self.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.out_type_id.id,
                "partner_id": partner.id,
                "origin": "ST-TOUR-ORDER",
                "location_id": warehouse.lot_stock_id.id,
                "location_dest_id": customers.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": 5,
                            "product_uom": product.uom_id.id,
                            "location_id": warehouse.lot_stock_id.id,
                            "location_dest_id": customers.id,
                        }
                    )
                ],
            }
        )
        delivery.action_confirm()
        # the warehouse worker has picked the 5 units of the lot
        delivery.move_ids.picked = True
        self.assertEqual(delivery.move_line_ids.lot_id, lot)
        self.assertEqual(delivery.state, "assigned")

        self.start_tour("/odoo", "lot_fefo_block_lot_refused_delivery", login="admin")

        self.assertEqual(lot.lot_status, "blocked")
        self.assertEqual(lot.lot_status_reason, "Metal fragment found in a retained sample")
        self.assertEqual(lot.message_ids[0].author_id, admin.partner_id)
        self.assertEqual(delivery.state, "assigned")
        self.assertEqual(lot.product_qty, 10)
