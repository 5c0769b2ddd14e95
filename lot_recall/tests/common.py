import json
import re
from datetime import timedelta
from pathlib import Path

import jsonschema
from odoo import Command, fields
from odoo.addons.lot_traceability.tools import gs1
from odoo.tests import TransactionCase, new_test_user

SCHEMA = json.loads((Path(__file__).parent / "data/epcis/EPCIS-JSON-Schema.json").read_text())
# CBV 2.0 vocabularies the exports may use.
BIZ_STEPS = {"receiving", "shipping", "creating_class_instance", "disassembling", "commissioning"}
DISPOSITIONS = {"in_progress", "in_transit", "active"}
BIZ_TRANSACTION_TYPES = {"po", "desadv", "recadv", "rma", "prodorder"}
SOURCE_DEST_TYPES = {"owning_party", "possessing_party", "location"}
# GS1 keys and document names are made of digits; any other URI has no numeric segment.
GS1_URIS = ("https://id.gs1.org/", "https://ref.gs1.org/", "urn:epc:", "urn:epcglobal:cbv:bt:")
EVENT_ID = re.compile(r"^ni:///sha-256;[0-9a-f]{64}\?ver=CBV2\.0$")


def assert_valid_epcis(test, document):
    """The document passes the official EPCIS 2.0 JSON schema (vendored from gs1/EPCIS),
    uses the CBV vocabularies, gives every event its hash ID and names nothing by a
    database id (no URI under the server's address, no numeric path segment but GS1 keys).
    """
    validator = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)
    errors = [error.message for error in validator.iter_errors(document)]
    test.assertEqual(errors, [])
    events = document["epcisBody"]["eventList"]
    for event in events:
        test.assertIn(event["bizStep"], BIZ_STEPS)
        test.assertIn(event["disposition"], DISPOSITIONS)
        test.assertRegex(event["eventID"], EVENT_ID)
        for element in event.get("bizTransactionList", []):
            test.assertIn(element["type"], BIZ_TRANSACTION_TYPES)
            if element["bizTransaction"].startswith("urn:epcglobal:cbv:bt:"):
                test.assertNotIn("%", element["bizTransaction"])
        for element in event.get("sourceList", []) + event.get("destinationList", []):
            test.assertIn(element["type"], SOURCE_DEST_TYPES)
    test.assertEqual(len({event["eventID"] for event in events}), len(events))
    base = test.env["ir.config_parameter"].sudo().get_param("web.base.url") or "http://localhost"
    for uri in re.findall(r'"((?:https?|urn):[^"]*)"', json.dumps(document)):
        test.assertFalse(uri.startswith(base), uri)
        test.assertNotIn("invalid.invalid", uri)
        if not uri.startswith(GS1_URIS):
            test.assertFalse(
                any(part.isdigit() for part in re.split(r"[/:.]", uri.split("://")[-1])[1:]),
                uri,
            )


def with_check_digit(digits):
    """A GS1 key (GTIN, GLN) from its digits without the check digit."""
    return digits + gs1.gtin_check_digit(digits)


