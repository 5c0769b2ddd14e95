import datetime
import json
import re

import pytz
from odoo.addons.lot_fefo.tools.expiry import local_date
from odoo.tests import tagged

from .regulator_export_common import RegulatorExportCommon, with_check_digit

BASE = "https://trace.example.com/epcis"
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@tagged("post_install", "-at_install")
class TestEpcisExport(RegulatorExportCommon):
    """GS1 EPCIS 2.0 JSON-LD document of the same events as the FSMA spreadsheet."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("lot_recall.epcis_identifier_base", BASE)
        cls.epcis = cls.env["lot.epcis.export"]

    def _document(self, lots=None, *dates):
        document = self.epcis._document((lots or self.lots).ids, *dates)
        # Valid JSON, unchanged by a round trip.
        self.assertEqual(json.loads(json.dumps(document)), document)
        return document

    def _events(self, document, **match):
        return [
            event
            for event in document["epcisBody"]["eventList"]
            if all(event.get(key) == value for key, value in match.items())
        ]

    def _offset(self, event_time):
        moment = pytz.utc.localize(datetime.datetime.strptime(event_time, "%Y-%m-%dT%H:%M:%S.%fZ"))
        offset = moment.astimezone(pytz.timezone("America/New_York")).strftime("%z")
        return f"{offset[:3]}:{offset[3:]}"

    def test_document_header(self):
        document = self._document()
        self.assertEqual(
            document["@context"], "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
        )
        self.assertEqual(document["type"], "EPCISDocument")
        self.assertEqual(document["schemaVersion"], "2.0")
        self.assertRegex(document["creationDate"], TIME)
        events = document["epcisBody"]["eventList"]
        # Two lots received (one event each), one order, two shipments.
        self.assertEqual(
            [(event["type"], event.get("bizStep")) for event in events],
            [
                ("ObjectEvent", "receiving"),
                ("ObjectEvent", "receiving"),
                ("TransformationEvent", "creating_class_instance"),
                ("ObjectEvent", "shipping"),
                ("ObjectEvent", "shipping"),
            ],
        )
        for event in events:
            self.assertRegex(event["eventTime"], TIME)
            self.assertEqual(event["eventTimeZoneOffset"], self._offset(event["eventTime"]))
        quiet_days = self._document(self.lots, self._day(9), self._day(6))
        self.assertEqual(quiet_days["epcisBody"], {"eventList": []})

    def test_receiving_adds_the_lot_with_its_master_data(self):
        romaine, spinach = self._events(self._document(), bizStep="receiving")
        self.assertEqual(romaine["action"], "ADD")
        self.assertEqual(romaine["disposition"], "active")
        self.assertEqual(romaine["epcList"], [])
        self.assertEqual(
            romaine["quantityList"],
            [
                {
                    "epcClass": "urn:epc:class:lgtin:4012345.000001.ROM-T1",
                    "quantity": 50.0,
                    "uom": "KGM",
                }
            ],
        )
        self.assertEqual(
            romaine["ilmd"],
            {
                "cbvmda:lotNumber": "ROM-T1",
                "cbvmda:itemExpirationDate": local_date(
                    self.rom_lot.expiration_date, "America/New_York"
                ).isoformat(),
                # The farm's country, given to the lot at its first receipt.
                "cbvmda:countryOfOrigin": "US",
            },
        )
        # The plant's GLN gives the business location; the stock location has none, so
        # the read point is the plant's GLN with the location as extension.
        self.assertEqual(romaine["bizLocation"], {"id": "urn:epc:id:sgln:0614141.00002.0"})
        self.assertEqual(
            romaine["readPoint"], {"id": f"urn:epc:id:sgln:0614141.00002.{self.stock.id}"}
        )
        self.assertEqual(
            romaine["sourceList"],
            [
                {"type": "owning_party", "source": "urn:epc:id:pgln:0614141.00001"},
                {"type": "location", "source": "urn:epc:id:sgln:0614141.00001.0"},
            ],
        )
        self.assertEqual(
            romaine["destinationList"],
            [
                {
                    "type": "owning_party",
                    "destination": f"{BASE}/party/{self.company.partner_id.id}",
                },
                {"type": "location", "destination": "urn:epc:id:sgln:0614141.00002.0"},
            ],
        )
        name = self.receipt.name.replace("/", "%2F")
        self.assertEqual(
            romaine["bizTransactionList"],
            [
                {"type": "recadv", "bizTransaction": f"{BASE}/bt/{name}"},
                {"type": "po", "bizTransaction": f"{BASE}/bt/PO-TEST-1"},
            ],
        )
        # Spinach has no GTIN: a private class; no expiry date, none in the ILMD.
        self.assertEqual(
            spinach["quantityList"],
            [
                {
                    "epcClass": f"{BASE}/class/{self.spinach.id}/SPN-T1",
                    "quantity": 30.0,
                    "uom": "KGM",
                }
            ],
        )
        self.assertEqual(
            spinach["ilmd"], {"cbvmda:lotNumber": "SPN-T1", "cbvmda:countryOfOrigin": "US"}
        )

    def test_transformation_event(self):
        (event,) = self._events(self._document(), type="TransformationEvent")
        romaine = "urn:epc:class:lgtin:4012345.000001.ROM-T1"
        spinach = f"{BASE}/class/{self.spinach.id}/SPN-T1"
        self.assertEqual(
            event["inputQuantityList"],
            [
                {"epcClass": romaine, "quantity": 20.0, "uom": "KGM"},
                {"epcClass": spinach, "quantity": 10.0, "uom": "KGM"},
            ],
        )
        # A salad is counted in units: no unit of measure.
        self.assertEqual(
            event["outputQuantityList"],
            [{"epcClass": f"{BASE}/class/{self.salad.id}/SAL-T1", "quantity": 100.0}],
        )
        name = self.production.name.replace("/", "%2F")
        self.assertEqual(event["transformationID"], f"{BASE}/bt/{name}")
        self.assertEqual(
            event["bizTransactionList"],
            [{"type": "prodorder", "bizTransaction": f"{BASE}/bt/{name}"}],
        )
        self.assertEqual(event["ilmd"]["cbvmda:lotNumber"], "SAL-T1")
        self.assertIn("cbvmda:itemExpirationDate", event["ilmd"])
        self.assertNotIn("action", event)

    def test_shipping_observes_the_lot_leaving(self):
        first, second = self._events(self._document(self.sal_lot), bizStep="shipping")
        self.assertEqual(first["action"], "OBSERVE")
        self.assertEqual(first["disposition"], "in_transit")
        self.assertNotIn("ilmd", first)
        self.assertNotIn("bizLocation", first)
        self.assertEqual(
            first["quantityList"],
            [{"epcClass": f"{BASE}/class/{self.salad.id}/SAL-T1", "quantity": 5.0, "uom": "DZN"}],
        )
        self.assertEqual(
            first["sourceList"],
            [
                {"type": "owning_party", "source": f"{BASE}/party/{self.company.partner_id.id}"},
                {"type": "location", "source": "urn:epc:id:sgln:0614141.00002.0"},
            ],
        )
        # The customer's GLN names the owner; its delivery address has no GLN.
        self.assertEqual(
            first["destinationList"],
            [
                {"type": "owning_party", "destination": "urn:epc:id:pgln:4012345.99999"},
                {"type": "location", "destination": f"{BASE}/address/{self.downtown.id}"},
            ],
        )
        self.assertEqual(
            first["bizTransactionList"][0]["bizTransaction"],
            f"{BASE}/bt/{self.delivery.name.replace('/', '%2F')}",
        )
        self.assertEqual(first["bizTransactionList"][0]["type"], "desadv")
        self.assertEqual(second["quantityList"][0]["quantity"], 10.0)
        self.assertNotIn("uom", second["quantityList"][0])

    def test_configured_company_prefix_and_company_gln(self):
        self.env["ir.config_parameter"].set_param(
            "lot_recall.gs1_company_prefixes", "401234, 0614141"
        )
        company_gln = with_check_digit("061414100003")
        self.company.partner_id.barcode = company_gln
        document = self._document(self.rom_lot)
        receiving = self._events(document, bizStep="receiving")[0]
        self.assertEqual(
            receiving["quantityList"][0]["epcClass"], "urn:epc:class:lgtin:401234.0500001.ROM-T1"
        )
        self.assertEqual(
            receiving["bizTransactionList"][0]["bizTransaction"],
            f"urn:epcglobal:cbv:bt:{company_gln}:{self.receipt.name.replace('/', '%2F')}",
        )
        self.assertEqual(
            receiving["destinationList"][0]["destination"], "urn:epc:id:pgln:0614141.00003"
        )

    def test_lot_numbers_escaped_or_private(self):
        # Without a GTIN: a private class, the lot percent-encoded.
        self.rom_lot.name = "ROM/T1&2"
        self.romaine.barcode = False
        receiving = self._events(self._document(self.rom_lot), bizStep="receiving")[0]
        self.assertEqual(
            receiving["quantityList"][0]["epcClass"], f"{BASE}/class/{self.romaine.id}/ROM%2FT1%262"
        )
        # With a GTIN: the EPC URI escapes of the GS1 Tag Data Standard.
        self.salad.barcode = with_check_digit("0401234500002")
        self.sal_lot.name = "SAL/T1"
        (event,) = self._events(self._document(self.sal_lot), type="TransformationEvent")
        self.assertEqual(
            event["outputQuantityList"][0]["epcClass"],
            "urn:epc:class:lgtin:4012345.000002.SAL%2FT1",
        )
        # A space is not allowed in a GS1 lot number: private class even with a GTIN.
        self.sal_lot.name = "SAL T1"
        (event,) = self._events(self._document(self.sal_lot), type="TransformationEvent")
        self.assertEqual(
            event["outputQuantityList"][0]["epcClass"], f"{BASE}/class/{self.salad.id}/SAL%20T1"
        )
