from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from ..tools import expiry
from .common import ExpiryCase


@tagged("post_install", "-at_install")
class TestExpiryAlerts(ExpiryCase):
    def _alert(self, days=0):
        return self.env["stock.lot"]._lot_expiry_alert(now=self.now + timedelta(days=days))

    def _lines(self, digests, lots):
        return {line.lot_id: line for line in digests.line_ids if line.lot_id in lots}

    def test_digest_content_one_per_user(self):
        a1 = self._lot(self.product_a, "EX-A1", 80)
        a2 = self._lot(self.product_a, "EX-A2", 20)
        b1 = self._lot(self.product_b, "EX-B1", 5, standard_price=4.0)
        c1 = self._lot(self.product_c, "EX-C1", 7)
        outside = self._lot(self.product_a, "EX-A3", 91)
        no_stock = self._lot(self.product_a, "EX-A4", 10)
        expired = self._lot(self.product_a, "EX-A5", -1)
        self._receive(a1, 6, self.shelf_a)
        self._receive(a1, 4, self.shelf_b)
        self._receive(a2, 4)
        self._receive(b1, 3)
        self._receive(c1, 2)
        self._receive(outside, 5)
        self._receive(expired, 5)

        digests = self._alert()

        mine = a1 | a2 | b1 | c1 | outside | no_stock | expired
        lines = self._lines(digests, mine)
        self.assertEqual(set(lines), {a1, a2, b1, c1})
        # one digest per responsible user
        for user in (self.user_a, self.user_b, self.user_q):
            self.assertEqual(len(digests.filtered(lambda d, user=user: d.user_id == user)), 1)
        self.assertEqual(len(digests.user_id), len(digests))
        self.assertEqual(lines[a1].digest_id.user_id, self.user_a)
        self.assertEqual(lines[a2].digest_id, lines[a1].digest_id)
        self.assertEqual(lines[b1].digest_id.user_id, self.user_b)
        # the product's responsible is archived: the company's fallback gets it
        self.assertEqual(lines[c1].digest_id.user_id, self.user_q)
        expected = {
            # lot: (horizon, days left, expiration day, quantity, value)
            a1: (90, 80, self.today + timedelta(days=80), 10.0, 25.0),
            a2: (30, 20, self.today + timedelta(days=20), 4.0, 10.0),
            b1: (7, 5, self.today + timedelta(days=5), 3.0, 12.0),  # lot cost 4.0
            c1: (7, 7, self.today + timedelta(days=7), 2.0, 8.0),
        }
        for lot, values in expected.items():
            line = lines[lot]
            self.assertEqual(
                (line.horizon, line.days_left, line.expiration_date, line.quantity, line.value),
                values,
                lot.name,
            )
            self.assertEqual(line.product_id, lot.product_id)
            self.assertEqual(line.uom_id, lot.product_id.uom_id)
            self.assertEqual(line.currency_id, self.company.currency_id)
            # the value is the one Odoo's stock valuation gives the quants
            quants = self.env["stock.quant"].search(
                [("lot_id", "=", lot.id), ("location_id.usage", "=", "internal")]
            )
            self.assertAlmostEqual(line.value, sum(quants.mapped("value")), places=2)
        digest_a = lines[a1].digest_id
        self.assertEqual(digest_a.date, self.today)
        self.assertEqual(digest_a.company_id, self.company)
        self.assertEqual((digest_a.lot_count, digest_a.min_horizon), (2, 30))
        self.assertAlmostEqual(digest_a.total_value, 35.0)
        # lots are marked with the horizon notified and the date it was for
        self.assertEqual(a1.lot_expiry_alert_horizon, 90)
        self.assertEqual(a1.lot_expiry_alert_expiration_date, a1.expiration_date)
        self.assertFalse(outside.lot_expiry_alert_horizon)

    def test_activity_and_email(self):
        a1 = self._lot(self.product_a, "EX-MAIL1", 25)
        self._receive(a1, 10)
        digest = self._alert().filtered(lambda d: d.user_id == self.user_a)

        activity = digest.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.user_a)
        self.assertEqual(
            activity.activity_type_id, self.env.ref("lot_fefo.mail_activity_type_lot_expiry")
        )
        self.assertEqual(activity.date_deadline, self.today)
        mails = self.env["mail.mail"].search(
            [("model", "=", "lot.expiry.digest"), ("res_id", "=", digest.id)]
        )
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.recipient_ids, self.user_a.partner_id)
        self.assertIn("EX-MAIL1", mails.body_html)
        self.assertIn("EX Yoghurt", mails.body_html)
        self.assertIn("1 lot(s)", mails.subject)
        # money is for accounting groups only: an Inventory user's digest shows no value
        self.assertNotIn("25.00", mails.body_html)
        template = self.env.ref("lot_fefo.mail_template_lot_expiry_digest")
        self.user_a.groups_id |= self.env.ref("account.group_account_readonly")
        body = template._render_field("body_html", digest.ids)[digest.id]
        self.assertIn("25.00", body)  # value 10 x 2.5

    def test_idempotent_when_run_twice(self):
        lot = self._lot(self.product_a, "EX-TWICE", 25)
        self._receive(lot, 3)
        first = self._alert()
        self.assertIn(lot, first.line_ids.lot_id)
        activities = self.env["mail.activity"].search_count([])
        mails = self.env["mail.mail"].search_count([])

        self.assertFalse(self._alert())
        self.assertEqual(self.env["mail.activity"].search_count([]), activities)
        self.assertEqual(self.env["mail.mail"].search_count([]), mails)
        # the same day, later: still nothing new for this lot
        self.assertNotIn(lot, self._alert(days=0.4).line_ids.lot_id)
        self.assertEqual(
            self.env["lot.expiry.digest"].search([("user_id", "=", self.user_a.id)]),
            first.filtered(lambda d: d.user_id == self.user_a),
        )

    def test_sent_again_when_entering_next_horizon(self):
        lot = self._lot(self.product_a, "EX-NEXT", 35)
        self._receive(lot, 3)
        horizons = []
        for day in range(0, 36):
            digests = self._alert(days=day)
            for line in self._lines(digests, lot).values():
                horizons.append((day, line.horizon, line.days_left))
        # 35 days left: in the 90-day horizon; then 30 and 7 days left; never twice
        self.assertEqual(horizons, [(0, 90, 35), (5, 30, 30), (28, 7, 7)])
        self.assertEqual(lot.lot_expiry_alert_horizon, 7)
        # expired lots are not alerted (the cron expires them instead)
        self.assertFalse(self._lines(self._alert(days=36), lot))

    def test_enters_several_horizons_at_once(self):
        lot = self._lot(self.product_a, "EX-LATE", 3)
        self._receive(lot, 1)
        lines = self._lines(self._alert(), lot)
        # first seen 3 days before expiry: one line, for the 7-day horizon only
        self.assertEqual(len(lines), 1)
        self.assertEqual(lines[lot].horizon, 7)

    def test_horizon_entered_at_local_midnight(self):
        lot = self._lot(self.product_a, "EX-MIDNIGHT", 38)  # 38 days left today
        self._receive(lot, 1)
        Lot = self.env["stock.lot"]
        self.assertEqual(self._lines(Lot._lot_expiry_alert(now=self.now), lot)[lot].horizon, 90)
        # 31 days left until 23:59 Brussels time, 30 from 00:00 (22:00 or 23:00 UTC)
        eve = self._at(7) - timedelta(minutes=1)
        self.assertFalse(self._lines(Lot._lot_expiry_alert(now=eve), lot))
        midnight = self._at(8)
        self.assertEqual(expiry.local_date(midnight, "UTC"), self.today + timedelta(days=7))
        line = self._lines(Lot._lot_expiry_alert(now=midnight), lot)[lot]
        self.assertEqual((line.horizon, line.days_left), (30, 30))

    def test_changed_expiration_date_rearms(self):
        lot = self._lot(self.product_a, "EX-REARM", 20)
        self._receive(lot, 3)
        self.assertEqual(self._lines(self._alert(), lot)[lot].horizon, 30)
        self.assertFalse(self._lines(self._alert(), lot))
        # shelf life extended after a re-test: alerted again from the new date
        lot.expiration_date = self._at(60, hours=12)
        line = self._lines(self._alert(), lot)[lot]
        self.assertEqual((line.horizon, line.days_left), (90, 60))
        self.assertFalse(self._lines(self._alert(), lot))
        # corrected back to 25 days: the 30-day horizon is notified again for this date
        lot.expiration_date = self._at(25, hours=12)
        line = self._lines(self._alert(), lot)[lot]
        self.assertEqual((line.horizon, line.days_left), (30, 25))

    def test_horizons_setting(self):
        company = self.company
        company.lot_expiry_alert_horizons = " 7, 90 ,30,30"
        self.assertEqual(company._lot_expiry_horizons(), [90, 30, 7])
        for bad in ("90,x", "0", "-7", "90;30", "1.5"):
            with self.assertRaises(ValidationError, msg=bad):
                company.lot_expiry_alert_horizons = bad
        # a single horizon of 14 days: a lot 20 days from expiry is not alerted yet
        company.lot_expiry_alert_horizons = "14"
        lot = self._lot(self.product_a, "EX-H14", 20)
        self._receive(lot, 1)
        self.assertFalse(self._lines(self._alert(), lot))
        self.assertEqual(self._lines(self._alert(days=6), lot)[lot].horizon, 14)
        # no horizon: no alert at all
        company.lot_expiry_alert_horizons = ""
        self.assertEqual(company._lot_expiry_horizons(), [])
        self.assertFalse(self._alert(days=10))

    def test_settings_form_writes_company(self):
        self.env.user.groups_id += self.env.ref("stock.group_production_lot")
        form = Form(self.env["res.config.settings"])
        form.module_product_expiry = True
        form.lot_expiry_alert_horizons = "60,15"
        form.lot_expiry_move_expired = True
        form.lot_expiry_responsible_id = self.user_b
        form.save().execute()
        self.assertEqual(self.company.lot_expiry_alert_horizons, "60,15")
        self.assertTrue(self.company.lot_expiry_move_expired)
        self.assertEqual(self.company.lot_expiry_responsible_id, self.user_b)

    def test_fallback_responsible(self):
        self.company.lot_expiry_responsible_id = False
        first_manager = self.quality_group.users.filtered(
            lambda u: self.company in u.company_ids and not u.share
        ).sorted("id")[:1]
        self.assertEqual(self.company._lot_expiry_fallback_responsible(), first_manager)
        lot = self._lot(self.product_c, "EX-FALLBACK", 10)
        self._receive(lot, 1)
        line = self._lines(self._alert(), lot)[lot]
        self.assertEqual(line.digest_id.user_id, first_manager)
        # a portal user set as responsible is not used either
        portal = new_test_user(self.env, "ex_portal", groups="base.group_portal")
        self.product_c.with_company(self.company).responsible_id = portal
        self.company.lot_expiry_responsible_id = self.user_b
        self.assertEqual(lot._lot_expiry_responsible(self.company), {lot: self.user_b})
        # an active internal responsible is used
        self.product_c.with_company(self.company).responsible_id = self.user_a
        self.assertEqual(lot._lot_expiry_responsible(self.company), {lot: self.user_a})

    def test_a_digest_is_kept_as_it_was_sent(self):
        """Managers add notes to a digest; nobody creates, changes or deletes one."""
        lot = self._lot(self.product_a, "EX-KEPT", 10)
        self._receive(lot, 1)
        digest = self._lines(self._alert(), lot)[lot].digest_id
        as_manager = digest.with_user(self.user_q)
        as_manager.message_post(body="Checked with the warehouse", message_type="comment")
        self.assertIn("Checked with the warehouse", as_manager.message_ids.mapped("body")[0])
        for vals in (
            {"date": "2020-01-01"},
            {"user_id": self.user_q.id},
            {"lot_count": 0},
            {"line_ids": [Command.clear()]},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                as_manager.write(vals)
        with self.assertRaises(AccessError):
            as_manager.line_ids.write({"quantity": 0})
        with self.assertRaises(AccessError):
            as_manager.unlink()
        with self.assertRaises(AccessError):
            self.env["lot.expiry.digest"].with_user(self.user_q).create(
                {"company_id": self.company.id, "user_id": self.user_q.id, "date": "2020-01-01"}
            )
        self.assertEqual(digest.lot_count, 1)

    def test_digest_access(self):
        lot_a = self._lot(self.product_a, "EX-ACC-A", 10)
        lot_b = self._lot(self.product_b, "EX-ACC-B", 10)
        self._receive(lot_a, 1)
        self._receive(lot_b, 1)
        digests = self._alert()
        digest_a = self._lines(digests, lot_a)[lot_a].digest_id
        digest_b = self._lines(digests, lot_b)[lot_b].digest_id
        Digest = self.env["lot.expiry.digest"]
        # inventory users read their own digests only, and cannot change them
        seen = Digest.with_user(self.user_a).search([("id", "in", (digest_a | digest_b).ids)])
        self.assertEqual(seen, digest_a)
        lines = (
            self.env["lot.expiry.digest.line"]
            .with_user(self.user_a)
            .search([("digest_id", "in", (digest_a | digest_b).ids)])
        )
        self.assertEqual(lines.lot_id, lot_a)
        # values are for accounting groups only, over RPC and in the views
        for records, name in ((seen, "total_value"), (lines, "value")):
            with self.subTest(field=name), self.assertRaises(AccessError):
                records.read([name])
            views = records.get_views([(False, "list"), (False, "form")])["views"]
            self.assertNotIn(f'name="{name}"', views["list"]["arch"] + views["form"]["arch"])
        self.assertNotIn('name="value"', seen.get_views([(False, "form")])["views"]["form"]["arch"])
        self.user_q.groups_id |= self.env.ref("account.group_account_manager")
        as_accountant = digest_a.with_user(self.user_q)
        self.assertAlmostEqual(as_accountant.read(["total_value"])[0]["total_value"], 2.5)
        access = self.env["ir.model.access"].with_user(self.user_a)
        self.assertTrue(access.check("lot.expiry.digest", "read", raise_exception=False))
        self.assertFalse(access.check("lot.expiry.digest", "write", raise_exception=False))
        # quality managers see every digest
        seen = Digest.with_user(self.user_q).search([("id", "in", (digest_a | digest_b).ids)])
        self.assertEqual(seen, digest_a | digest_b)
