from odoo import Command
from odoo.addons.lot_traceability.tests.common import DemoCompaniesCase, company_user
from odoo.exceptions import AccessError
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestAttacks(DemoCompaniesCase):
    """What an ordinary account of the demo's second company tries against the first
    company's data, and is refused."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.quality = company_user(
            cls.env,
            "attack_quality_main",
            "stock.group_stock_manager,lot_fefo.group_lot_quality_manager,"
            "lot_recall.group_recall_manager,stock.group_production_lot",
            cls.main,
        )
        cls.nord_manager = company_user(
            cls.env,
            "attack_manager_nord",
            "stock.group_stock_manager,lot_fefo.group_lot_quality_manager,"
            "lot_recall.group_recall_manager,stock.group_production_lot",
            cls.nord,
        )

    def test_wizards_of_another_user_stay_his(self):
        """The dialogs a user of the first company filled in (lots, stock to scrap,
        reasons) cannot be read or run by a user of the second company with the same
        groups: a dialog is its creator's."""
        status = self.cake.lot_status
        env = self.env(user=self.quality)
        wizards = [
            env["lot.unusable.scrap"].create(
                {"lot_ids": [Command.set(self.cake.ids)], "reason": "Main's secret reason"}
            ),
            env["lot.status.change"].create(
                {
                    "lot_ids": [Command.set(self.cake.ids)],
                    "lot_status": "blocked",
                    "reason": "Main's secret reason",
                }
            ),
            env["lot.recall.start"].create(
                {"lot_ids": [Command.set(self.cake.ids)], "reason": "Main's secret reason"}
            ),
        ]
        self.assertTrue(wizards[0].line_ids)
        wizards.append(wizards[0].line_ids)
        nord_env = self.env(user=self.nord_manager)
        for wizard in wizards:
            with self.subTest(model=wizard._name):
                self.assertFalse(nord_env[wizard._name].search([("id", "in", wizard.ids)]))
                with self.assertRaises(AccessError):
                    wizard.with_user(self.nord_manager).read(
                        ["lot_id" if "line" in wizard._name else "reason"]
                    )
        for wizard, action in zip(
            wizards, ("action_scrap", "action_apply", "action_create_recall"), strict=False
        ):
            with self.subTest(action=action), self.assertRaises(AccessError):
                getattr(wizard.with_user(self.nord_manager), action)()
        self.assertEqual(self.cake.lot_status, status)
        self.assertEqual(wizards[0].with_user(self.quality).reason, "Main's secret reason")

    def test_regulator_export_file_stays_with_its_user(self):
        """The FSMA file a Recall Manager of the first company exported (its customers and
        addresses) cannot be read by a Recall User allowed only in the second company."""
        recall = (
            self.env["lot.recall"]
            .with_user(self.quality)
            .create({"reason": "Listeria", "scope_lot_ids": [Command.set(self.cake.ids)]})
        )
        recall.action_compute_scope()
        action = recall.action_open_regulator_export()
        export = self.env["lot.regulator.export"].with_user(self.quality).browse(action["res_id"])
        export.export_format = "fsma_csv"
        export.action_export()
        self.assertTrue(export.file_data)
        reader = company_user(
            self.env,
            "attack_recall_reader_nord",
            "lot_recall.group_recall_user",
            self.nord,
        )
        Export = self.env["lot.regulator.export"].with_user(reader)
        self.assertFalse(Export.search_read([("id", "=", export.id)], ["file_data"]))
        with self.assertRaises(AccessError):
            Export.browse(export.id).read(["file_data", "recall_id"])

    def test_eu_report_file_stays_with_its_user(self):
        """The EU traceability file a Recall Manager of the first company made (its
        customers and addresses) cannot be read by a Recall User allowed only in the
        second company."""
        report = (
            self.env["lot.eu.trace.report"]
            .with_user(self.quality)
            .create({"lot_ids": [Command.set(self.cake.ids)], "report_format": "csv"})
        )
        report.action_print()
        self.assertTrue(report.file_data)
        reader = company_user(
            self.env,
            "attack_eu_reader_nord",
            "lot_recall.group_recall_user",
            self.nord,
        )
        Report = self.env["lot.eu.trace.report"].with_user(reader)
        self.assertFalse(Report.search_read([("id", "=", report.id)], ["file_data"]))
        with self.assertRaises(AccessError):
            Report.browse(report.id).read(["file_data", "lot_ids"])
