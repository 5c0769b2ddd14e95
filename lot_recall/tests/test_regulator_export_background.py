import base64
import io
from datetime import timedelta
from unittest.mock import patch

import openpyxl
from odoo import Command, fields
from odoo.addons.lot_traceability.tests.common import company_user
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import RegulatorExportCommon


@tagged("post_install", "-at_install")
class TestRegulatorExportBackground(RegulatorExportCommon):
    """An export of more move lines than ``lot_recall.export_inline_max_rows`` is queued,
    built by the cron as the Recall User who asked, and offered to him alone as a link."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env, login="bg_export_user", groups="lot_recall.group_recall_user"
        )
        cls.colleague = new_test_user(
            cls.env, login="bg_export_colleague", groups="lot_recall.group_recall_user"
        )
        cls.stock_user = new_test_user(
            cls.env, login="bg_export_stock_user", groups="stock.group_stock_user"
        )
        cls.cron = cls.env.ref("lot_recall.ir_cron_regulator_export")
        cls.Wizard = cls.env["lot.regulator.export"]

    def _wizard(self, user, export_format="fsma_csv"):
        return self.Wizard.with_user(user).create(
            {"lot_ids": [Command.set(self.lots.ids)], "export_format": export_format}
        )

    def _set_threshold(self, rows):
        self.env["ir.config_parameter"].set_param("lot_recall.export_inline_max_rows", rows)

    def _triggers(self):
        return self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])

    def _cron_call(self, crash=None):
        """One call of the cron as its worker makes it: the call's progress record first
        (committed by the worker), then the server action with it in its context; with
        ``crash``, the build raises it and the call's work is rolled back."""
        _cron, progress = self.cron._add_progress()
        call = self.Wizard.with_context(ir_cron_progress_id=progress.id)._cron_build_queued
        if crash is None:
            call()
            return progress
        with (
            patch.object(type(self.Wizard), "_build", side_effect=crash),
            self.assertRaises(type(crash)),
            self.env.cr.savepoint(),
        ):
            call()
        return progress

    def _last_message(self, user):
        return self.env["mail.message"].search(
            [("partner_ids", "in", user.partner_id.ids)], order="id desc", limit=1
        )

    def test_a_large_export_is_queued_and_built_by_the_cron_as_its_creator(self):
        inline = self._wizard(self.user)
        inline.action_export()
        self.assertEqual(inline.state, "done")
        expected = base64.b64decode(inline.file_data)

        self._set_threshold(2)
        triggers = self._triggers()
        wizard = self._wizard(self.user)
        wizard.action_export()
        self.assertEqual(wizard.state, "queued")
        self.assertFalse(wizard.file_data)
        self.assertFalse(wizard.attachment_id)
        self.assertEqual(len(self._triggers() - triggers), 1)
        with self.assertRaisesRegex(UserError, "being built"):
            wizard.action_export()

        self.Wizard._cron_build_queued()
        self.assertEqual(wizard.state, "done")
        self.assertEqual(wizard.row_count, inline.row_count)
        attachment = wizard.attachment_id
        self.assertEqual(attachment.raw, expected)
        self.assertEqual(attachment.name, inline.file_name)
        self.assertEqual((attachment.res_model, attachment.res_id), (wizard._name, wizard.id))
        self.assertEqual(attachment.create_uid, self.user)
        self.assertEqual(wizard.download_url, f"/web/content/{attachment.id}?download=true")
        message = self.env["mail.message"].search(
            [("partner_ids", "in", self.user.partner_id.ids)], order="id desc", limit=1
        )
        self.assertEqual(message.message_type, "user_notification")
        self.assertIn(wizard.download_url, message.body)
        self.assertIn(f"{inline.row_count} records", message.body)

    def test_the_xlsx_built_in_the_background_has_the_rows_of_the_inline_one(self):
        inline = self._wizard(self.user, "fsma_xlsx")
        inline.action_export()
        self._set_threshold(2)
        wizard = self._wizard(self.user, "fsma_xlsx")
        wizard.action_export()
        self.Wizard._cron_build_queued()
        self.assertEqual(wizard.state, "done")
        self.assertEqual(wizard.row_count, inline.row_count)
        self.assertEqual(
            self._sheet_values(wizard.attachment_id.raw),
            self._sheet_values(base64.b64decode(inline.file_data)),
        )

    def _sheet_values(self, content):
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        return [[cell.value for cell in row] for row in sheet.iter_rows()]

    def test_only_its_creator_reads_the_export_and_its_file(self):
        self._set_threshold(2)
        wizard = self._wizard(self.user)
        wizard.action_export()
        self.Wizard._cron_build_queued()
        attachment = wizard.attachment_id.sudo()
        self.assertTrue(attachment.with_user(self.user).raw)
        with self.assertRaises(AccessError):
            wizard.with_user(self.colleague).read(["state"])
        with self.assertRaises(AccessError):
            attachment.with_user(self.colleague).read(["raw"])
        with self.assertRaises(AccessError):
            attachment.with_user(self.colleague).check("read")
        self.assertFalse(
            self.env["ir.attachment"]
            .with_user(self.colleague)
            .search([("res_model", "=", wizard._name), ("res_id", "=", wizard.id)])
        )
        # The file and the state are the export's own: nobody sets them by hand.
        other = self._wizard(self.colleague)
        with self.assertRaises(AccessError):
            other.write({"attachment_id": attachment.id, "state": "done"})
        with self.assertRaises(AccessError):
            self.Wizard.with_user(self.colleague).create({"state": "queued"})
        # Old dialogs are vacuumed with their file: no attachment is left to any employee.
        wizard.sudo().unlink()
        self.assertFalse(attachment.exists())

    def test_a_user_without_recall_rights_cannot_queue_an_export(self):
        self._set_threshold(2)
        triggers = self._triggers()
        with self.assertRaises(AccessError):
            self._wizard(self.stock_user).action_export()
        self.assertFalse(self._triggers() - triggers)

    def test_a_crash_leaves_the_export_queued_and_the_next_run_builds_it(self):
        self._set_threshold(2)
        wizard = self._wizard(self.user)
        wizard.action_export()
        Wizard = type(self.Wizard)
        with (
            patch.object(Wizard, "_build", side_effect=MemoryError("worker killed")),
            self.assertRaises(MemoryError),
        ):
            self.Wizard._cron_build_queued()
        wizard.invalidate_recordset()
        self.assertEqual(wizard.state, "queued")
        self.assertFalse(self.env["ir.attachment"].search([("res_model", "=", wizard._name)]))
        self.Wizard._cron_build_queued()
        self.assertEqual(wizard.state, "done")
        self.assertEqual(
            self.env["ir.attachment"].search([("res_model", "=", wizard._name)]),
            wizard.attachment_id,
        )

    def test_an_export_that_cannot_be_built_any_more_says_why(self):
        self._set_threshold(2)
        wizard = self._wizard(self.user)
        wizard.action_export()
        self.user.groups_id = [Command.unlink(self.env.ref("lot_recall.group_recall_user").id)]
        self.user.groups_id = [Command.unlink(self.env.ref("stock.group_stock_user").id)]
        self.Wizard._cron_build_queued()
        wizard = wizard.sudo()
        self.assertEqual(wizard.state, "failed")
        self.assertIn("not allowed", wizard.error_message)
        self.assertFalse(wizard.attachment_id)
        self.assertFalse(self.Wizard.sudo().search([("state", "=", "queued")]))

    def test_the_export_of_a_user_who_left_is_not_built(self):
        self._set_threshold(2)
        wizard = self._wizard(self.user)
        wizard.action_export()
        self.user.active = False
        self.Wizard._cron_build_queued()
        self.assertEqual(wizard.sudo().state, "failed")
        self.assertFalse(wizard.sudo().attachment_id)

    def test_an_export_whose_companies_its_user_left_is_not_built(self):
        other = self.env["res.company"].create({"name": "Left Greens BG"})
        user = company_user(
            self.env, "bg_export_left", "lot_recall.group_recall_user", self.company | other
        )
        self._set_threshold(2)
        wizard = (
            self.Wizard.with_user(user)
            .with_context(allowed_company_ids=self.company.ids)
            .create({"lot_ids": [Command.set(self.lots.ids)], "export_format": "fsma_csv"})
        )
        wizard.action_export()
        self.assertEqual(wizard.state, "queued")
        user.write({"company_id": other.id, "company_ids": [Command.set(other.ids)]})
        self.Wizard._cron_build_queued()
        self.assertEqual(wizard.sudo().state, "failed")
        self.assertIn("no longer allowed", wizard.sudo().error_message)
        self.assertFalse(wizard.sudo().attachment_id)
        self.assertIn("could not be built", self._last_message(user).body)

    def test_the_background_export_keeps_to_the_companies_selected_when_asked(self):
        other = self.env["res.company"].create({"name": "Hidden Greens BG"})
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", other.id)])
        vendor = self.env["res.partner"].create(
            {"name": "Secret Vendor BG", "company_id": other.id}
        )
        self._transfer(
            warehouse.in_type_id, vendor, self.env.ref("stock.stock_location_suppliers"),
            warehouse.lot_stock_id, [(self.rom_lot, 7, self.kg)], 20,
        )  # fmt: skip
        both = company_user(
            self.env, "bg_export_ab", "lot_recall.group_recall_user", self.company | other
        )
        self._set_threshold(2)
        contents = {}
        for companies in (self.company, self.company | other):
            wizard = (
                self.Wizard.with_user(both)
                .with_context(allowed_company_ids=companies.ids)
                .create({"lot_ids": [Command.set(self.lots.ids)], "export_format": "fsma_csv"})
            )
            wizard.action_export()
            self.assertEqual(wizard.state, "queued")
            self.Wizard._cron_build_queued()
            contents[len(companies)] = wizard.attachment_id.raw.decode("utf-8-sig")
        self.assertNotIn(vendor.name, contents[1])
        self.assertIn(vendor.name, contents[2])

    def test_the_cron_counts_the_attempt_then_builds_in_its_next_call(self):
        self._set_threshold(2)
        wizard = self._wizard(self.user)
        wizard.action_export()
        triggers = self._triggers()
        progress = self._cron_call()
        self.assertEqual(wizard.state, "queued")
        self.assertEqual(wizard.sudo().build_attempts, 1)
        self.assertEqual((progress.done, progress.remaining), (1, 1))
        # A call back in ten minutes, in case this build stops before its end.
        retry = self._triggers() - triggers
        self.assertEqual(len(retry), 1)
        self.assertGreater(retry.call_at, fields.Datetime.now() + timedelta(minutes=9))
        progress = self._cron_call()
        self.assertEqual(wizard.state, "done")
        self.assertEqual((progress.done, progress.remaining), (1, 0))
        self.assertEqual(wizard.sudo().build_attempts, 1)
        self.assertIn(wizard.download_url, self._last_message(self.user).body)

    def test_an_export_whose_build_keeps_stopping_fails_and_the_next_one_is_built(self):
        self._set_threshold(2)
        first = self._wizard(self.user)
        first.action_export()
        second = self._wizard(self.colleague)
        second.action_export()
        for attempt in (1, 2, 3):
            self._cron_call()
            self.assertEqual(first.sudo().build_attempts, attempt)
            self._cron_call(crash=MemoryError("worker killed"))
            self.assertEqual(first.state, "queued")
            self.assertEqual(second.state, "queued")
        progress = self._cron_call()
        self.assertEqual(first.state, "failed")
        self.assertIn("stopped 3 times", first.error_message)
        self.assertFalse(first.attachment_id)
        self.assertEqual((progress.done, progress.remaining), (1, 1))
        self.assertIn("could not be built", self._last_message(self.user).body)
        self._cron_call()
        self._cron_call()
        self.assertEqual(second.state, "done")
        self.assertTrue(second.attachment_id)
        # Asked again, the export starts over with three attempts.
        first.action_export()
        self.assertEqual((first.state, first.sudo().build_attempts), ("queued", 0))
        self._cron_call()
        self._cron_call()
        self.assertEqual(first.state, "done")

    def test_queued_exports_and_files_built_in_the_background_outlive_the_dialogs(self):
        self._set_threshold(2)
        built = self._wizard(self.user)
        built.action_export()
        self.Wizard._cron_build_queued()
        attachment = built.attachment_id.sudo()
        queued = self._wizard(self.user)
        queued.action_export()
        dialog = self._wizard(self.user)
        wizards = built | queued | dialog

        def age(days):
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE lot_regulator_export SET create_date = %s, write_date = %s"
                " WHERE id = ANY(%s)",
                [fields.Datetime.now() - timedelta(days=days)] * 2 + [wizards.ids],
            )
            self.env.invalidate_all()
            self.Wizard._transient_vacuum()

        age(2)
        self.assertFalse(dialog.exists())
        self.assertEqual(queued.exists().state, "queued")
        self.assertEqual(built.exists().state, "done")
        self.assertTrue(attachment.exists())
        age(8)
        self.assertFalse(built.exists())
        self.assertFalse(attachment.exists())
        self.assertEqual(queued.exists().state, "queued")

    def test_a_client_cannot_set_the_build_fields_through_its_context(self):
        self._set_threshold(2)
        built = self._wizard(self.colleague)
        built.action_export()
        self.Wizard._cron_build_queued()
        other = self.env["res.company"].create({"name": "Hidden Greens Defaults"})
        hostile = self.Wizard.with_user(self.user).with_context(
            default_state="queued",
            default_build_attempts=-1000,
            default_build_claim=10**9,
            default_attachment_id=built.attachment_id.id,
            default_company_ids=[Command.set(other.ids)],
            default_error_message="forged",
        )
        wizard = hostile.create({"lot_ids": [Command.set(self.lots.ids)]})
        wizard = wizard.sudo()
        self.assertEqual(wizard.state, "draft")
        self.assertEqual((wizard.build_attempts, wizard.build_claim), (0, 0))
        self.assertFalse(wizard.attachment_id)
        self.assertFalse(wizard.company_ids)
        self.assertFalse(wizard.error_message)
        self.assertFalse(self.Wizard.sudo().search([("state", "=", "queued")]))

    def test_a_user_queues_one_export_at_a_time_so_others_get_their_turn(self):
        self._set_threshold(2)
        first = self._wizard(self.user)
        first.action_export()
        second = self._wizard(self.user, "epcis")
        with self.assertRaisesRegex(UserError, "being built"):
            second.action_export()
        self.assertEqual(second.state, "draft")
        theirs = self._wizard(self.colleague)
        theirs.action_export()
        self.Wizard._cron_build_queued()
        self.Wizard._cron_build_queued()
        self.assertEqual((first.state, theirs.state), ("done", "done"))
        # Once his export is built, he asks for the next one.
        second.action_export()
        self.assertEqual(second.state, "queued")
