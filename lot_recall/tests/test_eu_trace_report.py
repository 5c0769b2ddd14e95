import base64
import csv
import io

import openpyxl
from odoo import Command
from odoo.addons.lot_traceability.tools import timezones
from odoo.addons.lot_traceability.tools.timezones import local_date
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import RecallCase, RegulatorExportCommon

REPORT = "lot_recall.action_report_lot_eu_trace"


class EuTraceMixin:
    def _report(self, user, **vals):
        return self.env["lot.eu.trace.report"].with_user(user).create(vals)

    def _rows(self, data, **where):
        return [
            row for row in data["rows"] if all(row[key] == value for key, value in where.items())
        ]

    def _csv_rows(self, report, data):
        text = report.with_context(lang=report.lang)._csv(data).decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text)))


@tagged("post_install", "-at_install")
class TestEuTraceReportDemo(EuTraceMixin, RecallCase):
    """The EU report of the demo bakery: flour lot RM-FLR-001 from Golden Fields Mill went
    into dough, cakes and cookies delivered to 13 customers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mock = cls.env.ref("lot_recall.demo_mock_recall_flour")
        cls.warehouse = cls.env.ref("stock.warehouse0")
        cls.company = cls.env.company

    def _open_from_recall(self, recall, user):
        action = recall.with_user(user).action_open_eu_trace_report()
        self.assertEqual(
            (action["type"], action["res_model"], action["target"]),
            ("ir.actions.act_window", "lot.eu.trace.report", "new"),
        )
        return self.env["lot.eu.trace.report"].with_user(user).browse(action["res_id"])

    def _line(self, lot, usage, partner=None):
        domain = [("lot_id", "=", lot.id), ("state", "=", "done")]
        domain += [("location_id.usage", "=", usage)] if usage == "supplier" else []
        domain += [("location_dest_id.usage", "=", usage)] if usage == "customer" else []
        if partner:
            domain.append(("picking_id.partner_id", "=", partner.id))
        return self.env["stock.move.line"].search(domain)

    def test_recall_button_opens_the_report_for_a_recall_user(self):
        report = self._open_from_recall(self.mock, self.reader)
        self.assertEqual(report.recall_id, self.mock)
        self.assertEqual(report.lot_ids, self.flour)
        self.assertEqual(report.report_format, "pdf")
        action = report.action_print()
        self.assertEqual(
            (action["type"], action["report_name"]),
            ("ir.actions.report", "lot_recall.report_lot_eu_trace"),
        )
        # A draft recall has no scope yet.
        with self.assertRaisesRegex(UserError, "Compute the scope"):
            self._recall().with_user(self.reader).action_open_eu_trace_report()

    def test_demo_mock_recall_lists_every_supplier_and_customer_with_931_2011_data(self):
        data = self._open_from_recall(self.mock, self.reader)._report_data()
        self.assertEqual(
            [lot["name"] for lot in data["lots"]],
            ["RM-FLR-001", "FG-CAK-001", "WIP-DGH-001", "FG-COO-001"],
        )
        self.assertEqual(data["warnings"], [])
        self.assertEqual(
            {row["consignor"] for row in self._rows(data, step_key="back")},
            {"Golden Fields Mill"},
        )
        customers = {row["consignee"] for row in self._rows(data, movement="Delivery")}
        self.assertEqual(customers, set(self.mock.customer_ids.partner_id.mapped("complete_name")))
        self.assertEqual(len(customers), 13)
        ours = f"{self.company.name} ({self.warehouse.name})"
        partner = self.warehouse.partner_id
        our_address = ", ".join(
            part
            for part in (
                partner.street,
                partner.street2,
                f"{partner.zip} {partner.city}".strip(),
                partner.state_id.name,
                partner.country_id.name,
            )
            if part
        )
        tz = timezones.warehouse_tz(self.warehouse)

        # One step back: what was received, from whom, when, under which document.
        receipt = self._line(self.flour, "supplier")
        [row] = self._rows(data, lot="RM-FLR-001", step_key="back")
        self.assertEqual(
            {key: row[key] for key, _title in self._columns()},
            {
                "lot": "RM-FLR-001",
                "product": "[RM-FLR] Wheat Flour T55",
                "supplier_lot": "GFM-24117",
                "step": "Supplier (one step back)",
                "movement": "Receipt",
                "quantity": 500.0,
                "uom": "kg",
                "packaging": "",
                "date": local_date(receipt.date, tz),
                "consignor": "Golden Fields Mill",
                "consignor_address": "12 Route des Moulins, 28000 Chartres, France",
                "consignee": ours,
                "consignee_address": our_address,
                "document": receipt.picking_id.name,
                "source_document": "",
                "transformation": "",
                "warnings": "",
            },
        )
        # One step forward: what was dispatched, to whom and where, when.
        delivery = self._line(self.cake, "customer", self.hotel)
        [row] = self._rows(data, lot="FG-CAK-001", consignee="Hotel Lumière")
        self.assertEqual(
            {key: row[key] for key, _title in self._columns()},
            {
                "lot": "FG-CAK-001",
                "product": "[FG-CAK] Chocolate Cake",
                "supplier_lot": "",
                "step": "Customer (one step forward)",
                "movement": "Delivery",
                "quantity": 50.0,
                "uom": "Units",
                "packaging": "",
                "date": local_date(delivery.date, tz),
                "consignor": ours,
                "consignor_address": our_address,
                "consignee": "Hotel Lumière",
                "consignee_address": "1 Rue du Commerce, Nice, France",
                "document": delivery.picking_id.name,
                "source_document": "",
                "transformation": "",
                "warnings": "",
            },
        )
        # The partial return of the Green Grocer comes back from the customer.
        [back] = self._rows(data, lot="FG-CAK-001", movement="Customer return")
        self.assertEqual((back["consignor"], back["consignee"], back["quantity"]),
                         ("The Green Grocer", ours, 10.0))  # fmt: skip
        # Inside the company, only the links between the lots.
        links = {lot["name"]: (lot["made_from"], lot["used_in"]) for lot in data["lots"]}
        self.assertEqual(
            links,
            {
                "RM-FLR-001": ("", "FG-CAK-001, WIP-DGH-001"),
                "FG-CAK-001": ("RM-FLR-001", ""),
                "WIP-DGH-001": ("RM-FLR-001", "FG-COO-001"),
                "FG-COO-001": ("WIP-DGH-001", ""),
            },
        )
        [internal] = self._rows(data, lot="WIP-DGH-001")
        self.assertEqual(
            (internal["step"], internal["transformation"], internal["consignee"]),
            ("Internal transformation", "Made from lots RM-FLR-001; Used in lots FG-COO-001", ""),
        )
        # Cookies: seven customers, the 60 boxes of SuperMart included.
        cookies = self._rows(data, lot="FG-COO-001", movement="Delivery")
        self.assertEqual(len(cookies), 7)
        self.assertEqual(sum(row["quantity"] for row in cookies), 300)

    def _columns(self):
        return self.env["lot.eu.trace.report"]._columns()

    def test_lot_form_button_reports_one_step_back_of_a_cake(self):
        """From a cake lot: its customers, and the suppliers of what it was made from."""
        action = self.cake_2.with_user(self.reader).action_lot_eu_trace_report()
        report = self.env["lot.eu.trace.report"].with_user(self.reader).browse(action["res_id"])
        self.assertEqual(report.lot_ids, self.cake_2)
        data = report._report_data()
        self.assertEqual(
            {row["consignor"] for row in self._rows(data, step_key="back")},
            {"Golden Fields Mill", "Green Valley Dairy", "Sunny Hen Farm"},
        )
        self.assertEqual(
            {row["consignee"] for row in self._rows(data, step_key="forward")},
            {"City Hospital Catering", "Délices de Bruxelles"},
        )
        [cake] = [lot for lot in data["lots"] if lot["name"] == "FG-CAK-002"]
        self.assertEqual(
            cake["made_from"], "RM-EGG-001, RM-EGG-002, RM-FLR-002, RM-MLK-002, RM-SUG-001"
        )
        # What the cake was made from is not followed forward: the flour's other cakes and
        # their customers are not this lot's business.
        self.assertFalse(self._rows(data, lot="RM-FLR-002", step_key="forward"))
        self.assertFalse(self._rows(data, lot="FG-CAK-001"))

    def test_second_company_customers_do_not_appear(self):
        """Company B received and delivered the shared cookie lot: its customer and supplier
        are left out for a user of company A and from company A's recall."""
        company_a = self.env.company
        company_b = self.env["res.company"].create({"name": "EU Wall Company B"})
        warehouse_b = self.env["stock.warehouse"].search([("company_id", "=", company_b.id)])
        customer_b = self.env["res.partner"].create(
            {"name": "B-only Customer", "company_id": company_b.id}
        )
        supplier_b = self.env["res.partner"].create(
            {"name": "B-only Supplier", "company_id": company_b.id}
        )
        flows = self.env["lot.traceability.demo"].with_company(company_b)
        flows._transfer(
            warehouse_b.in_type_id,
            supplier_b,
            self.env.ref("stock.stock_location_suppliers"),
            warehouse_b.lot_stock_id,
            [(self.cookies, 20)],
            3,
        )
        flows._transfer(
            warehouse_b.out_type_id,
            customer_b,
            warehouse_b.lot_stock_id,
            self.env.ref("stock.stock_location_customers"),
            [(self.cookies, 15)],
            1,
        )
        b_names = {"B-only Customer", "B-only Supplier"}

        def counterparts(data):
            return {row["consignor"] for row in data["rows"]} | {
                row["consignee"] for row in data["rows"]
            }

        # A Recall User of company A only, on the lot form.
        data = self._report(self.reader, lot_ids=[Command.set(self.cookies.ids)])._report_data()
        self.assertFalse(b_names & counterparts(data))
        self.assertEqual(len(self._rows(data, movement="Delivery")), 7)
        # A manager working in both companies sees B's moves of the lot...
        manager = self.manager
        manager.company_ids |= company_b
        both = (
            self.env["lot.eu.trace.report"]
            .with_user(manager)
            .with_context(allowed_company_ids=(company_a | company_b).ids)
        )
        data = both.create({"lot_ids": [Command.set(self.cookies.ids)]})._report_data()
        self.assertEqual(b_names & counterparts(data), b_names)
        # ...but not in the report of company A's recall, whatever companies are active.
        recall = self.mock.with_user(manager).with_context(
            allowed_company_ids=(company_a | company_b).ids
        )
        data = self._open_from_recall(recall, manager)._report_data()
        self.assertFalse(b_names & counterparts(data))
        self.assertEqual(len(self._rows(data, movement="Delivery")), 13)
        # A lot of company B cannot be reported by a user of company A.
        lot_b = self.env["stock.lot"].create(
            {"name": "B-LOT", "product_id": self.cookies.product_id.id, "company_id": company_b.id}
        )
        with self.assertRaises(AccessError):
            self._report(self.reader, lot_ids=[Command.set(lot_b.ids)])._report_data()
        # Nor a recall of company B, even when sent as the report's recall.
        recall_b = (
            self.env["lot.recall"]
            .with_company(company_b)
            .create({"reason": "B", "scope_lot_ids": [Command.set(lot_b.ids)]})
        )
        self.assertEqual(recall_b.company_id, company_b)
        with self.assertRaises(AccessError):
            self._report(self.reader, recall_id=recall_b.id)._report_data()

    def test_only_recall_users_and_stock_managers_open_the_report(self):
        clerk = new_test_user(
            self.env,
            login="eu_report_clerk",
            groups="stock.group_stock_user,stock.group_production_lot",
        )
        with self.assertRaises(AccessError):
            self._report(clerk, lot_ids=[Command.set(self.flour.ids)])
        with self.assertRaises(AccessError):
            self.flour.with_user(clerk).action_lot_eu_trace_report()
        boss = new_test_user(
            self.env,
            login="eu_report_boss",
            groups="stock.group_stock_manager,stock.group_production_lot",
        )
        data = self._report(boss, lot_ids=[Command.set(self.flour.ids)])._report_data()
        self.assertEqual(len(self._rows(data, movement="Delivery")), 13)

    def test_pdf_renders_in_the_company_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.company.partner_id.lang = "fr_FR"
        report = self._open_from_recall(self.mock, self.reader)
        self.assertEqual(report.lang, "fr_FR")
        receipt = self._line(self.flour, "supplier")
        day = local_date(receipt.date, timezones.warehouse_tz(self.warehouse))
        reports = self.env["ir.actions.report"].with_user(self.reader)
        html = reports._render_qweb_html(REPORT, report.ids)[0].decode()
        self.assertIn("Regulation (EC) No 178/2002, Article 18", html)
        self.assertIn("Golden Fields Mill", html)
        self.assertIn("12 Route des Moulins, 28000 Chartres, France", html)
        self.assertIn("Hotel Lumière", html)
        self.assertIn("Made from lots RM-FLR-001", html)
        self.assertIn(day.strftime("%d/%m/%Y"), html)  # French date format
        self.assertNotIn("Completeness warnings", html)
        pdf, kind = reports.with_context(force_report_rendering=True)._render_qweb_pdf(
            REPORT, report.ids
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))


