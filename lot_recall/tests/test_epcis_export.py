import datetime
import json
import re
from urllib.parse import quote

import pytz
from odoo.addons.lot_recall.models.lot_epcis_export import event_hash, event_hash_input
from odoo.addons.lot_traceability.tests.common import FlowCase
from odoo.addons.lot_traceability.tools.timezones import local_date
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import RegulatorExportCommon, assert_valid_epcis, with_check_digit

BASE = "https://trace.example.com"
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ROMAINE = "https://id.gs1.org/01/04012345000016/10/FF-778"


@tagged("post_install", "-at_install")
class TestEpcisExport(RegulatorExportCommon):
    """GS1 EPCIS 2.0 JSON-LD document of the same events as the FSMA spreadsheet."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.epcis = cls.env["lot.epcis.export"]

    def _document(self, lots=None, *dates):
        document = self.epcis._document((lots or self.lots).ids, *dates)
        # Valid JSON, unchanged by a round trip, valid against the official schema.
        self.assertEqual(json.loads(json.dumps(document)), document)
        assert_valid_epcis(self, document)
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
        # One receipt of two lots, one order, two shipments.
        self.assertEqual(
            [(event["type"], event.get("bizStep")) for event in events],
            [
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

    def test_receiving_observes_the_supplier_lot(self):
        (receipt,) = self._events(self._document(), bizStep="receiving")
        self.assertEqual((receipt["action"], receipt["disposition"]), ("OBSERVE", "in_progress"))
        self.assertNotIn("ilmd", receipt)
        # The romaine keeps the farm's lot code FF-778; its GTIN is not the company's:
        # a GS1 Digital Link (no company prefix is guessed).
        self.assertEqual(
            receipt["quantityList"],
            [
                {"epcClass": ROMAINE, "quantity": 50.0, "uom": "KGM"},
                {"epcClass": f"{BASE}/class/SPN/SPN-T1", "quantity": 30.0, "uom": "KGM"},
            ],
        )
        self.assertEqual(receipt["bizLocation"], {"id": "https://id.gs1.org/414/0614141000029"})
        self.assertEqual(receipt["readPoint"], receipt["bizLocation"])
        self.assertEqual(
            receipt["sourceList"],
            [
                {"type": "owning_party", "source": "https://id.gs1.org/417/0614141000012"},
                {"type": "location", "source": "https://id.gs1.org/414/0614141000012"},
            ],
        )
        company = quote(self.company.partner_id.name, safe="")
        self.assertEqual(
            receipt["destinationList"],
            [
                {"type": "owning_party", "destination": f"{BASE}/party/{company}"},
                {"type": "location", "destination": "https://id.gs1.org/414/0614141000029"},
            ],
        )
        # A receipt without purchase order: the receiving advice.
        self.assertEqual(
            receipt["bizTransactionList"],
            [
                {
                    "type": "recadv",
                    "bizTransaction": f"{BASE}/bt/{self.receipt.name.replace('/', '%2F')}",
                }
            ],
        )

    def test_transformation_event(self):
        (event,) = self._events(self._document(), type="TransformationEvent")
        self.assertEqual(
            event["inputQuantityList"],
            [
                {"epcClass": ROMAINE, "quantity": 20.0, "uom": "KGM"},
                {"epcClass": f"{BASE}/class/SPN/SPN-T1", "quantity": 10.0, "uom": "KGM"},
            ],
        )
        # A salad is counted in units: no unit of measure.
        self.assertEqual(
            event["outputQuantityList"],
            [{"epcClass": f"{BASE}/class/SAL/SAL-T1", "quantity": 100.0}],
        )
        self.assertEqual(event["bizTransactionList"][0]["type"], "prodorder")
        self.assertEqual(
            event["transformationID"], event["bizTransactionList"][0]["bizTransaction"]
        )
        self.assertEqual(event["ilmd"]["cbvmda:lotNumber"], "SAL-T1")
        self.assertEqual(
            event["ilmd"]["cbvmda:itemExpirationDate"],
            local_date(self.sal_lot.expiration_date, "America/New_York").isoformat(),
        )
        self.assertNotIn("action", event)

    def test_shipping_counts_are_bare_units(self):
        first, second = self._events(self._document(self.sal_lot), bizStep="shipping")
        self.assertEqual((first["action"], first["disposition"]), ("OBSERVE", "in_transit"))
        self.assertNotIn("bizLocation", first)
        # 5 dozens shipped: 60 units, no unit of measure.
        self.assertEqual(
            first["quantityList"], [{"epcClass": f"{BASE}/class/SAL/SAL-T1", "quantity": 60.0}]
        )
        self.assertEqual(
            first["destinationList"],
            [
                {
                    "type": "owning_party",
                    "destination": f"https://id.gs1.org/417/{self.customer_gln}",
                },
                {
                    "type": "location",
                    "destination": f"{BASE}/location/partner/Salad%20Bar%20Test%2C%20Downtown",
                },
            ],
        )
        self.assertEqual([t["type"] for t in first["bizTransactionList"]], ["desadv"])
        self.assertEqual(second["quantityList"][0]["quantity"], 10.0)

    def test_company_prefix_and_gln_give_epc_uris_and_plain_transaction_ids(self):
        self.company.lot_gs1_company_prefix = "4012345"
        company_gln = with_check_digit("401234500003")
        self.company.partner_id.barcode = company_gln
        document = self._document(self.rom_lot)
        receipt = self._events(document, bizStep="receiving")[0]
        self.assertEqual(
            receipt["quantityList"][0]["epcClass"], "urn:epc:class:lgtin:4012345.000001.FF-778"
        )
        self.assertEqual(
            receipt["bizTransactionList"][0]["bizTransaction"],
            f"urn:epcglobal:cbv:bt:{company_gln}:{self.receipt.name}",
        )
        self.assertEqual(
            receipt["destinationList"][0]["destination"], "urn:epc:id:pgln:4012345.00003"
        )
        # The farm's GLN is not under the company prefix: Digital Link.
        self.assertEqual(receipt["sourceList"][0]["source"], "https://id.gs1.org/417/0614141000012")
        with self.assertRaisesRegex(Exception, "6 to 12 digits"):
            self.company.lot_gs1_company_prefix = "12345"

    def test_export_refused_without_gs1_key_nor_private_domain(self):
        self.company.lot_identifier_domain = False
        with self.assertRaisesRegex(UserError, r"Spinach Test"):
            self.epcis._document(self.lots.ids)
        with self.assertRaisesRegex(Exception, "internet domain"):
            self.company.lot_identifier_domain = "http://x y"

    def test_event_id_is_the_event_hash(self):
        document = self._document()
        (receipt,) = self._events(document, bizStep="receiving")
        event = dict(receipt)
        event_id = event.pop("eventID")
        self.assertEqual(event_id, event_hash(event))
        # The pre-hash string the GS1 reference implementation (RalphTro/
        # epcis-event-hash-generator) writes for this event.
        company = quote(self.company.partner_id.name, safe="")
        receipt_name = quote(self.receipt.name, safe="")
        self.assertEqual(
            event_hash_input(event),
            f"eventType=ObjectEventeventTime={event['eventTime']}"
            f"eventTimeZoneOffset={event['eventTimeZoneOffset']}"
            f"quantityListquantityElementepcClass={ROMAINE}quantity=50uom=KGM"
            f"quantityElementepcClass={BASE}/class/SPN/SPN-T1quantity=30uom=KGM"
            "action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-receiving"
            "disposition=https://ref.gs1.org/cbv/Disp-in_progress"
            "readPointid=https://id.gs1.org/414/0614141000029"
            "bizLocationid=https://id.gs1.org/414/0614141000029"
            "bizTransactionListtype=https://ref.gs1.org/cbv/BTT-recadv"
            f"bizTransaction={BASE}/bt/{receipt_name}"
            "destinationListtype=https://ref.gs1.org/cbv/SDT-location"
            "destination=https://id.gs1.org/414/0614141000029"
            "type=https://ref.gs1.org/cbv/SDT-owning_party"
            f"destination={BASE}/party/{company}"
            "sourceListtype=https://ref.gs1.org/cbv/SDT-location"
            "source=https://id.gs1.org/414/0614141000012"
            "type=https://ref.gs1.org/cbv/SDT-owning_party"
            "source=https://id.gs1.org/417/0614141000012",
        )
        # The order of list elements does not matter; a changed quantity does.
        event["quantityList"] = list(reversed(event["quantityList"]))
        self.assertEqual(event_hash(event), event_id)
        event["quantityList"][0] = dict(event["quantityList"][0], quantity=31)
        self.assertNotEqual(event_hash(event), event_id)
        # EPC URIs hash as their Digital Link.
        self.company.lot_gs1_company_prefix = "4012345"
        (again,) = self._events(self._document(), bizStep="receiving")
        self.assertEqual(again["eventID"], event_id)

    def test_master_data_describes_products_places_and_parties(self):
        document = self._document()
        vocabularies = {
            vocabulary["type"]: {
                element["id"]: {
                    a["id"].split("#")[1]: a["attribute"] for a in element["attributes"]
                }
                for element in vocabulary["vocabularyElementList"]
            }
            for vocabulary in document["epcisHeader"]["epcisMasterData"]["vocabularyList"]
        }
        classes = vocabularies["urn:epcglobal:epcis:vtype:EPCClass"]
        self.assertEqual(classes[ROMAINE]["lotNumber"], "FF-778")
        self.assertIn("Romaine Test", classes[ROMAINE]["descriptionShort"])
        farm = vocabularies["urn:epcglobal:epcis:vtype:SourceDest"][
            "https://id.gs1.org/414/0614141000012"
        ]
        self.assertEqual(
            (farm["name"], farm["city"], farm["state"], farm["telephone"]),
            ("Fresh Farms Test", "Salinas", "CA", "+1 831 555 0100"),
        )
        plant = vocabularies["urn:epcglobal:epcis:vtype:BusinessLocation"][
            "https://id.gs1.org/414/0614141000029"
        ]
        self.assertEqual(plant["city"], "New York")

    def test_lot_of_an_exempt_supplier_is_relabelled_here(self):
        self.farm.lot_fsma_exempt = True
        document = self._document(self.rom_lot)
        receipt, relabel, production = document["epcisBody"]["eventList"]
        ours = "https://id.gs1.org/01/04012345000016/10/ROM-T1"
        self.assertEqual(receipt["bizStep"], "receiving")
        self.assertEqual(receipt["quantityList"][0]["epcClass"], ROMAINE)
        self.assertEqual(
            (relabel["type"], relabel["bizStep"]), ("TransformationEvent", "commissioning")
        )
        self.assertEqual(
            relabel["inputQuantityList"], [{"epcClass": ROMAINE, "quantity": 50.0, "uom": "KGM"}]
        )
        self.assertEqual(
            relabel["outputQuantityList"], [{"epcClass": ours, "quantity": 50.0, "uom": "KGM"}]
        )
        self.assertEqual(relabel["ilmd"]["cbvmda:lotNumber"], "ROM-T1")
        self.assertEqual(production["inputQuantityList"][0]["epcClass"], ours)

    def test_unbuild_is_disassembling(self):
        unbuild = self.env["mrp.unbuild"].create(
            {
                "product_id": self.salad.id,
                "bom_id": self.bom.id,
                "mo_id": self.production.id,
                "lot_id": self.sal_lot.id,
                "product_qty": 10,
                "product_uom_id": self.unit.id,
                "location_id": self.stock.id,
                "location_dest_id": self.stock.id,
            }
        )
        unbuild.action_unbuild()
        events = self._events(self._document(self.sal_lot), bizStep="disassembling")
        self.assertTrue(events)
        self.assertEqual(events[0]["bizTransactionList"][0]["type"], "prodorder")
        self.assertEqual(
            events[0]["inputQuantityList"],
            [{"epcClass": f"{BASE}/class/SAL/SAL-T1", "quantity": 10.0}],
        )

    def test_units_are_unece_codes_and_counts_bare(self):
        square_meter = self.env.ref("uom.uom_square_meter")
        bag = self.env["uom.uom"].create(
            {
                "name": "Bag of 5 kg Test",
                "category_id": self.kg.category_id.id,
                "uom_type": "bigger",
                "factor_inv": 5,
            }
        )
        film = self._product("Film Test", "FLM", square_meter)
        film_lot = self._lot("FLM-1", film)
        suppliers = self.env.ref("stock.stock_location_suppliers")
        self._transfer(self.warehouse.in_type_id, self.farm, suppliers, self.stock,
                       [(film_lot, 12.5, square_meter), (self.spn_lot, 2, bag)], 4)  # fmt: skip
        receipt = self._events(self._document(film_lot | self.spn_lot), bizStep="receiving")[-1]
        self.assertEqual(
            receipt["quantityList"],
            [
                {"epcClass": f"{BASE}/class/FLM/FLM-1", "quantity": 12.5, "uom": "MTK"},
                # A unit without UN/ECE code: in its category's reference unit.
                {"epcClass": f"{BASE}/class/SPN/SPN-T1", "quantity": 10.0, "uom": "KGM"},
            ],
        )


@tagged("post_install", "-at_install")
class TestEpcisDropship(FlowCase):
    """A dropship in EPCIS: observed when received from the vendor under the vendor's lot
    code, and when shipped to the customer."""

    def test_a_dropship_is_a_receiving_and_a_shipping_event(self):
        self._require("stock_dropshipping")
        self.env.company.write(
            {"lot_gs1_company_prefix": False, "lot_identifier_domain": "trace.example.com"}
        )
        self.env.company.partner_id.barcode = False
        lot, picking, dock = self._dropship(25)
        lot.supplier_lot = "MILL-77"
        document = self.env["lot.epcis.export"].with_user(self.user)._document(lot)
        assert_valid_epcis(self, document)
        received, shipped = document["epcisBody"]["eventList"]
        honey = f"{BASE}/class/Dropshipped%20Honey/MILL-77"
        mill = f"{BASE}/party/Flow%20Mill"
        grocer = f"{BASE}/party/Flow%20Grocer"
        dock_address = f"{BASE}/location/partner/" + quote(dock.complete_name, safe="")
        self.assertEqual(
            (received["type"], received["action"], received["bizStep"], received["disposition"]),
            ("ObjectEvent", "OBSERVE", "receiving", "in_progress"),
        )
        self.assertEqual(received["quantityList"], [{"epcClass": honey, "quantity": 25.0}])
        self.assertEqual(received["sourceList"][0], {"type": "owning_party", "source": mill})
        self.assertEqual(
            received["bizTransactionList"][0]["type"], "po", received["bizTransactionList"]
        )
        self.assertEqual(
            (shipped["type"], shipped["action"], shipped["bizStep"], shipped["disposition"]),
            ("ObjectEvent", "OBSERVE", "shipping", "in_transit"),
        )
        self.assertEqual(shipped["quantityList"], received["quantityList"])
        self.assertEqual(
            shipped["destinationList"],
            [
                {"type": "owning_party", "destination": grocer},
                {"type": "location", "destination": dock_address},
            ],
        )
        self.assertEqual([t["type"] for t in shipped["bizTransactionList"]], ["desadv"])
