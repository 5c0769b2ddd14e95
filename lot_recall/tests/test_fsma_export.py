import base64
import csv
import datetime
import io
import json
import zipfile
from urllib.parse import quote

import openpyxl
from odoo import Command, fields
from odoo.addons.lot_traceability.tests.common import FlowCase, company_user
from odoo.exceptions import AccessError, UserError
from odoo.service.model import get_public_method
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import RegulatorExportCommon, assert_valid_epcis, with_check_digit

HEADER = [
    "Event ID",
    "Critical Tracking Event",
    "Input or Output",
    "Traceability Lot Code (TLC)",
    "Product Description",
    "Quantity",
    "Unit of Measure",
    "Event Date",
    "Immediate Previous Source Location",
    "Receiving Location",
    "Ship-From Location",
    "Immediate Subsequent Recipient Location",
    "Transformation Location",
    "TLC Source Location",
    "TLC Source Reference",
    "Reference Document Type",
    "Reference Document Number",
    "Internal Lot Number",
]


@tagged("post_install", "-at_install")
class TestFsmaExport(RegulatorExportCommon):
    """FDA FSMA 204 sortable spreadsheet: key data elements of receiving, transformation and
    shipping events, files, periods and access."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fsma = cls.env["lot.fsma.export"]

    def _cells(self, row):
        return {key: row[key] for key, _title in self.fsma._columns()}

    def test_header_is_the_fsma_key_data_elements(self):
        self.assertEqual([title for _key, title in self.fsma._columns()], HEADER)

    def test_receiving_rows(self):
        rows = [row for row in self.fsma._events(self.lots) if row["cte"] == "receiving"]
        # 1.1345(a): the receiver keeps the supplier's lot code as TLC.
        self.assertEqual([row["tlc"] for row in rows], ["FF-778", "SPN-T1"])
        farm = (
            "Fresh Farms Test, 12 Farm Road, 93901 Salinas, California, United States, "
            "phone +1 831 555 0100, GLN 0614141000012"
        )
        self.assertEqual(self._location(self.farm), farm)
        self.assertEqual(
            self._cells(rows[0]),
            {
                "event_id": self.receipt.name,
                "cte_label": "Receiving",
                "role_label": "",
                "tlc": "FF-778",
                "product_description": "[ROM] Romaine Test, GTIN 04012345000016, loose, "
                "counted in kg",
                "quantity": 50.0,
                "uom": "kg",
                "event_date": self._day(10),
                "previous_source": farm,
                "receiving_location": self.plant_location,
                "ship_from": "",
                "recipient": "",
                "transformation_location": "",
                # The farm assigned the TLC: it is the TLC source (1.1345(a)(7)).
                "tlc_source_location": farm,
                "tlc_source_reference": "GLN 0614141000012",
                # No purchase order: the receipt is the bill of lading.
                "reference_type": "Bill of Lading",
                "reference_number": self.receipt.name,
                "lot_name": "ROM-T1",
            },
        )
        spinach = rows[1]
        self.assertEqual(spinach["event_id"], rows[0]["event_id"])
        self.assertEqual((spinach["quantity"], spinach["uom"]), (30.0, "kg"))
        self.assertEqual(spinach["product_description"], "[SPN] Spinach Test, loose, counted in kg")
        # Kept under the farm's code: the farm is the TLC source.
        self.assertEqual(spinach["tlc_source_location"], farm)
        self.assertEqual(spinach["partner_id"], self.farm.id)

    def test_transformation_rows_share_the_order_as_event_id(self):
        rows = [row for row in self.fsma._events(self.lots) if row["cte"] == "transformation"]
        self.assertEqual(
            [(row["role"], row["tlc"], row["quantity"], row["uom"]) for row in rows],
            [
                ("input", "FF-778", 20.0, "kg"),
                ("input", "SPN-T1", 10.0, "kg"),
                ("output", "SAL-T1", 100.0, "Units"),
            ],
        )
        self.assertEqual({row["event_id"] for row in rows}, {self.production.name})
        self.assertEqual({row["reference_number"] for row in rows}, {self.production.name})
        self.assertEqual({row["reference_type"] for row in rows}, {"Production Record"})
        self.assertEqual({row["event_date"] for row in rows}, {self._day(5)})
        self.assertEqual({row["transformation_location"] for row in rows}, {self.plant_location})
        self.assertEqual([row["role_label"] for row in rows], ["Input", "Input", "Output"])
        output = rows[2]
        self.assertEqual(
            output["product_description"],
            "[SAL] Salad Mix Test, barcode SALAD-X, loose, counted in Units",
        )
        self.assertEqual(output["tlc_source_location"], self.plant_location)
        self.assertEqual(output["production_id"], self.production.id)
        for row in rows:
            self.assertFalse(row["previous_source"] or row["recipient"] or row["ship_from"])

    def test_shipping_rows_in_the_unit_shipped(self):
        rows = [row for row in self.fsma._events(self.sal_lot) if row["cte"] == "shipping"]
        self.assertEqual(len(rows), 2)
        self.assertEqual(
            self._cells(rows[0]),
            {
                "event_id": self.delivery.name,
                "cte_label": "Shipping",
                "role_label": "",
                "tlc": "SAL-T1",
                "product_description": "[SAL] Salad Mix Test, barcode SALAD-X, loose, counted "
                "in Units",
                "quantity": 5.0,
                "uom": "Dozens",
                "event_date": self._day(3),
                "previous_source": "",
                "receiving_location": "",
                "ship_from": self.plant_location,
                "recipient": "Salad Bar Test, Downtown, 5 Main St, 10002 New York, United States"
                " [no phone or state recorded]",
                "transformation_location": "",
                "tlc_source_location": self.plant_location,
                "tlc_source_reference": "GLN 0614141000029",
                "reference_type": "Bill of Lading",
                "reference_number": self.delivery.name,
                "lot_name": "SAL-T1",
            },
        )
        self.assertEqual(rows[0]["partner_id"], self.downtown.id)
        self.assertEqual((rows[1]["quantity"], rows[1]["uom"]), (10.0, "Units"))
        self.assertEqual(
            rows[1]["recipient"], "Corner Cafe Test, Boston [no phone or state recorded]"
        )

    def test_a_raw_lot_brings_its_whole_transformation_but_not_later_shipments(self):
        rows = self.fsma._events(self.rom_lot.ids)
        self.assertEqual(
            [(row["cte"], row["role"], row["tlc"]) for row in rows],
            [
                ("receiving", False, "FF-778"),
                ("transformation", "input", "FF-778"),
                ("transformation", "input", "SPN-T1"),
                ("transformation", "output", "SAL-T1"),
            ],
        )

    def test_internal_transfers_and_scraps_are_not_tracking_events(self):
        other = self.env["stock.location"].create({"name": "Shelf", "location_id": self.stock.id})
        self._transfer(
            self.warehouse.int_type_id,
            self.plant,
            self.stock,
            other,
            [(self.spn_lot, 5, self.kg)],
            2,
        )
        scrap = self.env["stock.scrap"].create(
            {
                "product_id": self.spinach.id,
                "lot_id": self.spn_lot.id,
                "scrap_qty": 1,
                "location_id": self.stock.id,
            }
        )
        scrap.action_validate()
        rows = self.fsma._events(self.spn_lot.ids)
        self.assertEqual(
            [(row["cte"], row["quantity"]) for row in rows if row["tlc"] == "SPN-T1"],
            [("receiving", 30.0), ("transformation", 10.0)],
        )

    def test_date_range(self):
        rows = self.fsma._events(self.lots.ids, self._day(6), self._day(2))
        self.assertEqual(
            [(row["cte"], row["tlc"]) for row in rows],
            [
                ("transformation", "FF-778"),
                ("transformation", "SPN-T1"),
                ("transformation", "SAL-T1"),
                ("shipping", "SAL-T1"),
            ],
        )
        self.assertEqual(
            [row["event_id"] for row in self.fsma._events(self.lots.ids, self._day(1))],
            [self.late_delivery.name],
        )
        self.assertEqual(len(self.fsma._events(self.lots.ids, date_to=self._day(10))), 2)
        self.assertEqual(self.fsma._events(self.lots.ids, self._day(9), self._day(6)), [])

    def test_csv_is_readable(self):
        rows = self.fsma._events(self.lots)
        content = self.fsma._csv(rows)
        self.assertTrue(content.startswith(b"\xef\xbb\xbf"))
        table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        self.assertEqual(table[0], HEADER)
        self.assertEqual(len(table), len(rows) + 1)
        receiving = table[1]
        self.assertEqual(receiving[:8], [
            self.receipt.name, "Receiving", "", "FF-778",
            "[ROM] Romaine Test, GTIN 04012345000016, loose, counted in kg", "50", "kg",
            self._day(10).isoformat(),
        ])  # fmt: skip
        shipped = [line for line in table if line[0] == self.delivery.name]
        self.assertEqual([line[5:7] for line in shipped], [["5", "Dozens"]])

    def test_xlsx_is_readable_with_dates_and_numbers(self):
        rows = self.fsma._events(self.lots)
        book = openpyxl.load_workbook(io.BytesIO(self.fsma._xlsx(rows)), read_only=True)
        sheet = book.worksheets[0]
        table = [list(line) for line in sheet.iter_rows(values_only=True)]
        self.assertEqual(table[0], HEADER)
        self.assertEqual(len(table), len(rows) + 1)
        output = next(line for line in table if line[2] == "Output")
        self.assertEqual(output[:7], [
            self.production.name, "Transformation", "Output", "SAL-T1",
            "[SAL] Salad Mix Test, barcode SALAD-X, loose, counted in Units", 100, "Units",
        ])  # fmt: skip
        self.assertIsInstance(output[7], datetime.datetime)
        self.assertEqual(output[7].date(), self._day(5))
        self.assertIsNone(output[8])  # no previous source on a transformation

    def test_other_companies_lots_and_lines_are_left_out(self):
        other = self.env["res.company"].create({"name": "Other Fresh Co"})
        user = company_user(
            self.env,
            "fsma_other",
            "stock.group_stock_user",
            other,
        )
        self.assertEqual(self.fsma.with_user(user)._events(self.lots.ids), [])
        stock_user = new_test_user(self.env, login="fsma_stock", groups="stock.group_stock_user")
        self.assertEqual(len(self.fsma.with_user(stock_user)._events(self.lots.ids)), 7)

    def _other_company_flows(self):
        """Company B receives the same shared lots from its own vendor before us and ships
        them to its own customer: (company B, its vendor, its customer)."""
        other = self.env["res.company"].create({"name": "Hidden Greens B"})
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", other.id)])
        vendor = self.env["res.partner"].create(
            {
                "name": "Secret Vendor B",
                "company_id": other.id,
                "street": "99 Hidden Lane",
                "city": "Elsewhere",
            }
        )
        customer = self.env["res.partner"].create(
            {"name": "Secret Customer B", "company_id": other.id, "street": "7 Quiet Street"}
        )
        suppliers = self.env.ref("stock.stock_location_suppliers")
        customers = self.env.ref("stock.stock_location_customers")
        self._transfer(
            warehouse.in_type_id, vendor, suppliers, warehouse.lot_stock_id,
            [(self.rom_lot, 7, self.kg), (self.spn_lot, 4, self.kg)], 20,
        )  # fmt: skip
        self._transfer(
            warehouse.out_type_id, customer, warehouse.lot_stock_id, customers,
            [(self.rom_lot, 2, self.kg)], 15,
        )  # fmt: skip
        return other, vendor, customer

    def _assert_nothing_of(self, content, other, vendor, customer):
        for text in (
            other.name,
            vendor.name,
            vendor.street,
            customer.name,
            customer.street,
            f"/party/{vendor.id}",
            f"/address/{customer.id}",
        ):
            self.assertNotIn(text, content)

    def test_exports_keep_to_the_companies_of_the_user_and_of_the_recall(self):
        other, vendor, customer = self._other_company_flows()
        user = new_test_user(self.env, login="fsma_wall_a", groups="stock.group_stock_user")
        fsma = self.fsma.with_user(user)
        rows = fsma._events(self.lots)
        self.assertEqual(len(rows), 7)
        sources = {row["tlc"]: row["tlc_source_location"] for row in rows}
        self.assertEqual(sources["SPN-T1"], self._location(self.farm))
        self.assertEqual(sources["FF-778"], self._location(self.farm))
        self._assert_nothing_of(fsma._csv(rows).decode("utf-8-sig"), other, vendor, customer)
        document = self.env["lot.epcis.export"].with_user(user)._document(self.lots)
        self._assert_nothing_of(json.dumps(document), other, vendor, customer)

        # A recall of company A exported by a user allowed in A and B: A's records only.
        recall = self.env["lot.recall"].create(
            {
                "kind": "mock",
                "scope_type": "lots",
                "scope_lot_ids": [Command.set(self.rom_lot.ids)],
                "reason": "Listeria found in romaine",
            }
        )
        recall.action_compute_scope()
        both = company_user(
            self.env,
            "fsma_wall_ab",
            "lot_recall.group_recall_user",
            (self.company | other),
        )
        recall = recall.with_user(both).with_context(allowed_company_ids=(self.company | other).ids)
        action = recall.action_open_regulator_export()
        wizard = recall.env["lot.regulator.export"].browse(action["res_id"])
        for export_format in ("fsma_csv", "epcis"):
            wizard.export_format = export_format
            wizard.action_export()
            content = base64.b64decode(wizard.file_data).decode("utf-8-sig")
            self._assert_nothing_of(content, other, vendor, customer)
        self.assertIn(self.receipt.name.replace("/", "%2F"), content)

    def test_epcis_identifiers_follow_each_company_settings(self):
        other, vendor, _customer = self._other_company_flows()
        user_b = company_user(
            self.env,
            "epcis_company_b",
            "stock.group_stock_user",
            other,
        )
        epcis_b = self.env["lot.epcis.export"].with_user(user_b)
        # Company B has no private domain: its export is refused, naming what lacks an id.
        with self.assertRaisesRegex(UserError, "Secret Vendor B"):
            epcis_b._document(self.lots)
        other.lot_identifier_domain = "b.example.com"
        content = json.dumps(epcis_b._document(self.lots))
        assert_valid_epcis(self, json.loads(content))
        self.assertIn("https://b.example.com/party/Secret%20Vendor%20B", content)
        self.assertNotIn("trace.example.com", content)
        # Company A's export is untouched by B's settings.
        user_a = new_test_user(self.env, login="epcis_company_a", groups="stock.group_stock_user")
        content = json.dumps(self.env["lot.epcis.export"].with_user(user_a)._document(self.lots))
        self.assertNotIn("b.example.com", content)
        self.assertNotIn(vendor.name, content)

    def test_wizard_refuses_lots_and_recalls_the_user_cannot_read(self):
        other = self.env["res.company"].create({"name": "Hidden Greens B"})
        their_lot = self._lot("THEIRS-1", self.spinach, company_id=other.id)
        their_recall = self.env["lot.recall"].create(
            {
                "kind": "mock",
                "company_id": other.id,
                "scope_type": "lots",
                "scope_lot_ids": [Command.set(their_lot.ids)],
                "reason": "Their own mock recall",
            }
        )
        user = new_test_user(
            self.env, login="fsma_wall_wizard", groups="lot_recall.group_recall_user"
        )
        Wizard = self.env["lot.regulator.export"].with_user(user)
        wizard = Wizard.create({"lot_ids": [Command.set((self.spn_lot | their_lot).ids)]})
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            wizard.action_export()
        wizard = Wizard.create(
            {"lot_ids": [Command.set(self.spn_lot.ids)], "recall_id": their_recall.id}
        )
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            wizard.action_export()
        self.assertFalse(their_recall.message_ids.attachment_ids)

    def test_formula_like_texts_stay_texts_in_csv_and_xlsx(self):
        formula = '=HYPERLINK("http://x.example","a")'
        self.cafe.name = formula
        self.receipt.origin = "@SUM(A1)"
        user = new_test_user(self.env, login="fsma_formula", groups="stock.group_stock_user")
        fsma = self.fsma.with_user(user)
        rows = fsma._events(self.lots)
        table = list(csv.reader(io.StringIO(fsma._csv(rows).decode("utf-8-sig"))))
        shipped = next(line for line in table if line[0] == self.late_delivery.name)
        self.assertEqual(shipped[11], f"'{formula}, Boston [no phone or state recorded]")
        self.rom_lot.supplier_lot = "@SUM(A1)"
        table = list(
            csv.reader(io.StringIO(fsma._csv(fsma._events(self.lots)).decode("utf-8-sig")))
        )
        received = next(line for line in table if line[0] == self.receipt.name)
        self.assertEqual(received[3], "'@SUM(A1)")

        content = fsma._xlsx(rows)
        with zipfile.ZipFile(io.BytesIO(content)) as workbook:
            self.assertNotIn("<f>", workbook.read("xl/worksheets/sheet1.xml").decode())
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        cells = {cell.value: cell.data_type for line in sheet.iter_rows() for cell in line}
        self.assertEqual(cells[f"{formula}, Boston [no phone or state recorded]"], "s")

    def test_wizard_exports_files_for_lots_and_products(self):
        with self.assertRaisesRegex(AccessError, "cannot be called remotely"):
            get_public_method(self.env["lot.regulator.export"], "action_open_for_lots")
        action = self.env["lot.regulator.export"].action_open_for_lots(self.sal_lot)
        self.assertEqual((action["type"], action["target"]), ("ir.actions.act_window", "new"))
        wizard = self.env["lot.regulator.export"].browse(action["res_id"])
        self.assertEqual(wizard.lot_ids, self.sal_lot)
        self.assertFalse(wizard.recall_id)
        wizard.action_export()
        self.assertEqual(
            wizard.file_name, f"fsma204-SAL-T1-{fields.Date.context_today(wizard)}.xlsx"
        )
        self.assertEqual(wizard.row_count, 5)
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file_data)))
        self.assertEqual(book.worksheets[0].max_row, 6)

        wizard = self.env["lot.regulator.export"].create(
            {
                "product_ids": [Command.set(self.spinach.ids)],
                "date_from": self._day(10),
                "date_to": self._day(10),
                "export_format": "fsma_csv",
            }
        )
        wizard.action_export()
        self.assertEqual(wizard.file_name, f"fsma204-lots-{self._day(10)}-{self._day(10)}.csv")
        table = list(
            csv.reader(io.StringIO(base64.b64decode(wizard.file_data).decode("utf-8-sig")))
        )
        self.assertEqual([line[3] for line in table[1:]], ["SPN-T1"])

        wizard.export_format = "epcis"
        wizard.action_export()
        document = json.loads(base64.b64decode(wizard.file_data))
        self.assertEqual(document["type"], "EPCISDocument")
        self.assertEqual(wizard.row_count, 1)
        self.assertTrue(wizard.file_name.endswith(".jsonld"))

    def test_wizard_refuses_bad_input_and_empty_exports(self):
        Wizard = self.env["lot.regulator.export"]
        with self.assertRaisesRegex(UserError, "Choose the lots or the products"):
            Wizard.create({}).action_export()
        wizard = Wizard.create(
            {
                "lot_ids": [Command.set(self.lots.ids)],
                "date_from": self._day(2),
                "date_to": self._day(4),
            }
        )
        with self.assertRaisesRegex(UserError, "first day must be before"):
            wizard.action_export()
        wizard.write({"date_from": self._day(9), "date_to": self._day(6)})
        with self.assertRaisesRegex(UserError, "nothing to export"):
            wizard.action_export()
        self.assertFalse(wizard.file_data)

    def test_recall_export_is_attached_to_the_recall(self):
        recall = self.env["lot.recall"].create(
            {
                "kind": "mock",
                "scope_type": "lots",
                "scope_lot_ids": [Command.set(self.rom_lot.ids)],
                "reason": "Listeria found in romaine",
            }
        )
        recall.action_compute_scope()
        self.assertEqual(recall.affected_lot_ids, self.rom_lot | self.sal_lot)
        user = new_test_user(
            self.env, login="fsma_recall_user", groups="lot_recall.group_recall_user"
        )
        action = recall.with_user(user).action_open_regulator_export()
        wizard = self.env["lot.regulator.export"].with_user(user).browse(action["res_id"])
        self.assertEqual(wizard.recall_id, recall)
        self.assertEqual(wizard.lot_ids, self.rom_lot | self.sal_lot)
        wizard.action_export()
        rows = self.fsma._events(recall.affected_lot_ids)
        self.assertEqual(wizard.row_count, len(rows))
        self.assertEqual({row["cte"] for row in rows}, {"receiving", "transformation", "shipping"})
        message = recall.message_ids[0]
        self.assertEqual(message.author_id, user.partner_id)
        self.assertIn(f"{len(rows)} records", message.body)
        self.assertEqual(message.attachment_ids.name, wizard.file_name)
        self.assertTrue(wizard.file_name.startswith(f"fsma204-{recall.name.replace('/', '-')}"))
        # What is attached to the recall as its export holds its affected lots only.
        other_lot = self.env["stock.lot"].search(
            [("id", "not in", recall.affected_lot_ids.ids), ("product_id.tracking", "=", "lot")],
            limit=1,
        )
        self.assertTrue(other_lot)
        wizard.lot_ids = [Command.link(other_lot.id)]
        with self.assertRaisesRegex(UserError, "holds its affected lots only"):
            wizard.action_export()
        wizard.write({"lot_ids": [Command.set(self.sal_lot.ids)]})
        wizard.action_export()
        self.assertEqual(wizard.row_count, len(self.fsma._events(self.sal_lot.ids)))
        with self.assertRaisesRegex(UserError, "holds its affected lots only"):
            wizard.write({"product_ids": [Command.set(self.sal_lot.product_id.ids)]})
            wizard.action_export()


@tagged("post_install", "-at_install")
class TestFsmaKeyDataElements(RegulatorExportCommon):
    """Key data elements of 21 CFR 1.1340 (shipping), 1.1345 (receiving) and 1.1350
    (transformation), between the company's own sites and from an exempt supplier, as a
    stock user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(cls.env, login="fsma_kde", groups="stock.group_stock_user")
        cls.fsma = cls.env["lot.fsma.export"].with_user(cls.user)
        cls.depot_address = cls.env["res.partner"].create(
            {
                "name": "Depot Test",
                "street": "9 Depot Road",
                "zip": "07001",
                "city": "Newark",
                "state_id": cls.env.ref("base.state_us_31").id,
                "country_id": cls.us.id,
                "phone": "+1 973 555 0101",
            }
        )
        cls.depot = cls.env["stock.warehouse"].create(
            {"name": "Depot Test WH", "code": "DWH", "partner_id": cls.depot_address.id}
        )
        cls.move_to_depot = cls._transfer(
            cls.warehouse.int_type_id,
            cls.plant,
            cls.stock,
            cls.depot.lot_stock_id,
            [(cls.sal_lot, 20, cls.unit)],
            2,
        )

    def _required(self, row, keys):
        for key in keys:
            self.assertTrue(row[key], f"{row['cte']} {row['role']}: {key} is empty")

    def test_every_event_has_its_key_data_elements(self):
        common = ("tlc", "quantity", "uom", "product_description", "event_date",
                  "tlc_source_location", "reference_type", "reference_number")  # fmt: skip
        for row in self.fsma._events(self.lots):
            self._required(row, common)
            if row["cte"] == "shipping":  # 1.1340(a)
                self._required(row, ("recipient", "ship_from"))
            elif row["cte"] == "receiving":  # 1.1345(a)
                self._required(row, ("previous_source", "receiving_location"))
            else:  # 1.1350(a): the TLC source of the new food is where it was transformed
                self._required(row, ("transformation_location",))

    def test_moves_between_own_sites_are_shipped_and_received(self):
        rows = [
            row
            for row in self.fsma._events(self.sal_lot)
            if row["event_id"] == self.move_to_depot.name
        ]
        depot = self._location(self.depot_address, f"{self.company.name} (Depot Test WH)")
        self.assertEqual(
            [(r["cte"], r["ship_from"], r["recipient"], r["previous_source"],
              r["receiving_location"]) for r in rows],
            [
                ("shipping", self.plant_location, depot, "", ""),
                ("receiving", "", "", self.plant_location, depot),
            ],
        )  # fmt: skip
        for row in rows:
            self.assertEqual((row["tlc"], row["quantity"], row["uom"]), ("SAL-T1", 20.0, "Units"))
            self.assertEqual(row["tlc_source_location"], self.plant_location)
            self.assertEqual(row["reference_type"], "Bill of Lading")
        # Through the company's transit location: shipped at the first site, received at the
        # second.
        transit = self.env["stock.location"].create(
            {"name": "Transit Test", "usage": "transit", "company_id": self.company.id}
        )
        out = self._transfer(self.warehouse.int_type_id, self.plant, self.depot.lot_stock_id,
                             transit, [(self.sal_lot, 5, self.unit)], 1)  # fmt: skip
        back = self._transfer(self.warehouse.int_type_id, self.plant, transit, self.stock,
                              [(self.sal_lot, 5, self.unit)], 1)  # fmt: skip
        ctes = {(row["event_id"], row["cte"]) for row in self.fsma._events(self.sal_lot)}
        self.assertLessEqual({(out.name, "shipping"), (back.name, "receiving")}, ctes)

    def test_a_supplier_not_subject_to_the_rule_gets_a_tlc_here(self):
        self.farm.lot_fsma_exempt = True
        rows = self.fsma._events(self.rom_lot)
        receipt = rows[0]
        self.assertEqual((receipt["cte"], receipt["tlc"]), ("receiving", "ROM-T1"))
        self.assertEqual(receipt["tlc_source_location"], self.plant_location)
        self.assertEqual(receipt["previous_source"], self._location(self.farm))
        # The same code on the transformation input (1.1350(a)(1)).
        self.assertEqual(rows[1]["tlc"], "ROM-T1")

    def test_only_recall_managers_exempt_a_supplier_from_the_rule(self):
        """The exemption changes the lot codes sent to the FDA: a user who may edit
        contacts cannot set it, a Recall Manager can, and the change is tracked."""
        clerk = new_test_user(
            self.env, login="fsma_clerk", groups="base.group_user,base.group_partner_manager"
        )
        with self.assertRaises(AccessError):
            self.farm.with_user(clerk).write({"lot_fsma_exempt": True})
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(clerk).create(
                {"name": "Exempt Farm", "lot_fsma_exempt": True}
            )
        # nor through the defaults a client controls
        self.env["ir.default"].set(
            "res.partner", "lot_fsma_exempt", True, user_id=clerk.id, company_id=False
        )
        farms = (
            self.env["res.partner"]
            .with_user(clerk)
            .with_context(default_lot_fsma_exempt=True)
            .create([{"name": "Sneaky Farm"}, {"name": "Other Farm"}])
        )
        self.assertEqual(farms.sudo().mapped("lot_fsma_exempt"), [False, False])
        manager = new_test_user(
            self.env,
            login="fsma_manager",
            groups="base.group_partner_manager,lot_recall.group_recall_manager",
        )
        self.farm.with_user(manager).lot_fsma_exempt = True
        self.env.cr.precommit.run()  # the tracking is written at commit
        self.assertTrue(self.farm.lot_fsma_exempt)
        self.assertIn(
            "lot_fsma_exempt",
            self.farm.message_ids.tracking_value_ids.field_id.mapped("name"),
        )
        self.assertEqual(self.fsma._events(self.rom_lot)[0]["tlc"], "ROM-T1")

    def test_shipment_without_partner_names_its_recipient(self):
        customers = self.env.ref("stock.stock_location_customers")
        delivery = self._transfer(self.warehouse.out_type_id, self.cafe, self.stock, customers,
                                  [(self.sal_lot, 1, self.unit)], 1)  # fmt: skip
        delivery.partner_id = False
        delivery.move_ids.partner_id = False
        row = next(r for r in self.fsma._events(self.sal_lot) if r["event_id"] == delivery.name)
        self.assertIn("[recipient or source not recorded]", row["recipient"])

    def test_the_move_partner_is_the_recipient_of_a_delivery(self):
        customers = self.env.ref("stock.stock_location_customers")
        delivery = self._transfer(self.warehouse.out_type_id, self.cafe, self.stock, customers,
                                  [(self.sal_lot, 2, self.unit)], 1)  # fmt: skip
        # The transfer names the cafe, its move the customer's delivery address.
        delivery.move_ids.partner_id = self.downtown
        (row,) = (r for r in self.fsma._events(self.sal_lot) if r["event_id"] == delivery.name)
        self.assertEqual((row["cte"], row["partner_id"]), ("shipping", self.downtown.id))
        self.assertEqual(row["recipient"], self._location(self.downtown))

    def test_moves_between_own_sites_in_epcis(self):
        self.depot_address.barcode = with_check_digit("061414100009")
        document = self.env["lot.epcis.export"].with_user(self.user)._document(self.sal_lot)
        assert_valid_epcis(self, document)
        name = quote(self.move_to_depot.name, safe="")
        shipped, received = (
            event
            for event in document["epcisBody"]["eventList"]
            if any(name in t["bizTransaction"] for t in event.get("bizTransactionList", []))
        )
        plant, depot = (
            "https://id.gs1.org/414/0614141000029",
            "https://id.gs1.org/414/0614141000098",
        )
        self.assertEqual(
            (shipped["bizStep"], shipped["sourceList"][1]["source"]), ("shipping", plant)
        )
        self.assertEqual(shipped["destinationList"][1]["destination"], depot)
        self.assertEqual((received["bizStep"], received["bizLocation"]["id"]), ("receiving", depot))
        self.assertEqual(received["sourceList"][1]["source"], plant)


