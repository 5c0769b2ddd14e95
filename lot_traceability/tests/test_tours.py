from odoo.tests import HttpCase, tagged

from .common import company_user


@tagged("post_install", "-at_install")
class TestTours(HttpCase):
    """User flows of lot_traceability, in the browser."""

    def test_receive_auto_numbered_lot_and_open_downstream_trace(self):
        rule = self.env["lot.numbering.rule"].create(
            {"name": "Honey", "pattern": "HNY-{yyyy}-{seq:4}", "reset": "never"}
        )
        product = self.env["product.product"].create(
            {
                "name": "Acacia Honey",
                "is_storable": True,
                "tracking": "lot",
                "uom_id": self.env.ref("uom.product_uom_kgm").id,
                "uom_po_id": self.env.ref("uom.product_uom_kgm").id,
                "lot_numbering_rule_id": rule.id,
            }
        )
        warehouse = self.env.ref("stock.warehouse0")
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.in_type_id.id,
                "partner_id": self.env.ref("lot_traceability.supp_golden_fields").id,
                "scheduled_date": "2026-03-02 09:00:00",
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": 25,
                            "product_uom": product.uom_id.id,
                            "location_id": warehouse.in_type_id.default_location_src_id.id,
                            "location_dest_id": warehouse.lot_stock_id.id,
                        },
                    )
                ],
            }
        )
        self.start_tour(
            f"/odoo/action-stock.action_picking_tree_all/{receipt.id}",
            "lot_traceability_receipt_trace",
            login="admin",
        )
        lot = self.env["stock.lot"].search([("product_id", "=", product.id)])
        self.assertEqual(lot.name, "HNY-2026-0001")
        self.assertEqual(lot.product_qty, 25)
        self.assertEqual(lot.supplier_id.name, "Golden Fields Mill")
        self.assertEqual(lot.origin_country_id.code, "FR")

    def test_genealogy_graph_from_a_lot_form(self):
        user = company_user(
            self.env,
            "graph_tour_user",
            "stock.group_stock_user,stock.group_production_lot",
            self.env.company,
        )
        flour = self.env["stock.lot"].search([("name", "=", "RM-FLR-001")])
        self.start_tour(
            f"/odoo/action-stock.action_production_lot_form/{flour.id}",
            "lot_traceability_genealogy_graph",
            login=user.login,
        )
