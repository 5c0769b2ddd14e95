from datetime import timedelta
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from ..reports import lot_fefo_compliance_report
from ..tools import expiry
from .common import AUCKLAND, BRUSSELS, FefoReservationCase


@tagged("post_install", "-at_install")
class TestFefoCompliance(FefoReservationCase):
    """Deliveries shipping a later-expiring lot while an earlier-expiring eligible lot was
    on hand in the same warehouse (Brussels), with stock flows dated in the past."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Report = cls.env["lot.fefo.compliance.report"]
        cls.suppliers = cls.env.ref("stock.stock_location_suppliers")
        cls.auckland = cls.env["stock.warehouse"].create(
            {
                "name": "FC Auckland",
                "code": "FCAK",
                "company_id": cls.company.id,
                "partner_id": cls.env["res.partner"]
                .create({"name": "FC Auckland depot", "tz": AUCKLAND})
                .id,
            }
        )
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "FC Other Grocer", "is_company": True}
        )

    def setUp(self):
        super().setUp()
        self.yogurt = self._product("FC Yogurt")
        # last days of use, counted from today
        self.lot_a = self._lot(self.yogurt, "FC-A", 10)
        self.lot_b = self._lot(self.yogurt, "FC-B", 20)

    def _at(self, days_ago, hour=10):
        """Naive UTC datetime of ``hour`` o'clock in Brussels, ``days_ago`` days ago."""
        day = self._today() - timedelta(days=days_ago)
        return expiry.day_start_utc(day, BRUSSELS) + timedelta(hours=hour)

    def _move(self, lots, source, destination, days_ago=None, partner=None, move_partner=None):
        """Validate a transfer of the (lot, quantity) pairs, dated ``days_ago`` days ago
        (left at now when None); ``move_partner`` is the move's address when it differs
        from the transfer's partner."""
        warehouse = (source | destination).warehouse_id[:1]
        if source.usage == "supplier":
            picking_type = warehouse.in_type_id
        elif destination.usage == "customer":
            picking_type = warehouse.out_type_id
        else:
            picking_type = warehouse.int_type_id
        product = lots[0][0].product_id
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": (partner or self.customer).id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": sum(qty for _lot, qty in lots),
                            "product_uom": product.uom_id.id,
                            "location_id": source.id,
                            "location_dest_id": destination.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        move = picking.move_ids
        if move_partner:
            move.partner_id = move_partner
        move._do_unreserve()
        line_vals = []
        for lot, qty in lots:
            vals = move._prepare_move_line_vals(quantity=qty)
            vals.update(lot_id=lot.id, picked=True)
            line_vals.append(vals)
        self.env["stock.move.line"].create(line_vals)
        picking.with_context(skip_expired=True).button_validate()
        self.assertEqual(picking.state, "done")
        if days_ago is None:
            return picking
        date = self._at(days_ago)
        picking.date_done = date
        move.date = date
        move.move_line_ids.date = date
        return picking

    def _receive(self, lot, qty, days_ago, warehouse=None):
        warehouse = warehouse or self.warehouse
        return self._move([(lot, qty)], self.suppliers, warehouse.lot_stock_id, days_ago)

    def _ship(self, lots, days_ago, partner=None, warehouse=None, move_partner=None):
        warehouse = warehouse or self.warehouse
        return self._move(
            lots, warehouse.lot_stock_id, self.customers, days_ago, partner, move_partner
        )

    def _report(self, product=None):
        self.Report._lot_fefo_refresh()
        return self.Report.search([("product_id", "=", (product or self.yogurt).id)])

    # ------------------------------------------------------------------ found

    def test_planted_violation_found_and_compliant_delivery_not(self):
        self._receive(self.lot_a, 10, 5)
        self._receive(self.lot_b, 10, 5)
        planted = self._ship([(self.lot_b, 4)], 2)
        self._ship([(self.lot_a, 3)], 1)  # FEFO: the earlier lot

        row = self._report()
        self.assertEqual(len(row), 1)
        self.assertEqual(row.picking_id, planted)
        self.assertEqual(row.move_line_id, planted.move_line_ids)
        self.assertEqual(row.date, self._at(2))
        self.assertEqual(row.partner_id, self.customer)
        self.assertEqual(row.warehouse_id, self.warehouse)
        self.assertEqual(row.company_id, self.company)
        self.assertEqual(
            (row.lot_id, row.expiration_date), (self.lot_b, self.lot_b.expiration_date)
        )
        self.assertEqual(row.quantity, 4.0)
        self.assertEqual(row.uom_id, self.kg)
        self.assertEqual(
            (row.earlier_lot_id, row.earlier_expiration_date),
            (self.lot_a, self.lot_a.expiration_date),
        )
        self.assertEqual(row.earlier_quantity, 10.0)
        self.assertEqual(row.days_difference, 10)
        # recomputed, not accumulated
        self.assertEqual(self._report().move_line_id, planted.move_line_ids)

    def test_names_the_earliest_eligible_lot_and_what_was_left(self):
        lot_c = self._lot(self.yogurt, "FC-C", 5)
        self._receive(self.lot_a, 10, 6)
        self._receive(lot_c, 8, 6)
        self._receive(self.lot_b, 10, 6)
        # C partly shipped first (compliant), then B while C and A are on hand
        self._ship([(lot_c, 5)], 4)
        self._ship([(self.lot_b, 2)], 3)
        row = self._report()
        self.assertEqual((row.lot_id, row.earlier_lot_id), (self.lot_b, lot_c))
        self.assertEqual((row.earlier_quantity, row.days_difference), (3.0, 15))

    def test_same_delivery_emptying_the_earlier_lot_is_compliant(self):
        self._receive(self.lot_a, 4, 5)
        self._receive(self.lot_b, 10, 5)
        self._ship([(self.lot_a, 4), (self.lot_b, 3)], 2)
        self.assertFalse(self._report())
        # taking only part of the earlier lot with the later one is not
        self._receive(self.lot_a, 4, 1)
        planted = self._ship([(self.lot_a, 1), (self.lot_b, 1)], 0)
        row = self._report()
        self.assertEqual(row.picking_id, planted)
        self.assertEqual((row.lot_id, row.earlier_quantity), (self.lot_b, 3.0))

    # ------------------------------------------------------------------ not on hand

    def test_earlier_lot_not_on_hand_is_not_reported(self):
        # A all gone before B ships
        self._receive(self.lot_a, 5, 6)
        self._receive(self.lot_b, 10, 6)
        self._ship([(self.lot_a, 5)], 4)
        self._ship([(self.lot_b, 2)], 3)
        # A received again only after B shipped once more
        self._ship([(self.lot_b, 2)], 2)
        self._receive(self.lot_a, 5, 1)
        self.assertFalse(self._report())

    def test_earlier_lot_in_another_warehouse_is_not_reported(self):
        self._receive(self.lot_a, 5, 6, warehouse=self.auckland)
        self._receive(self.lot_b, 10, 6)
        self._ship([(self.lot_b, 2)], 3)
        self.assertFalse(self._report())
        # moved into Brussels, it counts
        self._move([(self.lot_a, 5)], self.auckland.lot_stock_id, self.stock, 2)
        self._ship([(self.lot_b, 2)], 1)
        row = self._report()
        self.assertEqual(
            (row.date, row.earlier_lot_id, row.earlier_quantity), (self._at(1), self.lot_a, 5.0)
        )

    # ------------------------------------------------------------------ not eligible

    def test_earlier_lot_expired_at_the_delivery_is_not_reported(self):
        # last day of use 3 days ago: usable at the delivery 4 days ago, not 2 days ago
        lot_old = self._lot(self.yogurt, "FC-OLD", -3)
        self._receive(lot_old, 5, 6)
        self._receive(self.lot_b, 10, 6)
        self._ship([(self.lot_b, 1)], 2)
        self.assertFalse(self._report())
        self._ship([(self.lot_b, 1)], 3)
        row = self._report()
        self.assertEqual((row.date, row.earlier_lot_id), (self._at(3), lot_old))

    def test_earlier_lot_expiring_the_same_day_is_not_reported(self):
        same_day = self._lot(self.yogurt, "FC-SAME", 20)
        same_day.expiration_date = self.lot_b.expiration_date - timedelta(hours=5)
        self.assertEqual(
            expiry.local_date(same_day.expiration_date, BRUSSELS),
            expiry.local_date(self.lot_b.expiration_date, BRUSSELS),
        )
        self._receive(same_day, 5, 6)
        self._receive(self.lot_b, 10, 6)
        self._ship([(self.lot_b, 1)], 2)
        self.assertFalse(self._report())

    def test_earlier_lot_not_in_a_usable_status_is_not_reported(self):
        self._receive(self.lot_a, 5, 6)
        self._receive(self.lot_b, 10, 6)
        self._ship([(self.lot_b, 1)], 3, partner=self.other_customer)
        self._ship([(self.lot_b, 1)], 2)
        self.lot_a._lot_set_status("blocked", "FC lab hold")
        self.assertFalse(self._report())
        # restricted to another customer: not for this one
        self.lot_a._lot_set_status("restricted", "FC one buyer", partners=self.other_customer)
        rows = self._report()
        self.assertEqual(rows.partner_id, self.other_customer)
        self.assertEqual(rows.date, self._at(3))

    def test_customer_minimum_shelf_life(self):
        """A customer asking for 15 days left could not get A (10 days left)."""
        self.other_customer.lot_min_shelf_life = 15
        self._receive(self.lot_a, 5, 6)
        self._receive(self.lot_b, 10, 6)
        self._ship([(self.lot_b, 1)], 1, partner=self.other_customer)
        self.assertFalse(self._report())
        # 6 days ago, A still had 16 days left
        self._ship([(self.lot_b, 1)], 6, partner=self.other_customer)
        self.assertEqual(self._report().date, self._at(6))

    def test_customer_is_the_moves_partner(self):
        """The customer of a delivery is its move's partner, not the transfer's: the row
        names it and its minimum shelf life applies."""
        self._receive(self.lot_a, 5, 6)
        self._receive(self.lot_b, 10, 6)
        planted = self._ship([(self.lot_b, 1)], 2, move_partner=self.other_customer)
        self.assertEqual(planted.partner_id, self.customer)
        row = self._report()
        self.assertEqual((row.picking_id, row.partner_id), (planted, self.other_customer))
        # the move's customer wants 15 days left: A (10 days) was not for it
        self.other_customer.lot_min_shelf_life = 15
        self.assertFalse(self._report())
        self._ship([(self.lot_b, 1)], None, move_partner=self.other_customer)
        self.assertFalse(self._rows())
        self.other_customer.lot_min_shelf_life = 0
        self._ship([(self.lot_b, 1)], None, move_partner=self.other_customer)
        self.assertEqual(self._rows().partner_id, self.other_customer)

    # ------------------------------------------------------------------ when validated

    def _rows(self):
        return self.Report.search([("product_id", "=", self.yogurt.id)])

    def test_recorded_when_the_delivery_is_validated(self):
        self._receive(self.lot_a, 10, None)
        self._receive(self.lot_b, 10, None)
        self._ship([(self.lot_a, 2)], None)
        self.assertFalse(self._rows())
        planted = self._ship([(self.lot_b, 3)], None)
        row = self._rows()
        self.assertEqual(row.picking_id, planted)
        self.assertEqual((row.earlier_lot_id, row.earlier_quantity), (self.lot_a, 8.0))
        self.assertEqual(row.days_difference, 10)
        self.assertEqual(row.date, planted.move_line_ids.date)
        # the history gives the same rows
        self.Report._lot_fefo_refresh()
        self.assertEqual(
            [(r.move_line_id, r.earlier_lot_id, r.earlier_quantity) for r in self._rows()],
            [(planted.move_line_ids, self.lot_a, 8.0)],
        )

    def test_status_of_the_moment_kept_until_recomputed(self):
        self._receive(self.lot_a, 10, None)
        self._receive(self.lot_b, 10, None)
        self._ship([(self.lot_b, 3)], None)
        # blocked afterwards: the delivery was still a violation when it was done
        self.lot_a._lot_set_status("blocked", "FC found later")
        self.assertEqual(self._rows().earlier_lot_id, self.lot_a)
        self._ship([(self.lot_b, 1)], None)
        self.assertEqual(len(self._rows()), 1)
        # recomputed from history, with the current statuses
        self.Report._lot_fefo_refresh()
        self.assertFalse(self._rows())

    # ------------------------------------------------------------------ access, menu

    def test_menu_and_access(self):
        self._receive(self.lot_a, 5, 6)
        self._receive(self.lot_b, 10, 6)
        self._ship([(self.lot_b, 1)], 2)
        self.Report._lot_fefo_refresh()
        user = new_test_user(
            self.env,
            login="fc_stock_user",
            groups="stock.group_stock_user,stock.group_production_lot",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        rows = self.Report.with_user(user).search([("product_id", "=", self.yogurt.id)])
        self.assertEqual(rows.earlier_lot_id, self.lot_a)
        with self.assertRaises(AccessError):
            rows.write({"quantity": 1})
        with self.assertRaises(AccessError):
            rows.unlink()
        with self.assertRaises(AccessError):
            self.Report.with_user(user).action_recompute()
        # the deliveries a stock user validates are recorded all the same
        admin_env, self.env = self.env, self.env(user=user)
        planted = self._ship([(self.lot_b, 1)], None)
        self.env = admin_env
        self.assertEqual(
            self.Report.with_user(user).search([("picking_id", "=", planted.id)]).earlier_lot_id,
            self.lot_a,
        )
        action = self.env.ref("lot_fefo.action_lot_fefo_compliance_report")
        self.assertEqual(action.res_model, "lot.fefo.compliance.report")
        menu = self.env.ref("lot_fefo.menu_lot_fefo_compliance_report")
        self.assertEqual(menu.action, action)
        manager = new_test_user(
            self.env,
            login="fc_stock_manager",
            groups="stock.group_stock_manager,stock.group_production_lot",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        self.assertEqual(
            self.Report.with_user(manager).action_recompute()["tag"], "display_notification"
        )
        self._run_job()
        self.assertEqual(len(self.Report.search([("product_id", "=", self.yogurt.id)])), 2)

    # ------------------------------------------------------------------ background job

    def _history(self):
        """Two products with FEFO violations in the past: one batch each below."""
        self._receive(self.lot_a, 5, 6)
        self._receive(self.lot_b, 10, 6)
        self._ship([(self.lot_b, 1)], 2)
        cream = self._product("FC Cream")
        early, late = self._lot(cream, "FC-C1", 5), self._lot(cream, "FC-C2", 15)
        self._receive(early, 4, 6)
        self._receive(late, 4, 6)
        self._ship([(late, 2)], 3)
        self._ship([(late, 1)], 1)
        return self.yogurt | cream

    def _run_job(self):
        """Call the job as the cron does, again while companies stay queued; returns the
        number of calls."""
        calls = 0
        while self.env["res.company"].search_count([("lot_fefo_compliance_queued", "=", True)]):
            self.Report._lot_fefo_compliance_job()
            calls += 1
        return calls

    def _all_rows(self, products):
        rows = self.Report.search([("product_id", "in", products.ids)])
        return sorted(
            (r.move_line_id.id, r.earlier_lot_id.id, r.earlier_quantity, r.days_difference)
            for r in rows
        )

    def test_recompute_is_queued_for_the_background_job(self):
        """The button answers at once: it queues the recompute of the user's company and
        triggers the cron, which rebuilds the rows; a stock user cannot queue it."""
        products = self._history()
        self.env.cr.execute("DELETE FROM lot_fefo_compliance_report")
        self.Report.invalidate_model()
        # installing the addon queues a first rebuild: start from an empty queue
        self.env["res.company"].sudo().search([]).write({"lot_fefo_compliance_queued": False})
        cron = self.env.ref("lot_fefo.ir_cron_lot_fefo_compliance")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        manager, stock_user = (
            new_test_user(
                self.env,
                login=f"fc_queue_{group}",
                groups=f"stock.group_stock_{group},stock.group_production_lot",
                company_id=self.company.id,
                company_ids=[Command.set(self.company.ids)],
            )
            for group in ("manager", "user")
        )
        with self.assertRaises(AccessError):
            self.Report.with_user(stock_user).action_recompute()
        # not even an administrator moves the job's watermark by hand
        with self.assertRaises(UserError):
            self.company.with_user(self.env.ref("base.user_admin")).write(
                {"lot_fefo_compliance_done_product_id": 10**9}
            )
        self.assertFalse(self.company.lot_fefo_compliance_queued)
        other_company = self.env["res.company"].create({"name": "FC Other Company"})
        self.Report.with_user(manager).action_recompute()
        self.assertTrue(self.company.lot_fefo_compliance_queued)
        self.assertFalse(other_company.lot_fefo_compliance_queued, "only the user's companies")
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers + 1
        )
        self.assertFalse(self._all_rows(products))
        self._run_job()
        self.assertEqual(len(self._all_rows(products)), 3)
        self.assertFalse(self.company.lot_fefo_compliance_queued)

    def test_interrupted_recompute_resumes_without_duplicates(self):
        """A job that fails in its second batch (the batch is rolled back, the first one
        kept with the watermark) finishes on its next run with the rows of an
        uninterrupted run, none twice."""
        products = self._history()
        self.Report._lot_fefo_refresh()
        expected = self._all_rows(products)
        self.assertEqual(len(expected), 3)
        store = type(self.Report)._lot_fefo_store
        calls = []

        def crash_in_second_batch(report, violations):
            store(report, violations)
            calls.append(len(violations))
            if len(calls) == 2:
                raise RuntimeError("worker killed")

        self.Report._lot_fefo_queue(self.company)
        with (
            patch.object(lot_fefo_compliance_report, "BATCH_LINES", 1),
            patch.object(type(self.Report), "_lot_fefo_store", crash_in_second_batch),
            self.assertRaisesRegex(RuntimeError, "worker killed"),
        ):
            self._run_job()
        self.assertTrue(self.company.lot_fefo_compliance_queued)
        self.assertTrue(self.company.lot_fefo_compliance_done_product_id)
        self.assertEqual(len(calls), 2)
        with patch.object(lot_fefo_compliance_report, "BATCH_LINES", 1):
            # one batch per call: the cron calls it again while work remains
            self.assertGreater(self._run_job(), 1)
        self.assertEqual(self._all_rows(products), expected)
        self.assertFalse(self.company.lot_fefo_compliance_queued)
        self.assertEqual(self.company.lot_fefo_compliance_done_product_id, 0)

    # ------------------------------------------------------------------ hostile data

    # The last expiration date Odoo accepts: in Brussels its day is past the last date
    # Python knows.
    END_OF_TIME = "9999-12-31 23:30:00"

    def test_a_lot_cannot_expire_past_the_end_of_the_calendar(self):
        stock_user = new_test_user(
            self.env,
            login="fc_far_stock_user",
            groups="stock.group_stock_user,stock.group_production_lot",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        expiration = self.lot_b.expiration_date
        with self.assertRaises(ValidationError) as refused:
            self.lot_b.with_user(stock_user).expiration_date = self.END_OF_TIME
        self.assertRegex(str(refused.exception), "FC-B .*expiration date before 9999-12-29")
        self.assertEqual(self.lot_b.expiration_date, expiration)
        # The deliveries of the product go on (they read the days of the lots on hand).
        self._receive(self.lot_a, 5, 6)
        self._receive(self.lot_b, 10, 6)
        self.assertEqual(self._ship([(self.lot_a, 1)], None).state, "done")

    def test_a_lot_dated_at_the_end_of_the_calendar_before_the_check_does_not_stop_deliveries(
        self,
    ):
        self._receive(self.lot_a, 5, 6)
        self._receive(self.lot_b, 10, 6)
        # Dated so before expiration dates were checked (or by an import into core).
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE stock_lot SET expiration_date = %s WHERE id = %s",
            [self.END_OF_TIME, self.lot_b.id],
        )
        self.env.invalidate_all()
        self.assertEqual(self._ship([(self.lot_a, 1)], None).state, "done")
        self.env["res.company"].search([]).write({"lot_fefo_compliance_queued": False})
        self.Report._lot_fefo_queue(self.company)
        self._run_job()
        self.assertFalse(self.company.lot_fefo_compliance_queued)

    def test_a_company_whose_rebuild_fails_does_not_hold_up_the_others(self):
        self._receive(self.lot_a, 5, 6)
        self._receive(self.lot_b, 10, 6)
        self._ship([(self.lot_b, 1)], 2)
        self.env["res.company"].search([]).write({"lot_fefo_compliance_queued": False})
        later = self.env["res.company"].create({"name": "FC Later Company", "sequence": 999})
        self.Report._lot_fefo_queue(self.company | later)
        # Something in this company's data that the rebuild cannot read, at every call.
        rebuild_batch = type(self.Report)._lot_fefo_rebuild_batch

        def unreadable(report, company, *args):
            if company == self.company:
                raise ValueError("a value this company's data cannot hold")
            return rebuild_batch(report, company, *args)

        with (
            patch.object(type(self.Report), "_lot_fefo_rebuild_batch", unreadable),
            self.assertLogs(lot_fefo_compliance_report.__name__, "ERROR") as logs,
        ):
            calls = self._run_job()
        self.assertIn(f"company {self.company.name} could not be recomputed", logs.output[0])
        self.assertLessEqual(calls, 2)
        self.assertFalse((self.company | later).filtered("lot_fefo_compliance_queued"))
        self.assertEqual(self.company.lot_fefo_compliance_done_product_id, 0)
