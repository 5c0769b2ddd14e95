from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..tools import expiry
from .common import ExpiryCase

AUCKLAND = "Pacific/Auckland"


@tagged("post_install", "-at_install")
class TestExpiryHandling(ExpiryCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.expiry_location = cls.env["stock.location"].create(
            {"name": "EX Expired", "location_id": cls.warehouse.view_location_id.id}
        )
        cls.customers = cls.env.ref("stock.stock_location_customers")

    def _delivery(self, product, quantity):
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.out_type_id.id,
                "location_id": self.stock.id,
                "location_dest_id": self.customers.id,
                "move_ids": [
                    fields.Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "product_uom": product.uom_id.id,
                            "location_id": self.stock.id,
                            "location_dest_id": self.customers.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        return picking

    def test_expired_status_and_reservations_released(self):
        lot = self._lot(self.product_a, "EX-EXP", 0)  # last day of use: today
        self._receive(lot, 5)
        picking = self._delivery(self.product_a, 3)
        self.assertEqual(picking.move_ids.move_line_ids.lot_id, lot)

        # today it is still usable
        self.assertFalse(lot._lot_expire_due(now=self.now))
        self.assertEqual(lot.lot_status, "released")
        # from tomorrow 00:00 local time it is expired
        expired = self.env["stock.lot"]._lot_expire_due(now=self._at(1))
        self.assertIn(lot, expired)
        self.assertEqual(lot.lot_status, "expired")
        self.assertFalse(picking.move_ids.move_line_ids)
        self.assertNotEqual(picking.move_ids.state, "assigned")
        self.assertIn("expired", lot.lot_status_reason.lower())
        self.assertTrue(
            lot.message_ids.filtered(lambda m: "Expiration date passed" in (m.body or ""))
        )
        # the stock stays where it was (relocation is off)
        self.assertEqual(self._on_hand(lot, self.stock), 5)
        # running again changes nothing
        self.assertFalse(lot._lot_expire_due(now=self._at(1)))

    def test_only_usable_lots_expire(self):
        restricted = self._lot(self.product_a, "EX-RESTR", 5)
        blocked = self._lot(self.product_a, "EX-BLOCK", -2)
        fresh = self._lot(self.product_a, "EX-FRESH", 3)
        no_date = self.env["stock.lot"].create(
            {"name": "EX-NODATE", "product_id": self.product_a.id, "company_id": self.company.id}
        )
        restricted._lot_set_status(
            "restricted", "EX test", partners=self.env.ref("base.res_partner_2")
        )
        blocked._lot_set_status("blocked", "EX test")
        # the expiration date is corrected after the restriction: two days ago
        restricted.expiration_date = self._at(-2, hours=12)
        lots = restricted | blocked | fresh | no_date
        self.assertEqual(lots._lot_expire_due(now=self.now), restricted)
        self.assertEqual(lots.mapped("lot_status"), ["expired", "blocked", "released", "released"])
        self.assertFalse(restricted.lot_restricted_partner_ids)

    def test_day_boundary_in_company_time_zone(self):
        lot = self._lot(self.product_a, "EX-EDGE", 2)
        boundary = self._at(3)  # 00:00 Brussels the day after the last day of use
        self.assertFalse(lot._lot_expire_due(now=boundary - timedelta(seconds=1)))
        self.assertEqual(lot._lot_expire_due(now=boundary), lot)

    def test_day_boundary_ahead_of_utc(self):
        self.company.partner_id.tz = AUCKLAND
        last_day = expiry.local_date(fields.Datetime.now(), AUCKLAND) + timedelta(days=5)
        lot = self.env["stock.lot"].create(
            {
                "name": "EX-AKL",
                "product_id": self.product_a.id,
                "company_id": self.company.id,
                # 09:00 in Auckland on the last day: still the day before in UTC
                "expiration_date": expiry.day_start_utc(last_day, AUCKLAND) + timedelta(hours=9),
            }
        )
        self.assertEqual(lot._lot_tz(), AUCKLAND)
        boundary = expiry.day_start_utc(last_day + timedelta(days=1), AUCKLAND)
        # in UTC, the boundary is still on the last day of use: Auckland's day decides
        self.assertEqual(expiry.local_date(boundary, "UTC"), last_day)
        self.assertFalse(lot._lot_expire_due(now=boundary - timedelta(minutes=1)))
        self.assertEqual(lot._lot_expire_due(now=boundary), lot)
        # the alerts count days in the same time zone: 0 days left on the last day
        self.assertEqual(
            expiry.days_left(lot.expiration_date, boundary - timedelta(minutes=1), AUCKLAND), 0
        )

    def test_relocation_to_expiry_location(self):
        self.company.lot_expiry_move_expired = True
        self.warehouse.lot_expiry_location_id = self.expiry_location
        lot = self._lot(self.product_a, "EX-MOVE", -1)
        self._receive(lot, 6, self.shelf_a)
        self._receive(lot, 4, self.shelf_b)
        layers = self.env["stock.valuation.layer"].search_count([("lot_id", "=", lot.id)])

        lot._lot_expire_due(now=self.now)

        self.assertEqual(lot.lot_status, "expired")
        self.assertEqual(self._on_hand(lot, self.expiry_location), 10)
        self.assertEqual(self._on_hand(lot, self.stock), 0)
        self.assertEqual(self._on_hand(lot), 10)
        moves = self.env["stock.move"].search(
            [("lot_ids", "in", lot.ids), ("location_dest_id", "=", self.expiry_location.id)]
        )
        self.assertEqual(set(moves.mapped("state")), {"done"})
        self.assertEqual(moves.picking_id.picking_type_id, self.warehouse.int_type_id)
        self.assertEqual(sum(moves.mapped("quantity")), 10)
        self.assertTrue(
            lot.message_ids.filtered(
                lambda m: (
                    "expiry location" in (m.body or "") and moves.picking_id.name in (m.body or "")
                )
            )
        )
        # an internal transfer: no valuation
        self.assertEqual(
            self.env["stock.valuation.layer"].search_count([("lot_id", "=", lot.id)]), layers
        )

    def test_no_relocation_when_disabled(self):
        self.warehouse.lot_expiry_location_id = self.expiry_location
        lot = self._lot(self.product_a, "EX-STAY", -1)
        self._receive(lot, 3, self.shelf_a)
        lot._lot_expire_due(now=self.now)
        self.assertEqual(lot.lot_status, "expired")
        self.assertEqual(self._on_hand(lot, self.shelf_a), 3)
        self.assertEqual(self._on_hand(lot, self.expiry_location), 0)

    def test_warehouse_without_expiry_location(self):
        self.company.lot_expiry_move_expired = True
        self.warehouse.lot_expiry_location_id = self.expiry_location
        other = self.env["stock.warehouse"].create(
            {"name": "EX Depot", "code": "EXD", "company_id": self.company.id}
        )
        moved = self._lot(self.product_a, "EX-MOVED", -1)
        kept = self._lot(self.product_a, "EX-KEPT", -1)
        self._receive(moved, 2)
        self._receive(kept, 5, other.lot_stock_id)

        (moved | kept)._lot_expire_due(now=self.now)

        # both expire; the stock of the depot without expiry location stays, with a note
        self.assertEqual((moved | kept).mapped("lot_status"), ["expired", "expired"])
        self.assertEqual(self._on_hand(moved, self.expiry_location), 2)
        self.assertEqual(self._on_hand(kept, other.lot_stock_id), 5)
        self.assertTrue(
            kept.message_ids.filtered(
                lambda m: "not moved" in (m.body or "") and "EX Depot" in (m.body or "")
            )
        )

    def test_expiry_location_must_be_in_warehouse(self):
        other = self.env["stock.warehouse"].create(
            {"name": "EX Depot", "code": "EXD", "company_id": self.company.id}
        )
        with self.assertRaises(ValidationError):
            self.warehouse.lot_expiry_location_id = other.lot_stock_id
        with self.assertRaises(ValidationError):
            self.warehouse.lot_expiry_location_id = self.warehouse.view_location_id
        self.warehouse.lot_expiry_location_id = self.expiry_location
        self.assertEqual(self.warehouse.lot_expiry_location_id, self.expiry_location)

    def test_cron_expires_then_alerts(self):
        expired = self._lot(self.product_a, "EX-CRON-OLD", -1)
        soon = self._lot(self.product_a, "EX-CRON-SOON", 6)
        self._receive(expired, 2)
        self._receive(soon, 2)

        self.env["stock.lot"]._lot_expiry_cron(now=self.now)

        self.assertEqual(expired.lot_status, "expired")
        self.assertEqual(soon.lot_status, "released")
        digest = self.env["lot.expiry.digest"].search([("user_id", "=", self.user_a.id)])
        self.assertEqual(digest.line_ids.lot_id, soon)
        self.assertEqual(digest.line_ids.horizon, 7)

    def test_scheduled_action(self):
        cron = self.env.ref("lot_fefo.ir_cron_lot_expiry")
        self.assertEqual(cron.model_id.model, "stock.lot")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))
        self.assertTrue(cron.active)
        # run as the scheduler does, at the real current time
        lot = self._lot(self.product_a, "EX-CRON-REAL", -3)
        cron.method_direct_trigger()
        self.assertEqual(lot.lot_status, "expired")
