"""The one definition of expired (``tools/expiry.py``): the expiration date is the last
day of use, read in the warehouse's time zone, inclusive. Checked at local midnight in
Brussels (UTC+1 in January) and Auckland (UTC+13 in January) on the tools, on reservation
and on the lots' "Expired" filter."""

from datetime import date, datetime, timedelta

from freezegun import freeze_time
from odoo.tests import tagged

from ..tools import expiry
from .common import AUCKLAND, BRUSSELS, FefoReservationCase

# 2025-01-15 23:59 in Brussels, 2025-01-16 11:59 in Auckland
BRUSSELS_BEFORE_MIDNIGHT = datetime(2025, 1, 15, 22, 59)
# 2025-01-16 00:00:30 in Brussels
BRUSSELS_AFTER_MIDNIGHT = datetime(2025, 1, 15, 23, 0, 30)
# 2025-01-15 23:59 in Auckland, 2025-01-15 11:59 in Brussels
AUCKLAND_BEFORE_MIDNIGHT = datetime(2025, 1, 15, 10, 59)
# 2025-01-16 00:00:30 in Auckland
AUCKLAND_AFTER_MIDNIGHT = datetime(2025, 1, 15, 11, 0, 30)
TODAY = date(2025, 1, 15)
YESTERDAY = date(2025, 1, 14)


@tagged("post_install", "-at_install")
class TestExpiryTools(FefoReservationCase):
    def test_local_day_and_threshold(self):
        self.assertEqual(expiry.local_date(BRUSSELS_BEFORE_MIDNIGHT, BRUSSELS), TODAY)
        self.assertEqual(expiry.local_date(BRUSSELS_AFTER_MIDNIGHT, BRUSSELS), date(2025, 1, 16))
        self.assertEqual(expiry.local_date(BRUSSELS_BEFORE_MIDNIGHT, AUCKLAND), date(2025, 1, 16))
        self.assertEqual(expiry.local_date(AUCKLAND_BEFORE_MIDNIGHT, AUCKLAND), TODAY)
        # the threshold is 00:00 local time of the day, in UTC
        self.assertEqual(
            expiry.usable_threshold(BRUSSELS_BEFORE_MIDNIGHT, BRUSSELS), datetime(2025, 1, 14, 23)
        )
        self.assertEqual(
            expiry.usable_threshold(AUCKLAND_BEFORE_MIDNIGHT, AUCKLAND), datetime(2025, 1, 14, 11)
        )
        self.assertEqual(
            expiry.usable_threshold(AUCKLAND_AFTER_MIDNIGHT, AUCKLAND, min_days=10),
            datetime(2025, 1, 25, 11),
        )
        # summer time in Brussels: UTC+2
        self.assertEqual(
            expiry.usable_threshold(datetime(2025, 7, 15, 21, 59), BRUSSELS),
            datetime(2025, 7, 14, 22),
        )

    def test_expired_is_inclusive_of_the_last_day(self):
        for tz, before, after in (
            (BRUSSELS, BRUSSELS_BEFORE_MIDNIGHT, BRUSSELS_AFTER_MIDNIGHT),
            (AUCKLAND, AUCKLAND_BEFORE_MIDNIGHT, AUCKLAND_AFTER_MIDNIGHT),
        ):
            # first and last minute of the last day of use: the time of day does not matter
            for hour, minute in ((0, 0), (23, 59)):
                moment = expiry.day_start_utc(TODAY, tz) + timedelta(hours=hour, minutes=minute)
                self.assertFalse(expiry.is_expired(moment, before, tz), (tz, hour))
                self.assertTrue(expiry.is_expired(moment, after, tz), (tz, hour))
                self.assertEqual(expiry.days_left(moment, before, tz), 0)
                self.assertEqual(expiry.days_left(moment, after, tz), -1)
            self.assertFalse(expiry.is_expired(False, after, tz))