class RegulatorExportCommon(TransactionCase):
    """A small salad plant in New York time: romaine and spinach lots received from a farm
    in one receipt, made into a salad lot, shipped in dozens to a customer's delivery
    address and, later, in units to a second customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.flows = cls.env["lot.traceability.demo"]
        cls.company = cls.env.company
        # Whatever the demo configured: no GS1 company prefix nor company GLN here.
        cls.company.write(
            {"lot_gs1_company_prefix": False, "lot_identifier_domain": "trace.example.com"}
        )
        cls.company.partner_id.barcode = False
        cls.us = cls.env.ref("base.us")
        california = cls.env.ref("base.state_us_5")
        cls.farm_gln = with_check_digit("061414100001")
        cls.plant_gln = with_check_digit("061414100002")
        cls.customer_gln = with_check_digit("401234599999")
        cls.farm = cls.env["res.partner"].create(
            {
                "name": "Fresh Farms Test",
                "is_company": True,
                "street": "12 Farm Road",
                "zip": "93901",
                "city": "Salinas",
                "state_id": california.id,
                "country_id": cls.us.id,
                "phone": "+1 831 555 0100",
                "barcode": cls.farm_gln,
            }
        )
        cls.plant = cls.env["res.partner"].create(
            {
                "name": "Salad Plant Test",
                "street": "1 Plant Street",
                "zip": "10001",
                "city": "New York",
                "country_id": cls.us.id,
                "tz": "America/New_York",
                "barcode": cls.plant_gln,
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Salad Bar Test", "is_company": True, "barcode": cls.customer_gln}
        )
        cls.downtown = cls.env["res.partner"].create(
            {
                "name": "Downtown",
                "type": "delivery",
                "parent_id": cls.customer.id,
                "street": "5 Main St",
                "zip": "10002",
                "city": "New York",
                "country_id": cls.us.id,
            }
        )
        cls.cafe = cls.env["res.partner"].create({"name": "Corner Cafe Test", "city": "Boston"})
        cls.warehouse = cls.env["stock.warehouse"].create(
            {"name": "FSMA Test WH", "code": "FWH", "partner_id": cls.plant.id}
        )
        cls.stock = cls.warehouse.lot_stock_id
        cls.kg = cls.env.ref("uom.product_uom_kgm")
        cls.unit = cls.env.ref("uom.product_uom_unit")
        cls.dozen = cls.env.ref("uom.product_uom_dozen")
        cls.romaine_gtin = with_check_digit("401234500001")
        cls.romaine = cls._product("Romaine Test", "ROM", cls.kg, barcode=cls.romaine_gtin)
        cls.spinach = cls._product("Spinach Test", "SPN", cls.kg)
        cls.salad = cls._product("Salad Mix Test", "SAL", cls.unit, barcode="SALAD-X")
        cls.bom = cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.salad.product_tmpl_id.id,
                "product_qty": 100,
                "product_uom_id": cls.unit.id,
                "bom_line_ids": [
                    Command.create(
                        {
                            "product_id": cls.romaine.id,
                            "product_qty": 20,
                            "product_uom_id": cls.kg.id,
                        }
                    ),
                    Command.create(
                        {
                            "product_id": cls.spinach.id,
                            "product_qty": 10,
                            "product_uom_id": cls.kg.id,
                        }
                    ),
                ],
            }
        )
        expiry = fields.Datetime.now().replace(hour=12, minute=0, second=0) + timedelta(days=30)
        cls.rom_lot = cls._lot("ROM-T1", cls.romaine, supplier_lot="FF-778", expiration_date=expiry)
        cls.spn_lot = cls._lot("SPN-T1", cls.spinach)
        cls.sal_lot = cls._lot("SAL-T1", cls.salad, expiration_date=expiry)

        cls.receipt = cls._transfer(
            cls.warehouse.in_type_id,
            cls.farm,
            cls.env.ref("stock.stock_location_suppliers"),
            cls.stock,
            [(cls.rom_lot, 50, cls.kg), (cls.spn_lot, 30, cls.kg)],
            10,
        )
        cls.receipt.origin = "PO-TEST-1"
        cls.production = cls._produce(100, [(cls.rom_lot, 20), (cls.spn_lot, 10)], 5)
        customers = cls.env.ref("stock.stock_location_customers")
        cls.delivery = cls._transfer(
            cls.warehouse.out_type_id, cls.downtown, cls.stock, customers,
            [(cls.sal_lot, 5, cls.dozen)], 3,
        )  # fmt: skip
        cls.late_delivery = cls._transfer(
            cls.warehouse.out_type_id, cls.cafe, cls.stock, customers,
            [(cls.sal_lot, 10, cls.unit)], 1,
        )  # fmt: skip
        cls.lots = cls.rom_lot | cls.spn_lot | cls.sal_lot

    @classmethod
    def _product(cls, name, code, uom, **vals):
        return cls.env["product.product"].create(
            {
                "name": name,
                "default_code": code,
                "is_storable": True,
                "tracking": "lot",
                "uom_id": uom.id,
                "uom_po_id": uom.id,
                **vals,
            }
        )

    @classmethod
    def _lot(cls, name, product, **vals):
        return cls.env["stock.lot"].create({"name": name, "product_id": product.id, **vals})

    @classmethod
    def _day(cls, days_ago):
        """The day of an operation made ``days_ago`` (at 10:00 UTC, the same day in New York)."""
        return cls.flows._backdate(days_ago).date()

    @classmethod
    def _transfer(cls, picking_type, partner, src, dest, lines, days_ago):
        """A validated transfer of (lot, quantity, unit) lines, dated ``days_ago``."""
        picking = cls.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": partner.id,
                "location_id": src.id,
                "location_dest_id": dest.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": lot.product_id.display_name,
                            "product_id": lot.product_id.id,
                            "product_uom_qty": qty,
                            "product_uom": uom.id,
                            "location_id": src.id,
                            "location_dest_id": dest.id,
                            "company_id": picking_type.company_id.id,
                        }
                    )
                    for lot, qty, uom in lines
                ],
            }
        )
        picking.action_confirm()
        picking.move_ids._do_unreserve()
        for move, (lot, qty, uom) in zip(picking.move_ids, lines, strict=True):
            move.move_line_ids.unlink()
            vals = move._prepare_move_line_vals()
            vals.update(lot_id=lot.id, quantity=qty, product_uom_id=uom.id, picked=True)
            cls.env["stock.move.line"].create(vals)
        picking.move_ids.picked = True
        picking.with_context(skip_backorder=True).button_validate()
        cls.flows._set_date(picking, days_ago)
        return picking

    @classmethod
    def _produce(cls, qty, components, days_ago):
        """A done manufacturing order of the salad lot from (lot, kg) pairs."""
        production = cls.env["mrp.production"].create(
            {
                "product_id": cls.salad.id,
                "bom_id": cls.bom.id,
                "product_qty": qty,
                "product_uom_id": cls.unit.id,
                "picking_type_id": cls.warehouse.manu_type_id.id,
            }
        )
        production.action_confirm()
        production.write({"lot_producing_id": cls.sal_lot.id, "qty_producing": qty})
        production._set_qty_producing()
        cls.flows._set_lines(production.move_raw_ids, components)
        production.button_mark_done()
        cls.flows._set_date(production, days_ago)
        return production

    def _location(self, partner, name=None):
        """The FSMA location description the export gives a partner's address."""
        parts = [
            name or partner.complete_name,
            partner.street,
            " ".join(part for part in (partner.zip, partner.city) if part),
            partner.state_id.name,
            partner.country_id.name,
        ]
        if partner.phone:
            parts.append(f"phone {partner.phone}")
        if partner.barcode:
            parts.append(f"GLN {partner.barcode}")
        missing = [
            label
            for label, value in (("phone", partner.phone), ("state", partner.state_id))
            if not value
        ]
        flag = f" [no {' or '.join(missing)} recorded]" if missing else ""
        return ", ".join(part for part in parts if part) + flag

    @property
    def plant_location(self):
        return self._location(self.plant, f"{self.company.name} (FSMA Test WH)")


