import base64
import csv
import io
import json

from odoo.tests import Form, tagged

from .common import RecallCase, assert_valid_epcis


@tagged("post_install", "-at_install")
class TestRegulatorExportDemo(RecallCase):
    """The regulator exports of the demo's mock recall, made by a recall user from the
    recall: GS1 identifiers end to end, the supplier's lot code at every receipt, and the
    moves between the bakery and its depot."""

    def _export(self, export_format):
        recall = self.env.ref("lot_recall.demo_mock_recall_flour").with_user(self.reader)
        action = recall.action_open_regulator_export()
        wizard = self.env["lot.regulator.export"].with_user(self.reader).browse(action["res_id"])
        with Form(wizard) as form:
            form.export_format = export_format
        wizard.action_export()
        return base64.b64decode(wizard.file_data)

    def test_epcis_document_of_the_mock_recall(self):
        document = json.loads(self._export("epcis"))
        assert_valid_epcis(self, document)
        receipts = [
            event
            for event in document["epcisBody"]["eventList"]
            if event.get("bizStep") == "receiving"
        ]
        classes = {q["epcClass"] for event in receipts for q in event["quantityList"]}
        # The flour of Golden Fields Mill under its GTIN and the mill's lot code.
        self.assertIn("https://id.gs1.org/01/03098765000103/10/GFM-24117", classes)
        # The bakery's own products under its company prefix.
        outputs = {
            q["epcClass"]
            for event in document["epcisBody"]["eventList"]
            for q in event.get("outputQuantityList", [])
        }
        self.assertIn("urn:epc:class:lgtin:3012345.000010.FG-CAK-001", outputs)
        # The depot receives cookies from the bakery.
        depot = "urn:epc:id:sgln:3012345.00002.0"
        self.assertTrue(any(event.get("bizLocation", {}).get("id") == depot for event in receipts))

    def test_fsma_sheet_of_the_mock_recall(self):
        content = self._export("fsma_csv").decode("utf-8-sig")
        table = list(csv.DictReader(io.StringIO(content)))
        receipts = [row for row in table if row["Critical Tracking Event"] == "Receiving"]
        from_suppliers = [row for row in receipts if row["Internal Lot Number"].startswith("RM-")]
        self.assertTrue(from_suppliers)
        for row in from_suppliers:
            # 1.1345(a): the supplier's lot code, the supplier as its source.
            lot = self.env["stock.lot"].search([("name", "=", row["Internal Lot Number"])])
            self.assertEqual(row["Traceability Lot Code (TLC)"], lot.supplier_lot)
            self.assertEqual(row["TLC Source Location"], row["Immediate Previous Source Location"])
            self.assertTrue(row["TLC Source Reference"].startswith("GLN 309876"))
        self.assertIn(
            ("RM-FLR-001", "GFM-24117"),
            {(r["Internal Lot Number"], r["Traceability Lot Code (TLC)"]) for r in from_suppliers},
        )
        between_sites = [
            (row["Critical Tracking Event"], row["Traceability Lot Code (TLC)"])
            for row in table
            if "Riverside Depot" in (row["Immediate Subsequent Recipient Location"]
                                     + row["Receiving Location"])
        ]  # fmt: skip
        self.assertEqual(between_sites, [("Shipping", "FG-COO-001"), ("Receiving", "FG-COO-001")])
