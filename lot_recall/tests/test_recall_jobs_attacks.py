from unittest.mock import patch

from odoo import Command
from odoo.addons.lot_recall.models import lot_recall as lot_recall_module
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import RecallCase


@tagged("post_install", "-at_install")
class TestRecallJobsAttacks(RecallCase):
    """Holes found by attacking the recall's background jobs and links (review R31): a
    refused job holding up the others, workflow fields and recall links set through
    defaults the user controls (his context, his personal defaults)."""

    def setUp(self):
        super().setUp()
        self.startPatcher(
            patch.dict(lot_recall_module.JOB_BATCH, {"block": 3, "notify": 5, "returns": 5})
        )
        self.cron = self.env.ref("lot_recall.ir_cron_recall_jobs")

    def _cron_runs(self, count):
        """``count`` runs of the cron as its worker makes them, each batch committed (a
        flush here): a refused line must not make a run fail."""
        for _run in range(count):
            progress = self.env["ir.cron.progress"].create({"cron_id": self.cron.id})
            with patch.object(self.env.cr, "commit", self.env.cr.flush):
                self.env["lot.recall"].with_context(
                    ir_cron_progress_id=progress.id
                )._cron_run_jobs()

    def test_a_job_that_fails_does_not_hold_up_the_other_recalls_jobs(self):
        # The blocking of this recall moves the stock to quarantine, but a warehouse
        # holding some has no quarantine location: its batches are refused at every run.
        stuck = self._scoped(relocate_stock=True)
        self.env["stock.warehouse"].search([]).lot_quarantine_location_id = False
        stuck.with_user(self.manager).action_block_stock()
        other = self._scoped()
        other.with_user(self.manager).action_notify_customers()
        self.assertEqual(other.notify_job_state, "queued")
        self._cron_runs(3)
        other.invalidate_recordset()
        self.assertEqual(other.notify_job_state, "done")

    def test_a_recall_manager_cannot_create_a_recall_past_its_workflow_by_defaults(self):
        recall = (
            self.env["lot.recall"]
            .with_user(self.manager)
            .with_context(
                default_state="closed",
                default_effectiveness_reviewed=True,
                default_date_closed="2026-01-01 00:00:00",
            )
        )
        try:
            recall = recall.create(
                {
                    "reason": "Forged",
                    "scope_type": "lots",
                    "scope_lot_ids": [(6, 0, self.flour.ids)],
                }
            )
        except AccessError:
            return
        self.assertEqual(recall.state, "draft")
        self.assertFalse(recall.date_closed)

    def test_a_stock_user_cannot_link_a_transfer_to_a_recall_by_defaults(self):
        recall = self._scoped()
        customer = recall.customer_ids[:1]
        clerk = new_test_user(
            self.env,
            login="recall_attack_clerk",
            groups="stock.group_stock_user,stock.group_production_lot",
        )
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        Picking = (
            self.env["stock.picking"]
            .with_user(clerk)
            .with_context(
                default_lot_recall_id=recall.id, default_lot_recall_customer_id=customer.id
            )
        )
        try:
            picking = Picking.create(
                {
                    "picking_type_id": warehouse.in_type_id.id,
                    "partner_id": customer.partner_id.id,
                }
            )
        except AccessError:
            return
        self.assertFalse(picking.lot_recall_id)
        recall.invalidate_recordset()
        self.assertNotIn(picking, recall.return_picking_ids)

    def test_personal_defaults_do_not_set_a_recall_past_its_workflow_or_link_a_transfer(self):
        Default = self.env["ir.default"]
        Default.with_user(self.manager).set("lot.recall", "state", "closed", user_id=True)
        Default.with_user(self.manager).set(
            "lot.recall", "effectiveness_reviewed", True, user_id=True
        )
        recall = (
            self.env["lot.recall"]
            .with_user(self.manager)
            .create(
                {
                    "reason": "Personal defaults",
                    "scope_type": "lots",
                    "scope_lot_ids": [(6, 0, self.flour.ids)],
                }
            )
        )
        self.assertEqual(recall.state, "draft")
        self.assertFalse(recall.effectiveness_reviewed)
        scoped = self._scoped()
        Default.with_user(self.manager).set(
            "stock.picking", "lot_recall_id", scoped.id, user_id=True
        )
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        picking = (
            self.env["stock.picking"]
            .with_user(self.manager)
            .create({"picking_type_id": warehouse.in_type_id.id})
        )
        self.assertFalse(picking.lot_recall_id)

    def test_empty_workflow_values_start_a_recall_like_missing_ones(self):
        """A recall created with its workflow fields sent empty starts as any new recall
        (draft, started now), instead of failing in the database."""
        recall = (
            self.env["lot.recall"]
            .with_user(self.manager)
            .create(
                {
                    "reason": "Empty workflow values",
                    "scope_type": "lots",
                    "scope_lot_ids": [(6, 0, self.flour.ids)],
                    "state": False,
                    "date_started": False,
                }
            )
        )
        self.assertEqual(recall.state, "draft")
        self.assertTrue(recall.date_started)

    def test_a_recall_keeps_the_reference_of_its_sequence(self):
        """Customers, authorities and scrapped stock know a recall by its reference: a
        Recall Manager neither gives a new recall another's reference nor renames one."""
        first = self._scoped()
        with self.assertRaisesRegex(AccessError, "reference"):
            self._recall(name=first.name)
        with self.assertRaisesRegex(AccessError, "reference"):
            first.with_user(self.manager).write({"name": "RCL-RENAMED"})
        with self.assertRaisesRegex(AccessError, "reference"):
            first.with_user(self.manager).copy({"name": first.name})
        with self.assertRaisesRegex(AccessError, "reference"):
            self.env["lot.recall"].with_user(self.manager).with_context(
                default_reason="Quick entry"
            ).name_create(first.name)
        self.assertNotEqual(self._recall().name, first.name)

    def test_a_recall_manager_cannot_rewrite_the_history_of_a_recall(self):
        """The recall summary dates its events from the recall's chatter: a Recall
        Manager's messages are his, dated when he writes them, without field changes, and
        stay as written."""
        recall = self._scoped()
        note = recall.message_ids.filtered(lambda m: "Scope computed" in (m.body or ""))
        self.assertTrue(note)
        admin = self.env.ref("base.user_admin").partner_id
        state = self.env["ir.model.fields"]._get("lot.recall", "state")
        as_manager = recall.with_user(self.manager)
        forged = {
            "date": "2020-01-01 00:00:00",
            "author_id": admin.id,
            "tracking_value_ids": [
                Command.create({"field_id": state.id, "new_value_char": "Closed"})
            ],
        }
        for key, value in forged.items():
            with self.subTest(key=key), self.assertRaisesRegex(AccessError, "history"):
                as_manager.message_post(body="Stock blocked", **{key: value})
            with self.subTest(key=key), self.assertRaisesRegex(AccessError, "history"):
                self.env["mail.message"].with_user(self.manager).create(
                    {
                        "model": "lot.recall",
                        "res_id": recall.id,
                        "body": "Stock blocked",
                        key: value,
                    }
                )
        Message = self.env["mail.message"].with_user(self.manager)
        with self.assertRaisesRegex(AccessError, "history"):
            Message.with_context(
                default_model="lot.recall", default_res_id=recall.id, default_date="2020-01-01"
            ).create({"body": "Stock blocked"})
        for vals in ({"date": "2020-01-01"}, {"author_id": admin.id}, {"body": "Nothing found"}):
            with self.subTest(vals=vals), self.assertRaisesRegex(AccessError, "history"):
                note.with_user(self.manager).write(vals)
        with self.assertRaisesRegex(AccessError, "history"):
            note.with_user(self.manager).unlink()
        # his own notes, as the chatter posts them, still go
        message = as_manager.message_post(body="Supplier called back", subtype_xmlid="mail.mt_note")
        self.assertEqual(message.author_id, self.manager.partner_id)
        self.assertIn("Scope computed", note.body)
        self.assertNotIn("2020", str(recall._timeline()))
