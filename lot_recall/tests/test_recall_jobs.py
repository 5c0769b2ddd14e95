import time
from unittest.mock import patch

from odoo.addons.lot_recall.models import lot_recall as lot_recall_module
from odoo.exceptions import AccessError, UserError
from odoo.service.model import get_public_method
from odoo.tests import tagged

from .common import RecallCase


class Crash(Exception):
    """A worker stopped in the middle of a batch."""


@tagged("post_install", "-at_install")
class TestRecallJobs(RecallCase):
    """Block Stock, Notify Customers and Create Returns of more lines than one batch run in
    the background, batch by batch; a job stopped halfway resumes without doing anything
    twice."""

    def setUp(self):
        super().setUp()
        # Small batches: the demo's 4 affected lots and 13 customers make several.
        self.startPatcher(
            patch.dict(lot_recall_module.JOB_BATCH, {"block": 3, "notify": 5, "returns": 5})
        )
        self.cron = self.env.ref("lot_recall.ir_cron_recall_jobs")

    def _triggers(self):
        return self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)])

    def _notices(self, recall):
        subtype = self.env.ref("lot_recall.mt_recall_customer_notice")
        return recall.message_ids.filtered(lambda message: message.subtype_id == subtype)

    def _crash_on(self, method, after):
        """Patch ``LotRecall.<method>`` to crash after ``after`` calls, once its call did
        its work (posted, created): the batch it belongs to never commits."""
        model_class = self.env.registry["lot.recall"]
        original = getattr(model_class, method)
        calls = []

        def crashing(recall, *args, **kwargs):
            result = original(recall, *args, **kwargs)
            calls.append(1)
            if len(calls) == after:
                raise Crash()
            return result

        return patch.object(model_class, method, crashing)

    def _run_until_crash(self, recall, method, after):
        """Run the recall's jobs until ``method`` crashes at its ``after``-th call (no
        ``assertRaises``: its savepoint would undo the batches done before the crash)."""
        crashed = False
        with self._crash_on(method, after):
            try:
                recall._run_jobs()
            except Crash:
                crashed = True
        self.assertTrue(crashed, f"{method} did not crash")
        recall.invalidate_recordset()

    def test_button_queues_the_job_and_answers_at_once(self):
        recall = self._scoped()
        triggers = self._triggers()
        started = time.monotonic()
        recall.action_notify_customers()
        self.assertLess(time.monotonic() - started, 2)
        self.assertEqual(self._triggers(), triggers + 1)
        self.assertFalse(self._notices(recall))
        self.assertEqual(recall.state, "in_progress")
        self.assertFalse(recall.date_notified)
        self.assertEqual(recall.notify_job_state, "queued")
        self.assertEqual(recall.notify_progress, "0 of 13")
        self.assertIn("runs in the background", str(recall.message_ids[0].body))
        # Pressed again while queued: refused, nothing queued twice.
        with self.assertRaisesRegex(UserError, "under way in the background"):
            recall.action_notify_customers()
        recall._run_jobs(max_batches=1)
        recall.invalidate_recordset()
        self.assertEqual(recall.notify_job_state, "running")
        self.assertEqual(recall.notify_progress, "5 of 13")
        self.assertEqual(len(self._notices(recall)), 5)
        recall._run_jobs()
        recall.invalidate_recordset()
        self.assertEqual(recall.notify_job_state, "done")
        self.assertEqual(recall.notify_progress, "13 of 13")
        self.assertTrue(recall.date_notified)
        self.assertIn("13 customers notified by email", str(recall.message_ids[0].body))

    def test_notify_resumes_after_a_crash_without_sending_twice(self):
        recall = self._scoped()
        recall.action_notify_customers()
        # The second batch stops once its 5 notices are posted: the first stays done.
        self._run_until_crash(recall, "_post_notices", 2)
        self.assertEqual(len(self._notices(recall)), 5)
        self.assertEqual(recall.notify_progress, "5 of 13")
        recall._run_jobs()
        recall.invalidate_recordset()
        notices = self._notices(recall)
        self.assertEqual(len(notices), 13)
        self.assertEqual(
            sorted(notices.partner_ids.ids), sorted(recall.customer_ids.partner_id.ids)
        )
        mails = self.env["mail.mail"].search([("mail_message_id", "in", notices.ids)])
        self.assertEqual(len(mails), 13)
        self.assertEqual(len(mails.recipient_ids), 13)
        self.assertEqual(set(recall.customer_ids.mapped("notify_state")), {"sent"})
        logged = self.hospital.message_ids.filtered(lambda m: recall.name in str(m.body))
        self.assertEqual(len(logged), 1)
        self.assertEqual(recall.message_ids[0].body.count("13 customers notified"), 1)

    def test_returns_resume_after_a_crash_without_creating_twice(self):
        recall = self._scoped()
        moves_before = self.env["stock.move"].search_count([])
        recall.action_create_returns()
        self.assertEqual(recall.returns_job_state, "queued")
        self.assertFalse(recall.return_picking_ids)
        # The second batch stops once its transfers are created, before it commits.
        self._run_until_crash(recall, "_create_return_pickings", 2)
        self.assertEqual(len(recall.return_picking_ids), 5)
        self.assertEqual(self.env["stock.move"].search_count([]), moves_before + 5)
        recall._run_jobs()
        recall.invalidate_recordset()
        returns = recall.return_picking_ids
        self.assertEqual(len(returns), 13)
        for customer in recall.customer_ids:
            self.assertEqual(len(customer.return_picking_ids), 1, customer.partner_id.name)
        self.assertEqual(self.env["stock.move"].search_count([]), moves_before + 13)
        self.assertEqual(sum(returns.move_line_ids.mapped("quantity")), 570)
        self.assertEqual(recall.returns_job_state, "done")
        self.assertTrue(recall.date_returns)
        self.assertIn("13 return transfers created", str(recall.message_ids[0].body))

    def test_block_resumes_after_a_crash(self):
        recall = self._scoped()
        recall.action_block_stock()
        self.assertEqual(recall.block_progress, "0 of 4")
        self._run_until_crash(recall, "_block_lots", 2)
        self.assertEqual(recall.block_progress, "3 of 4")
        self.assertEqual(recall.block_job_state, "running")
        recall._run_jobs()
        recall.invalidate_recordset()
        self.assertEqual(set(recall.affected_lot_ids.mapped("lot_status")), {"recalled"})
        self.assertEqual(recall.block_job_state, "done")
        self.assertIn("4 lots set to Recalled", str(recall.message_ids[0].body))

    def test_cron_runs_every_queued_job_and_reports_progress(self):
        recall = self._scoped()
        recall.action_block_stock()
        recall.action_notify_customers()
        recall.action_create_returns()
        progress = self.env["ir.cron.progress"].create({"cron_id": self.cron.id})
        # The cron commits each batch; in this test transaction, a flush stands for it.
        with patch.object(self.env.cr, "commit", self.env.cr.flush):
            self.env["lot.recall"].with_context(ir_cron_progress_id=progress.id)._cron_run_jobs()
        self.assertEqual((progress.done, progress.remaining), (4 + 13 + 13, 0))
        recall.invalidate_recordset()
        self.assertEqual(
            (recall.block_job_state, recall.notify_job_state, recall.returns_job_state),
            ("done", "done", "done"),
        )
        self.assertEqual(len(self._notices(recall)), 13)
        self.assertEqual(len(recall.return_picking_ids), 13)
        # Run as the recall's responsible: the notices are signed by the manager.
        self.assertEqual(self._notices(recall).author_id, self.manager.partner_id)

    def test_cancel_drops_the_queued_work(self):
        recall = self._scoped()
        recall.action_notify_customers()
        recall.action_cancel()
        recall.invalidate_recordset()
        self.assertFalse(recall.notify_job_state)
        self.assertFalse(self.env["lot.recall"]._queued_work().get(recall.id))

    def test_only_recall_managers_queue_and_nothing_runs_over_rpc(self):
        recall = self._scoped()
        as_reader = recall.with_user(self.reader)
        for action in ("action_block_stock", "action_notify_customers", "action_create_returns"):
            with self.subTest(action=action), self.assertRaises(AccessError):
                getattr(as_reader, action)()
        self.assertEqual(self.env["lot.recall"]._queued_work().get(recall.id), None)
        self.assertEqual(as_reader.notify_job_state, False)
        for method in ("_run_jobs", "_cron_run_jobs", "_run_job_batch", "_queue_job"):
            with self.subTest(method=method), self.assertRaises(AccessError):
                get_public_method(as_reader, method)

    def test_notices_are_rendered_as_the_template_renders_them(self):
        """The bodies rendered once per language for a batch are the template's own, per
        customer and in each customer's language."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.hotel.lang = "fr_FR"
        recall = self._scoped()
        template = self.env.ref("lot_recall.mail_template_recall_customer")
        customers = recall.customer_ids
        for chatter in (False, True):
            with self.subTest(chatter=chatter):
                rendering = template.with_context(lot_recall_chatter_copy=chatter)
                expected = rendering._render_field("body_html", customers.ids, compute_lang=True)
                bodies = recall._render_bodies(rendering, customers)
                self.assertEqual(bodies, expected)
                self.assertEqual(len(bodies), 13)
                hotel = self._customer(recall, self.hotel)
                self.assertIn(self.hotel.name, bodies[hotel.id])
                self.assertNotIn(self.hospital.name, bodies[hotel.id])

    def test_notice_emails_are_laid_out_as_message_post_lays_them_out(self):
        """A batch's notices, posted set-based, give each customer the email (layout, preview,
        body, recipient) and the chatter message that ``message_post`` gives, in each
        customer's language."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.hotel.lang = "fr_FR"
        recall = self._scoped()
        recall.action_notify_customers()
        recall._run_jobs()
        template = self.env.ref("lot_recall.mail_template_recall_customer")
        notices = self._notices(recall)
        self.assertEqual(len(notices), 13)
        for partner in (self.hospital, self.hotel):
            with self.subTest(partner=partner.name):
                customer = self._customer(recall, partner)
                notice = notices.filtered(lambda message, p=partner: message.partner_ids == p)
                mail = self.env["mail.mail"].search([("mail_message_id", "=", notice.id)])
                body = recall._render_bodies(template, customer)[customer.id]
                posted = (
                    recall.with_user(self.manager)
                    .with_context(mail_notify_force_send=False, mail_post_autofollow=False)
                    .message_post(
                        body=body,
                        subject=notice.subject,
                        partner_ids=partner.ids,
                        message_type="comment",
                        subtype_xmlid="lot_recall.mt_recall_customer_notice",
                        email_layout_xmlid="mail.mail_notification_light",
                    )
                )
                expected = self.env["mail.mail"].search([("mail_message_id", "=", posted.id)])
                self.assertEqual(mail.body_html, expected.body_html)
                self.assertEqual(mail.recipient_ids, partner)
                self.assertEqual(mail.state, "outgoing")
                self.assertEqual(
                    (notice.author_id, notice.email_from, notice.reply_to, notice.subject),
                    (posted.author_id, posted.email_from, posted.reply_to, posted.subject),
                )
                self.assertEqual(notice.notification_ids.res_partner_id, partner)
                self.assertNotIn("access_token", notice.body)
                self.assertIn("access_token", mail.body_html)

    def test_a_notify_batch_is_set_based(self):
        """The queries of a notify batch do not grow with its customers: their messages,
        emails and notifications are each created at once."""
        recall = self._scoped()
        template = self.env.ref("lot_recall.mail_template_recall_customer")
        customers = recall.customer_ids.filtered(lambda customer: customer.partner_id.email)
        self.assertGreaterEqual(len(customers), 12)
        runner = recall._in_recall_company()
        counts = []
        for batch in (customers[:3], customers[3:12]):
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            runner._notify_customers(batch, template)
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - before)
        # 6 more customers, a handful more queries at most (message_post per customer: 59)
        self.assertLess(counts[1] - counts[0], 6, counts)
        self.assertEqual(len(self._notices(recall)), 12)

    def _refuse_for(self, model, method, record, message, given=lambda records, args: args[0]):
        """Patch ``<model>.<method>`` to raise ``UserError(message)`` when ``record`` is
        among what it is given: ``given(records, args)``, by default its first argument."""
        model_class = self.env.registry[model]
        original = getattr(model_class, method)

        def refusing(records, *args, **kwargs):
            if record in given(records, args):
                raise UserError(message)
            return original(records, *args, **kwargs)

        return patch.object(model_class, method, refusing)

    def _refuse_returns_for(self, customer, message):
        """Refuse the return transfers of ``customer`` (a recall customer)."""
        return self._refuse_for(
            "lot.recall",
            "_create_return_pickings",
            customer,
            message,
            given=lambda recall, args: [key[1] for key in args[0]],
        )

    def test_a_hostile_reason_is_kept_whole_on_its_line_and_shortened_and_escaped_in_the_note(
        self,
    ):
        recall = self._scoped()
        hotel = self._customer(recall, self.hotel)
        recall.action_notify_customers()
        refused = '=HYPERLINK("http://x.example")<script>alert(1)</script>\x01' + "x" * 2000
        with self._refuse_for("lot.recall", "_post_notices", hotel, refused):
            recall._run_jobs()
        recall.invalidate_recordset()
        self.assertEqual(hotel.notify_error, refused)
        note = str(recall.message_ids[0].body)
        self.assertIn("Notices could not be sent to 1 customer", note)
        self.assertIn("&lt;script&gt;", note)
        self.assertNotIn("<script>", note)
        self.assertNotIn("x" * 400, note)
        self.assertLess(len(note), 1500)

    def test_notify_goes_on_past_a_refused_customer(self):
        recall = self._scoped()
        with_email = recall.customer_ids.filtered(lambda customer: customer.partner_id.email)
        hotel = self._customer(recall, self.hotel)
        self.assertIn(hotel, with_email)
        recall.action_notify_customers()
        refused = "The mail server refuses this address."
        with self._refuse_for("lot.recall", "_post_notices", hotel, refused):
            recall._run_jobs()
        recall.invalidate_recordset()
        notices = self._notices(recall)
        self.assertEqual(len(notices), len(with_email) - 1)
        self.assertEqual(
            sorted(notices.partner_ids.ids), sorted((with_email - hotel).partner_id.ids)
        )
        self.assertEqual(hotel.notify_state, "failed")
        self.assertEqual(hotel.notify_error, refused)
        self.assertFalse(hotel.notified_date)
        self.assertEqual(recall.notify_job_state, "done")
        self.assertEqual((recall.notify_progress, recall.notify_failed), ("13 of 13", 1))
        self.assertTrue(recall.date_notified)
        note = str(recall.message_ids[0].body)
        self.assertIn(f"{len(with_email) - 1} customers notified by email", note)
        self.assertIn(f"could not be sent to 1 customer: {self.hotel.name}: {refused}", note)
        # Pressed again: the refused customer only is notified, once.
        recall.action_notify_customers()
        recall.invalidate_recordset()
        self.assertEqual(hotel.notify_state, "sent")
        self.assertFalse(hotel.notify_error)
        self.assertFalse(recall.notify_failed)
        notices = self._notices(recall)
        self.assertEqual(len(notices), len(with_email))
        self.assertEqual(sorted(notices.partner_ids.ids), sorted(with_email.partner_id.ids))
        self.assertNotIn("could not be sent", str(recall.message_ids[0].body))

    def test_returns_go_on_past_a_refused_customer_and_the_next_recall_runs(self):
        recall = self._scoped()
        other = self._scoped(self.cake_2)
        self.assertEqual(len(other.customer_ids), 2)
        recall.action_create_returns()
        with patch.dict(lot_recall_module.JOB_BATCH, {"returns": 1}):
            other.action_create_returns()
        self.assertEqual(other.returns_job_state, "queued")
        hotel = self._customer(recall, self.hotel)
        refused = "No return route reaches this customer."
        with (
            self._refuse_returns_for(hotel, refused),
            patch.object(self.env.cr, "commit", self.env.cr.flush),
        ):
            self.env["lot.recall"]._cron_run_jobs()
        recall.invalidate_recordset()
        other.invalidate_recordset()
        self.assertEqual(len(recall.return_picking_ids), 12)
        for customer in recall.customer_ids - hotel:
            self.assertEqual(len(customer.return_picking_ids), 1, customer.partner_id.name)
            self.assertEqual(customer.return_state, "done")
        self.assertFalse(hotel.return_picking_ids)
        self.assertEqual((hotel.return_state, hotel.return_error), ("failed", refused))
        self.assertEqual(recall.returns_job_state, "done")
        self.assertEqual((recall.returns_progress, recall.returns_failed), ("13 of 13", 1))
        self.assertIn(
            f"Returns could not be created for 1 customer: {self.hotel.name}: {refused}",
            str(recall.message_ids[0].body),
        )
        # The recall queued behind it ran in the same run of the cron.
        self.assertEqual(other.returns_job_state, "done")
        self.assertEqual(len(other.return_picking_ids), 2)
        self.assertFalse(self.env["lot.recall"]._queued_work())
        # Pressed again: the refused customer only gets its return.
        recall.action_create_returns()
        recall._run_jobs()
        recall.invalidate_recordset()
        self.assertEqual(len(recall.return_picking_ids), 13)
        self.assertEqual(len(hotel.return_picking_ids), 1)
        self.assertEqual((hotel.return_state, hotel.return_error), ("done", False))

    def test_returns_of_one_batch_go_on_past_a_refused_customer_in_the_request(self):
        recall = self._scoped(self.cake_2)
        hospital = self._customer(recall, self.hospital)
        refused = "No return route reaches this customer."
        with self._refuse_returns_for(hospital, refused):
            recall.action_create_returns()
        recall.invalidate_recordset()
        self.assertEqual(recall.returns_job_state, "done")
        self.assertEqual(len(recall.return_picking_ids), 1)
        self.assertEqual((hospital.return_state, hospital.return_error), ("failed", refused))
        note = str(recall.message_ids[0].body)
        self.assertIn("1 return transfers created", note)
        self.assertIn(f"for 1 customer: {self.hospital.name}: {refused}", note)

    def test_block_goes_on_past_a_refused_lot(self):
        recall = self._scoped()
        recall.action_block_stock()
        cake_line = recall.lot_line_ids.filtered(lambda line: line.lot_id == self.cake)
        refused = "This lot is locked by the laboratory."
        with self._refuse_for(
            "stock.lot", "_lot_set_status", self.cake, refused, given=lambda lots, args: lots
        ):
            recall._run_jobs()
        recall.invalidate_recordset()
        others = recall.affected_lot_ids - self.cake
        self.assertEqual(set(others.mapped("lot_status")), {"recalled"})
        self.assertNotEqual(self.cake.lot_status, "recalled")
        self.assertEqual((cake_line.block_state, cake_line.block_error), ("failed", refused))
        self.assertEqual(recall.block_job_state, "done")
        self.assertEqual((recall.block_progress, recall.block_failed), ("4 of 4", 1))
        note = str(recall.message_ids[0].body)
        self.assertIn("3 lots set to Recalled", note)
        self.assertIn(f"1 lot could not be set to Recalled: {self.cake.name}: {refused}", note)
        # Pressed again: the refused lot is blocked.
        recall.action_block_stock()
        recall._run_jobs()
        recall.invalidate_recordset()
        self.assertEqual(self.cake.lot_status, "recalled")
        self.assertEqual((cake_line.block_state, cake_line.block_error), ("blocked", False))
        self.assertEqual((recall.block_progress, recall.block_failed), ("4 of 4", 0))
        self.assertIn("1 lots set to Recalled", str(recall.message_ids[0].body))
