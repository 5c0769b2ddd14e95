"""One time zone for "expired": the warehouse's. A warehouse in New York, its company's
address without a time zone, a lot whose last day of use is ending in New York while
UTC is already on the next day: reservation, the expiry job, the lots' *Expired* filter
and the release check agree, before and after midnight in New York."""

from datetime import date, datetime, timedelta

from freezegun import freeze_time
from odoo import Command
from odoo.addons.lot_traceability.tools import timezones
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from ..tools import expiry
from .common import FefoReservationCase

NEW_YORK = "America/New_York"
LAST_DAY = date(2025, 1, 15)
# 2025-01-15 23:30 in New York (UTC-5), already 2025-01-16 04:30 in UTC
NY_BEFORE_MIDNIGHT = datetime(2025, 1, 16, 4, 30)
# 2025-01-16 00:30 in New York
NY_AFTER_MIDNIGHT = datetime(2025, 1, 16, 5, 30)


@tagged("post_install", "-at_install")
class TestExpiryTimezone(FefoReservationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = False
        cls.new_york = cls.env["stock.warehouse"].create(
            {
                "name": "FEFO New York",
                "code": "FNY",
                "company_id": cls.company.id,
                "partner_id": cls.env["res.partner"]
                .create({"name": "FEFO New York depot", "tz": NEW_YORK})
                .id,
            }
        )
        cls.milk = cls._product("FEFO NY milk", expiration_time=10)
        cls.stock_user = new_test_user(
            cls.env,
            login="fefo_tz_stock",
            groups="stock.group_stock_user,stock.group_production_lot",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.quality_manager = new_test_user(
            cls.env,
            login="fefo_tz_quality",
            groups="stock.group_stock_user,lot_fefo.group_lot_quality_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def setUp(self):
        super().setUp()
        # noon in New York on its last day of use: the 15th in New York and in UTC
        self.lot = self._lot(self.milk, "NY-TODAY", LAST_DAY, tz=NEW_YORK)
        self._put(self.lot, 5, self.new_york.lot_stock_id)

    def _state(self, when):
        """(reserved by a delivery, expired by the job, in the *Expired* filter, flag) at
        ``when``, each seen by the user concerned."""
        with freeze_time(when):
            self.env.invalidate_all()
            Lot = self.env["stock.lot"].with_user(self.stock_user)
            move = self._delivery(self.milk, 2, warehouse=self.new_york).move_ids
            reserved = move.move_line_ids.lot_id == self.lot
            move.picking_id.action_cancel()
            in_filter = bool(
                Lot.search([("id", "=", self.lot.id), ("product_expiry_alert", "=", True)])
            )
            not_in_filter = bool(
                Lot.search([("id", "=", self.lot.id), ("product_expiry_alert", "=", False)])
            )
            self.assertNotEqual(in_filter, not_in_filter)
            flag = Lot.browse(self.lot.id).product_expiry_alert
            job = self.env["stock.lot"]._lot_expire_due_groups(when)
            expired_by_job = any(self.lot in lots for lots in job)
        return reserved, expired_by_job, in_filter, flag

    def test_lot_read_in_its_warehouse_time_zone(self):
        self.assertEqual(self.lot._lot_tz(), NEW_YORK)
        self.assertEqual(timezones.company_tz(self.company), self.warehouse.partner_id.tz)
        self.assertEqual(self._state(NY_BEFORE_MIDNIGHT), (True, False, False, False))
        self.assertEqual(self._state(NY_AFTER_MIDNIGHT), (False, True, True, True))

    def test_release_check_in_the_warehouse_time_zone(self):
        self._set_status(self.lot, "blocked")
        wizard_user = self.env(user=self.quality_manager)["lot.status.change"]
        with freeze_time(NY_BEFORE_MIDNIGHT):
            wizard_user.create(
                {"lot_ids": [Command.set(self.lot.ids)], "lot_status": "released", "reason": "ok"}
            ).action_apply()
        self.assertEqual(self.lot.lot_status, "released")
        self._set_status(self.lot, "blocked")
        with freeze_time(NY_AFTER_MIDNIGHT), self.assertRaisesRegex(UserError, "past the expir"):
            wizard_user.create(
                {"lot_ids": [Command.set(self.lot.ids)], "lot_status": "released", "reason": "ok"}
            ).action_apply()
        self.assertEqual(self.lot.lot_status, "blocked")

    def test_job_expires_at_midnight_in_new_york(self):
        with freeze_time(NY_BEFORE_MIDNIGHT):
            self.env["stock.lot"]._lot_expire_due(NY_BEFORE_MIDNIGHT)
        self.assertEqual(self.lot.lot_status, "released")
        with freeze_time(NY_AFTER_MIDNIGHT):
            self.env["stock.lot"]._lot_expire_due(NY_AFTER_MIDNIGHT)
        self.assertEqual(self.lot.lot_status, "expired")

    def test_stock_in_two_time_zones_expires_where_the_day_ends_first(self):
        """Stock in New York and Brussels: the lot expires at midnight in Brussels, the
        first of the two to end its last day of use, never later."""
        self._put(self.lot, 1, self.warehouse.lot_stock_id)
        self.assertEqual(self.lot._lot_tz(), self.warehouse.partner_id.tz)
        brussels_midnight = expiry.day_start_utc(
            LAST_DAY + timedelta(days=1), self.warehouse.partner_id.tz
        )
        with freeze_time(brussels_midnight - timedelta(minutes=1)):
            self.env.invalidate_all()
            self.assertFalse(self.lot.product_expiry_alert)
        with freeze_time(brussels_midnight + timedelta(minutes=1)):
            self.env.invalidate_all()
            self.assertTrue(self.lot.product_expiry_alert)