@tagged("post_install", "-at_install")
class TestExpiryReservation(FefoReservationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.milk = cls._product("FEFO Fresh milk", expiration_time=10)
        cls.auckland = cls.env["stock.warehouse"].create(
            {
                "name": "FEFO Auckland",
                "code": "FAKL",
                "company_id": cls.company.id,
                "partner_id": cls.env["res.partner"]
                .create({"name": "FEFO Auckland depot", "tz": AUCKLAND})
                .id,
            }
        )

    def _stock(self, warehouse, tz):
        """Lots whose last day of use is yesterday and today in ``tz``, in ``warehouse``."""
        prefix = warehouse.code
        for name, day in (("YESTERDAY", YESTERDAY), ("TODAY", TODAY)):
            self._put(
                self._lot(self.milk, f"{prefix}-{name}", day, tz=tz), 5, warehouse.lot_stock_id
            )

    def _deliver(self, warehouse, when):
        with freeze_time(when):
            move = self._delivery(self.milk, 2, warehouse=warehouse).move_ids
            return move, self._reserved(move)

    def test_brussels_midnight(self):
        self._stock(self.warehouse, BRUSSELS)
        code = self.warehouse.code
        # 23:59 on the last day of use: today's lot is still reserved, yesterday's is not
        move, reserved = self._deliver(self.warehouse, BRUSSELS_BEFORE_MIDNIGHT)
        self.assertEqual(reserved, [(f"{code}-TODAY", 2.0)])
        move.picking_id.do_unreserve()
        # 00:00:30 the next day: nothing usable, the move says why
        move, reserved = self._deliver(self.warehouse, BRUSSELS_AFTER_MIDNIGHT)
        self.assertEqual(reserved, [])
        self.assertEqual(
            move.lot_fefo_unreserved_reason,
            f"Lot {code}-TODAY (5 kg) is expired (last day of use 01/15/2025); "
            f"Lot {code}-YESTERDAY (5 kg) is expired (last day of use 01/14/2025)",
        )

    def test_auckland_midnight(self):
        self._stock(self.auckland, AUCKLAND)
        move, reserved = self._deliver(self.auckland, AUCKLAND_BEFORE_MIDNIGHT)
        self.assertEqual(reserved, [("FAKL-TODAY", 2.0)])
        move.picking_id.do_unreserve()
        move, reserved = self._deliver(self.auckland, AUCKLAND_AFTER_MIDNIGHT)
        self.assertEqual(reserved, [])
        self.assertIn("Lot FAKL-TODAY (5 kg) is expired", move.lot_fefo_unreserved_reason)

    def test_same_moment_two_warehouses(self):
        self._stock(self.warehouse, BRUSSELS)
        self._stock(self.auckland, AUCKLAND)
        # 23:59 in Brussels is already the next day in Auckland
        _move, reserved = self._deliver(self.warehouse, BRUSSELS_BEFORE_MIDNIGHT)
        self.assertEqual(reserved, [(f"{self.warehouse.code}-TODAY", 2.0)])
        _move, reserved = self._deliver(self.auckland, BRUSSELS_BEFORE_MIDNIGHT)
        self.assertEqual(reserved, [])
        # 23:59 in Auckland is midday in Brussels: yesterday's Brussels lot stays expired
        _move, reserved = self._deliver(self.auckland, AUCKLAND_BEFORE_MIDNIGHT)
        self.assertEqual(reserved, [("FAKL-TODAY", 2.0)])
        _move, reserved = self._deliver(self.warehouse, AUCKLAND_BEFORE_MIDNIGHT)
        self.assertEqual(reserved, [(f"{self.warehouse.code}-TODAY", 2.0)])

    def test_one_lot_read_in_each_warehouse_time_zone(self):
        # 2025-01-15 11:30 UTC: the 15th in Brussels, already the 16th in Auckland
        lot = self.env["stock.lot"].create(
            {
                "name": "SHARED",
                "product_id": self.milk.id,
                "company_id": self.company.id,
                "expiration_date": datetime(2025, 1, 15, 11, 30),
            }
        )
        self._put(lot, 5, self.warehouse.lot_stock_id)
        self._put(lot, 5, self.auckland.lot_stock_id)
        # 2025-01-16 00:30 in Brussels, 12:30 in Auckland
        moment = datetime(2025, 1, 15, 23, 30)
        _move, reserved = self._deliver(self.warehouse, moment)
        self.assertEqual(reserved, [])
        _move, reserved = self._deliver(self.auckland, moment)
        self.assertEqual(reserved, [("SHARED", 2.0)])


@tagged("post_install", "-at_install")
class TestExpiryLotFilter(FefoReservationCase):
    """The lots' "Expired" filter and flag (``product_expiry_alert``) of lots without
    stock use their company's main warehouse's time zone with the same definition."""

    def _lots(self, tz):
        milk = self._product("FEFO Filter milk")
        return {
            name: self._lot(milk, f"{tz}-{name}", day, tz=tz)
            for name, day in (("YESTERDAY", YESTERDAY), ("TODAY", TODAY))
        }

    def _expired_names(self, lots, when):
        Lot = self.env["stock.lot"]
        ids = [lot.id for lot in lots.values()]
        with freeze_time(when):
            self.env.invalidate_all()
            searched = Lot.search([("id", "in", ids), ("product_expiry_alert", "=", True)])
            not_searched = Lot.search([("id", "in", ids), ("product_expiry_alert", "=", False)])
            flagged = Lot.browse(ids).filtered("product_expiry_alert")
        self.assertEqual(searched, flagged)
        self.assertEqual(not_searched, Lot.browse(ids) - flagged)
        return sorted(name for name, lot in lots.items() if lot in searched)

    def test_filter_brussels(self):
        self.warehouse.partner_id.tz = BRUSSELS
        lots = self._lots(BRUSSELS)
        self.assertEqual(self._expired_names(lots, BRUSSELS_BEFORE_MIDNIGHT), ["YESTERDAY"])
        self.assertEqual(self._expired_names(lots, BRUSSELS_AFTER_MIDNIGHT), ["TODAY", "YESTERDAY"])

    def test_filter_auckland(self):
        self.warehouse.partner_id.tz = AUCKLAND
        lots = self._lots(AUCKLAND)
        self.assertEqual(self._expired_names(lots, AUCKLAND_BEFORE_MIDNIGHT), ["YESTERDAY"])
        self.assertEqual(self._expired_names(lots, AUCKLAND_AFTER_MIDNIGHT), ["TODAY", "YESTERDAY"])