class RecallCase(TransactionCase):
    """Recalls on the demo bakery of lot_traceability: flour lot RM-FLR-001 went into
    dough WIP-DGH-001 and cake lot FG-CAK-001, the dough into cookies FG-COO-001; cakes
    and cookies went to 13 customers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.flour = ref("lot_traceability.lot_flour_1")
        cls.flour_2 = ref("lot_traceability.lot_flour_2")
        cls.dough = ref("lot_traceability.lot_dough_1")
        cls.cake = ref("lot_traceability.lot_cake_1")
        cls.cake_2 = ref("lot_traceability.lot_cake_2")
        cls.cookies = ref("lot_traceability.lot_cookies_1")
        cls.hospital = ref("lot_traceability.cust_city_hospital")
        cls.supermart = ref("lot_traceability.cust_supermart")
        cls.grocer = ref("lot_traceability.cust_green_grocer")
        cls.corner = ref("lot_traceability.cust_corner_bakery")
        cls.hotel = ref("lot_traceability.cust_hotel_lumiere")
        cls.brussels = ref("lot_traceability.cust_deli_brussels")
        cls.manager = new_test_user(
            cls.env,
            login="recall_manager_test",
            name="Rita Recall Manager",
            email="rita@example.com",
            groups="lot_recall.group_recall_manager,stock.group_production_lot",
        )
        cls.reader = new_test_user(
            cls.env,
            login="recall_user_test",
            name="Ulysses Recall User",
            groups="lot_recall.group_recall_user,stock.group_production_lot",
        )

    def _recall(self, lots=None, kind="recall", **vals):
        """A draft recall of ``lots`` created by the Recall Manager."""
        values = {
            "kind": kind,
            "reason": "Salmonella found in supplier flour",
            "scope_type": "lots",
            "scope_lot_ids": [Command.set((lots or self.flour).ids)],
        }
        values.update(vals)
        return self.env["lot.recall"].with_user(self.manager).create(values)

    def _scoped(self, lots=None, kind="recall", **vals):
        recall = self._recall(lots, kind, **vals)
        recall.action_compute_scope()
        return recall

    def _names(self, records):
        return set(records.mapped("name"))

    def _customer(self, recall, partner):
        return recall.customer_ids.filtered(lambda customer: customer.partner_id == partner)