@tagged("post_install", "-at_install")
class TestFsmaFlows(FlowCase):
    """Flows from the suite's one classification of moves. A dropship
    (``stock_dropshipping``): received from the vendor under the vendor's lot code, shipped
    to the customer's delivery address; its return received from the customer and shipped
    back to the vendor. Between two companies: shipped to the other company, received
    from it."""

    def _setup_dropship(self):
        self._require("stock_dropshipping")
        self.lot, self.picking, self.dock = self._dropship(25)
        self.lot.supplier_lot = "MILL-77"
        self.fsma = self.env["lot.fsma.export"].with_user(self.user)
        self.sale = self.picking.move_ids.sale_line_id.order_id
        self.purchase = self.picking.purchase_id

    def test_a_dropship_is_received_from_the_vendor_and_shipped_to_the_customer(self):
        self._setup_dropship()
        rows = self.fsma._events(self.lot)
        mill = self.fsma._events(self.lot)[0]["previous_source"]
        self.assertTrue(mill.startswith("Flow Mill"), mill)
        company = self.env.company.name
        self.assertEqual(
            [
                (
                    row["event_id"], row["cte"], row["tlc"], row["quantity"], row["partner_id"],
                    row["reference_type"], row["reference_number"],
                )
                for row in rows
            ],
            [
                (self.picking.name, "receiving", "MILL-77", 25.0, self.vendor.id,
                 "Purchase Order", self.purchase.name),
                (self.picking.name, "shipping", "MILL-77", 25.0, self.dock.id,
                 "Sales Order", self.sale.name),
            ],
        )  # fmt: skip
        received, shipped = rows
        # 1.1345(a): the vendor's lot code, the vendor as its source.
        self.assertEqual(
            (received["tlc_source_location"], received["tlc_source_reference"]), (mill, "")
        )
        self.assertTrue(received["receiving_location"].startswith(company))
        self.assertTrue(shipped["ship_from"].startswith(company))
        self.assertEqual(
            shipped["recipient"], "Flow Grocer, Flow Grocer Dock [no phone or state recorded]"
        )
        self.assertEqual(shipped["tlc_source_location"], mill)
        self.assertEqual(received["documents"], [("po", self.purchase.name)])
        self.assertEqual(shipped["documents"], [("desadv", self.picking.name)])

    def test_a_dropship_return_is_received_from_the_customer_and_shipped_to_the_vendor(self):
        self._setup_dropship()
        returned = self.demo._return(self.picking, [(self.lot, 5)], 0)
        rows = [row for row in self.fsma._events(self.lot) if row["event_id"] == returned.name]
        self.assertEqual(
            [(row["cte"], row["tlc"], row["quantity"], row["partner_id"]) for row in rows],
            [
                ("receiving", "MILL-77", 5.0, self.dock.id),
                ("shipping", "MILL-77", 5.0, self.vendor.id),
            ],
        )
        self.assertTrue(rows[0]["previous_source"].startswith("Flow Grocer, Flow Grocer Dock"))
        self.assertTrue(rows[1]["recipient"].startswith("Flow Mill"))
        self.assertEqual(rows[0]["reference_type"], "Return Authorization")

    def test_between_companies_shipped_to_and_received_from_the_other_company(self):
        lot, company_a, company_b, user_b, user_ab = self._intercompany()
        customer_b = self.env["res.partner"].search([("name", "=", "Customer of B")])
        fsma = (
            self.env["lot.fsma.export"]
            .with_user(user_ab)
            .with_context(allowed_company_ids=(company_a | company_b).ids)
        )
        self.assertEqual(
            [
                (row["cte"], row["kind"], row["company_id"], row["partner_id"], row["quantity"])
                for row in fsma._events(lot)
            ],
            [
                ("receiving", "receipt", company_a.id, self.vendor.id, 100),
                ("shipping", "intercompany_out", company_a.id, company_b.partner_id.id, 40),
                ("receiving", "intercompany_in", company_b.id, company_a.partner_id.id, 40),
                ("shipping", "delivery", company_b.id, customer_b.id, 30),
            ],
        )
        # Company B alone: the lot came from company A, which is the TLC source.
        rows = self.env["lot.fsma.export"].with_user(user_b)._events(lot)
        self.assertEqual(
            [(row["cte"], row["partner_id"], row["tlc"]) for row in rows],
            [
                ("receiving", company_a.partner_id.id, "RICE-001"),
                ("shipping", customer_b.id, "RICE-001"),
            ],
        )
        self.assertEqual({row["tlc_source_location"] for row in rows}, {rows[0]["previous_source"]})
        self.assertTrue(rows[0]["previous_source"].startswith(company_a.name))
