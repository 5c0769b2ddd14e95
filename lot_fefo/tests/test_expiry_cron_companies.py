from unittest.mock import patch

from odoo import Command
from odoo.tests import new_test_user, tagged

from ..models import stock_lot
from .common import BRUSSELS, ExpiryCase

LOGGER = "odoo.addons.lot_fefo.models.stock_lot"


@tagged("post_install", "-at_install")
class TestExpiryCronCompanies(ExpiryCase):
    """The daily expiry job in a database of two companies, company B moving its expired
    stock to an expiry location: each company's lots are expired and alerted in that
    company, and a lot or a company that fails does not stop the others."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "EX Company B"})
        cls.company_b.partner_id.tz = BRUSSELS
        cls.company_b.lot_expiry_alert_horizons = "90,30,7"
        cls.company_b.lot_expiry_move_expired = True
        cls.warehouse_b = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company_b.id)], limit=1
        )
        cls.expiry_b = cls.env["stock.location"].create(
            {
                "name": "EX B Expired",
                "location_id": cls.warehouse_b.view_location_id.id,
                "company_id": cls.company_b.id,
            }
        )
        cls.warehouse_b.lot_expiry_location_id = cls.expiry_b
        cls.user_b_quality = new_test_user(
            cls.env,
            "ex_b_quality",
            groups="stock.group_stock_user,lot_fefo.group_lot_quality_manager",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.company_b.lot_expiry_responsible_id = cls.user_b_quality
        # the job runs as the scheduler's user, whose current company is A
        cls.Lot = cls.env["stock.lot"].with_company(cls.company)

    def _lot_in(self, company, name, last_day, quantity):
        lot = self._lot(self.product_a, name, last_day, company_id=company.id)
        warehouse = self.warehouse if company == self.company else self.warehouse_b
        self.env["stock.quant"].with_company(company)._update_available_quantity(
            lot.product_id, warehouse.lot_stock_id, quantity, lot_id=lot
        )
        return lot

    def test_job_expires_and_alerts_each_company_in_its_own_company(self):
        expired_a = self._lot_in(self.company, "EX-A-OLD", -1, 3)
        expired_b = self._lot_in(self.company_b, "EX-B-OLD", -1, 4)
        soon_a = self._lot_in(self.company, "EX-A-SOON", 6, 2)
        soon_b = self._lot_in(self.company_b, "EX-B-SOON", 6, 5)

        self.Lot._lot_expiry_cron(now=self.now)

        self.assertEqual((expired_a | expired_b).mapped("lot_status"), ["expired", "expired"])
        # company A does not move expired stock; company B does, with its own transfer
        self.assertEqual(self._on_hand(expired_a, self.stock), 3)
        self.assertEqual(self._on_hand(expired_b, self.expiry_b), 4)
        moves = self.env["stock.move.line"].search([("lot_id", "=", expired_b.id)]).move_id
        self.assertEqual(moves.company_id, self.company_b)
        self.assertEqual(moves.picking_id.company_id, self.company_b)
        self.assertEqual(moves.picking_id.picking_type_id, self.warehouse_b.int_type_id)
        self.assertEqual(set(moves.mapped("state")), {"done"})
        # each company's alerts go to its own people
        digests = self.env["lot.expiry.digest"].search(
            [("line_ids.lot_id", "in", (soon_a | soon_b).ids)]
        )
        self.assertEqual(
            {(d.company_id, d.user_id, d.line_ids.lot_id) for d in digests},
            {(self.company, self.user_a, soon_a), (self.company_b, self.user_b_quality, soon_b)},
        )
        # B's inventory user sees B's transfer
        picking = moves.picking_id.with_user(self.user_b_quality)
        self.assertEqual(picking.read(["state"])[0]["state"], "done")

    def test_a_failing_lot_is_logged_and_skipped(self):
        lots = [self._lot_in(self.company, f"EX-A-{i}", -1, 1) for i in range(3)]
        bad = lots[1]
        lot_b = self._lot_in(self.company_b, "EX-B-OLD", -1, 2)
        Lot = type(self.env["stock.lot"])
        set_status = Lot._lot_set_status

        def failing(records, status, *args, **kwargs):
            if bad in records:
                raise RuntimeError("Simulated failure")
            return set_status(records, status, *args, **kwargs)

        with (
            patch.object(Lot, "_lot_set_status", failing),
            self.assertLogs(LOGGER, level="ERROR") as logs,
        ):
            self.Lot._lot_expiry_cron(now=self.now)
        self.assertIn("EX-A-1", "\n".join(logs.output))
        self.assertEqual(bad.lot_status, "released")
        for lot in (lots[0], lots[2], lot_b):
            self.assertEqual(lot.lot_status, "expired", lot.name)
        self.assertEqual(self._on_hand(lot_b, self.expiry_b), 2)

    def test_a_failing_company_is_logged_and_skipped(self):
        soon_a = self._lot_in(self.company, "EX-A-SOON", 6, 2)
        soon_b = self._lot_in(self.company_b, "EX-B-SOON", 6, 5)
        Lot = type(self.env["stock.lot"])
        alert = Lot._lot_expiry_alert
        company_a = self.company

        def failing(records, *args, **kwargs):
            if records.env.company == company_a:
                raise RuntimeError("Simulated failure")
            return alert(records, *args, **kwargs)

        with (
            patch.object(Lot, "_lot_expiry_alert", failing),
            self.assertLogs(LOGGER, level="ERROR") as logs,
        ):
            self.Lot._lot_expiry_cron(now=self.now)
        self.assertIn(self.company.name, "\n".join(logs.output))
        digests = self.env["lot.expiry.digest"].search(
            [("line_ids.lot_id", "in", (soon_a | soon_b).ids)]
        )
        self.assertEqual(digests.company_id, self.company_b)
        self.assertEqual(digests.line_ids.lot_id, soon_b)

    def test_job_works_in_batches_and_reports_its_progress(self):
        lots = [self._lot_in(self.company, f"EX-A-{i}", -1, 1) for i in range(3)]
        lots.append(self._lot_in(self.company_b, "EX-B-OLD", -1, 1))
        progress = []

        def notify(_cron, *, done, remaining, deactivate=False):
            progress.append((done, remaining))

        with (
            patch.object(stock_lot, "EXPIRY_BATCH", 2),
            patch.object(type(self.env["ir.cron"]), "_notify_progress", notify),
        ):
            self.Lot._lot_expiry_cron(now=self.now)
        self.assertEqual({lot.lot_status for lot in lots}, {"expired"})
        # batches of 2 lots in A (2 + 1), 1 lot in B, then the alerts of each company
        done = [step[0] for step in progress]
        self.assertEqual(done, sorted(done))
        self.assertEqual(progress[-1][1], 0)
        self.assertGreaterEqual(len(progress), 5)

    def test_first_run_with_many_lots_due_is_split_into_calls(self):
        """With more lots due than one call expires (the first run after installation),
        a call stops after its share, notifying what remains, and the cron's next call
        does the rest, then the alerts."""
        lots = [self._lot_in(self.company, f"EX-MANY-{i}", -1, 1) for i in range(3)]
        lots.append(self._lot_in(self.company_b, "EX-MANY-B", -1, 1))
        progress = []

        def notify(_cron, *, done, remaining, deactivate=False):
            progress.append((done, remaining))

        Lot = type(self.env["stock.lot"])
        with (
            patch.object(stock_lot, "EXPIRY_BATCH", 2),
            patch.object(stock_lot, "EXPIRY_LOTS_PER_CALL", 2),
            patch.object(type(self.env["ir.cron"]), "_notify_progress", notify),
            patch.object(Lot, "_lot_expiry_alert", autospec=True) as alert,
        ):
            self.Lot._lot_expiry_cron(now=self.now)
            self.assertIn(sum(lot.lot_status == "expired" for lot in lots), (2, 3))
            self.assertGreater(progress[-1][1], 0)
            alert.assert_not_called()
            self.Lot._lot_expiry_cron(now=self.now)
        self.assertEqual({lot.lot_status for lot in lots}, {"expired"})
        self.assertEqual(progress[-1][1], 0)
        self.assertTrue(alert.called)