@tagged("post_install", "-at_install")
class TestEuTraceReportFiles(EuTraceMixin, RegulatorExportCommon):
    """Units, completeness warnings and spreadsheet cells, on the salad plant: romaine
    received in kg, salad shipped in dozens and units."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env,
            login="eu_report_user",
            groups="lot_recall.group_recall_user,stock.group_production_lot",
        )
        cls.gram = cls.env.ref("uom.product_uom_gram")
        cls.customers = cls.env.ref("stock.stock_location_customers")

    def _deliver(self, partner, lines, days_ago=0):
        return self._transfer(
            self.warehouse.out_type_id, partner, self.stock, self.customers, lines, days_ago
        )

    def test_quantities_in_the_unit_received_and_dispatched(self):
        delivery = self._deliver(self.downtown, [(self.rom_lot, 500, self.gram)])
        delivery.move_ids.product_packaging_id = self.env["product.packaging"].create(
            {"name": "Crate of 10 kg", "product_id": self.romaine.id, "qty": 10}
        )
        report = self._report(self.user, lot_ids=[Command.set(self.rom_lot.ids)])
        data = report._report_data()
        [received] = self._rows(data, lot="ROM-T1", movement="Receipt")
        self.assertEqual((received["quantity"], received["uom"]), (50.0, "kg"))
        self.assertEqual(received["consignor"], "Fresh Farms Test")
        self.assertEqual(received["document"], self.receipt.name)
        self.assertEqual(received["source_document"], "PO-TEST-1")
        self.assertEqual(received["supplier_lot"], "FF-778")
        [sold] = self._rows(data, lot="ROM-T1", movement="Delivery")
        self.assertEqual((sold["quantity"], sold["uom"]), (500.0, "g"))
        self.assertEqual(sold["packaging"], "Crate of 10 kg")
        self.assertEqual(sold["document"], delivery.name)
        self.assertEqual(sold["consignee"], "Salad Bar Test, Downtown")
        self.assertEqual(sold["consignee_address"], "5 Main St, 10002 New York, United States")
        # The salad made from the romaine: 5 dozen to Downtown, 10 units to the cafe.
        salad = {row["consignee"]: (row["quantity"], row["uom"]) for row in data["rows"]
                 if row["lot"] == "SAL-T1" and row["step_key"] == "forward"}  # fmt: skip
        self.assertEqual(
            salad,
            {
                "Salad Bar Test, Downtown": (5.0, self.dozen.name),
                "Corner Cafe Test": (10.0, "Units"),
            },
        )
        with self.assertRaisesRegex(UserError, "first day must be before"):
            self._report(
                self.user,
                lot_ids=[Command.set(self.rom_lot.ids)],
                date_from="2026-02-01",
                date_to="2026-01-01",
            )._report_data()

    def test_completeness_warnings_on_the_report_and_the_files(self):
        nowhere = self.env["res.partner"].create({"name": "No Address Shop"})
        self._deliver(nowhere, [(self.sal_lot, 2, self.unit)])
        report = self._report(
            self.user, lot_ids=[Command.set(self.sal_lot.ids)], report_format="csv"
        )
        data = report._report_data()
        [row] = self._rows(data, consignee="No Address Shop")
        self.assertEqual(row["warnings"], "No Address Shop has no address.")
        [cafe] = self._rows(data, consignee="Corner Cafe Test")
        self.assertEqual(
            cafe["warnings"], "The address of Corner Cafe Test has no street, country."
        )
        self.assertEqual(
            data["warnings"],
            [
                "The address of Corner Cafe Test has no street, country.",
                "No Address Shop has no address.",
            ],
        )
        self.assertEqual(data["warning_count"], 2)
        report.action_print()
        self.assertEqual(report.warning_count, 2)
        cells = list(
            csv.DictReader(io.StringIO(base64.b64decode(report.file_data).decode("utf-8-sig")))
        )
        [shop] = [
            cells_row
            for cells_row in cells
            if cells_row["Consignee (Dispatched To)"] == "No Address Shop"
        ]
        self.assertEqual(shop["Completeness Warnings"], "No Address Shop has no address.")
        html = (
            self.env["ir.actions.report"]
            .with_user(self.user)
            ._render_qweb_html(REPORT, report.ids)[0]
            .decode()
        )
        self.assertIn("Completeness warnings: 2 lines with missing data.", html)
        self.assertIn("No Address Shop has no address.", html)

    def test_line_without_lot_is_reported_with_a_warning(self):
        salt = self._product("Salt Test", "SLT", self.kg)
        salt.tracking = "none"
        self.env["stock.quant"]._update_available_quantity(salt, self.stock, 10)
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.out_type_id.id,
                "partner_id": self.downtown.id,
                "location_id": self.stock.id,
                "location_dest_id": self.customers.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": "Salt",
                            "product_id": salt.id,
                            "product_uom_qty": 3,
                            "product_uom": self.kg.id,
                            "location_id": self.stock.id,
                            "location_dest_id": self.customers.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        picking.move_ids.picked = True
        picking.button_validate()
        data = self._report(self.user, product_ids=[Command.set(salt.ids)])._report_data()
        [row] = data["rows"]
        self.assertEqual(
            (row["lot"], row["quantity"], row["uom"], row["consignee"], row["warnings"]),
            ("", 3.0, "kg", "Salad Bar Test, Downtown", "No lot recorded on this line."),
        )

    def test_spreadsheet_cells_are_formula_safe(self):
        hostile = self.env["res.partner"].create(
            {
                "name": '=HYPERLINK("http://evil.example","x")',
                "street": "+1 Formula Road",
                "city": "Paris",
                "country_id": self.env.ref("base.fr").id,
            }
        )
        self._deliver(hostile, [(self.sal_lot, 1, self.unit)])
        report = self._report(self.user, lot_ids=[Command.set(self.sal_lot.ids)])
        report.report_format = "csv"
        report.action_print()
        self.assertTrue(report.file_name.endswith(".csv"))
        cells = list(
            csv.DictReader(io.StringIO(base64.b64decode(report.file_data).decode("utf-8-sig")))
        )
        [row] = [row for row in cells if "evil" in row["Consignee (Dispatched To)"]]
        self.assertEqual(row["Consignee (Dispatched To)"], "'" + hostile.name)
        self.assertEqual(row["Consignee Address"], "'+1 Formula Road, Paris, France")
        report.report_format = "xlsx"
        report.action_print()
        self.assertTrue(report.file_name.endswith(".xlsx"))
        sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(report.file_data))).active
        header = [cell.value for cell in sheet[1]]
        column = header.index("Consignee (Dispatched To)")
        [cell] = [
            r[column]
            for r in sheet.iter_rows(min_row=2)
            if r[column].value and "evil" in r[column].value
        ]
        self.assertEqual((cell.value, cell.data_type), (hostile.name, "s"))
        dates = {
            r[header.index("Date of Dispatch or Receipt")].value for r in sheet.iter_rows(min_row=2)
        }
        self.assertTrue(all(value is None or value.year > 2000 for value in dates))

    def test_queries_do_not_grow_with_the_lines(self):
        """Partners, products, units and warehouses are read once, whatever the rows."""

        def queries():
            report = self._report(self.user, lot_ids=[Command.set(self.sal_lot.ids)])
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            data = report._report_data()
            return self.env.cr.sql_log_count - before, len(data["rows"])

        few, rows = queries()
        france = self.env.ref("base.fr")
        for index in range(6):
            shop = self.env["res.partner"].create(
                {
                    "name": f"Shop {index}",
                    "street": "1 Rue",
                    "city": "Lyon",
                    "country_id": france.id,
                }
            )
            self._deliver(shop, [(self.sal_lot, 1, self.unit)])
        many, more_rows = queries()
        self.assertEqual(more_rows, rows + 6)
        self.assertLessEqual(many, few + 1)
