import hashlib
import math
import re
from collections import defaultdict
from urllib.parse import quote

import pytz
from odoo import api, fields, models
from odoo.addons.lot_traceability.tools import gs1
from odoo.addons.lot_traceability.tools.timezones import local_date
from odoo.exceptions import UserError

from .lot_fsma_export import CTE_RECEIVING, CTE_TRANSFORMATION

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
CBV = "https://ref.gs1.org/cbv/"
MDA = "urn:epcglobal:cbv:mda#"
VOCABULARY_EPC_CLASS = "urn:epcglobal:epcis:vtype:EPCClass"
VOCABULARY_LOCATION = "urn:epcglobal:epcis:vtype:BusinessLocation"
VOCABULARY_SOURCE_DEST = "urn:epcglobal:epcis:vtype:SourceDest"
# Odoo's unit categories whose quantities are counts: no unit of measure in EPCIS.
COUNT_CATEGORY = "uom.product_uom_categ_unit"
# Characters a business transaction id keeps (RFC 8141 URN characters, no percent-escape).
_BT_UNSAFE = re.compile(r"[^A-Za-z0-9()+,\-.:=@;$_!*'/]")


class LotEpcisExport(models.AbstractModel):
    """GS1 EPCIS 2.0 JSON-LD document of the critical tracking events of lots.

    Built from :meth:`lot.fsma.export._events`, under the same traceability lot codes:
    a receipt is an ObjectEvent OBSERVE (``receiving``, ``in_progress``) of the lot under
    the supplier's code; a shipment an ObjectEvent OBSERVE (``shipping``, ``in_transit``);
    a manufacturing order one TransformationEvent per lot made (``creating_class_instance``,
    sharing the order as ``transformationID``, the inputs on the first, the made lot's
    master data in ``ilmd``), an unbuild the same with ``disassembling``. A lot received
    from a supplier not subject to FSMA 204 and given its code here is observed under the
    supplier's code, then relabelled: a TransformationEvent (``commissioning``) from the
    supplier's lot to the new one. Every event has
    its EPCIS event hash as ``eventID``; the header carries the master data of the
    products, places and parties (names, addresses, phones).

    Identifiers: GS1 keys (GTIN on products, GLN as barcode of partners, warehouse
    addresses and stock locations) as EPC URIs when they start with the company's GS1
    company prefix, else as GS1 Digital Link URIs; everything else as private URIs under
    the company's identifier domain, never database ids. Without a domain where one is
    needed, the export is refused.
    """

    _name = "lot.epcis.export"
    _description = "EPCIS 2.0 traceability document"

    @api.model
    def _document(self, lot_ids, date_from=None, date_to=None):
        """EPCIS 2.0 document (a JSON-serialisable dict) of the lots' tracking events.

        Same lots, periods and access rules as :meth:`lot.fsma.export._events`.

        :raise UserError: when a product, place or party has neither a GS1 key nor a
            private identifier domain on its company
        """
        rows = self.env["lot.fsma.export"]._events(lot_ids, date_from, date_to)
        ids = _Identifiers(self.env, rows)
        events = self._event_list(rows, ids)
        ids.check()
        document = {
            "@context": EPCIS_CONTEXT,
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": _timestamp(fields.Datetime.now()),
        }
        if events:
            document["epcisHeader"] = {"epcisMasterData": {"vocabularyList": ids.master_data()}}
        document["epcisBody"] = {"eventList": events}
        return document

    def _event_list(self, rows, ids):
        groups = defaultdict(list)
        for row in rows:
            groups[row["cte"], row["event_id"]].append(row)
        events = []
        for (cte, _event_id), group in groups.items():
            if cte == CTE_TRANSFORMATION:
                events.extend(self._transformation_events(group, ids))
                continue
            relabelled = [row for row in group if row.get("relabelled_from")]
            if relabelled:
                group = [
                    dict(row, tlc=row["relabelled_from"]) if row in relabelled else row
                    for row in group
                ]
            events.append(self._object_event(group, ids))
            if relabelled:
                events.append(self._relabel_event(relabelled, ids))
        for event in events:
            event["eventID"] = event_hash(event)
        events.sort(key=lambda event: event["eventTime"])  # stable: a relabel follows its receipt
        return events

    def _base_event(self, event_type, group):
        moment = max(row["date"] for row in group)
        return {
            "type": event_type,
            "eventTime": _timestamp(moment),
            "eventTimeZoneOffset": _offset(moment, group[0]["tz"]),
        }

    def _object_event(self, group, ids):
        """One shipment or receipt: ObjectEvent OBSERVE of the lots' quantities."""
        first = group[0]
        receiving = first["cte"] == CTE_RECEIVING
        company_id = first["company_id"]
        event = self._base_event("ObjectEvent", group)
        event.update(
            {
                "epcList": [],
                "quantityList": ids.quantities(group),
                "action": "OBSERVE",
                "bizStep": "receiving" if receiving else "shipping",
                "disposition": "in_progress" if receiving else "in_transit",
                "readPoint": {
                    "id": ids.location(first["location_id"], first["warehouse_id"], company_id)
                },
            }
        )
        if receiving:
            event["bizLocation"] = {"id": ids.site(first["warehouse_id"], company_id)}
        transactions = [
            {"type": kind, "bizTransaction": ids.transaction(number, company_id)}
            for kind, number in first["documents"]
        ]
        if transactions:
            event["bizTransactionList"] = transactions
        ours = [
            {"type": "owning_party", "id": ids.company_party(company_id)},
            {"type": "location", "id": ids.site(first["warehouse_id"], company_id)},
        ]
        if first.get("other_warehouse_id"):
            theirs = [
                {"type": "owning_party", "id": ids.company_party(company_id)},
                {"type": "location", "id": ids.site(first["other_warehouse_id"], company_id)},
            ]
        elif first["partner_id"]:
            theirs = [
                {"type": "owning_party", "id": ids.party(first["partner_id"], company_id)},
                {"type": "location", "id": ids.address(first["partner_id"], company_id)},
            ]
        else:
            theirs = []
        sources, destinations = (theirs, ours) if receiving else (ours, theirs)
        if sources:
            event["sourceList"] = [{"type": s["type"], "source": s["id"]} for s in sources]
        if destinations:
            event["destinationList"] = [
                {"type": d["type"], "destination": d["id"]} for d in destinations
            ]
        return event

    def _relabel_event(self, rows, ids):
        """Lots received under the code of a supplier not subject to FSMA 204 and given
        their traceability lot code here (21 CFR 1.1345(b)): TransformationEvent from the
        supplier's lot to the new one, with the new lot's master data."""
        first = rows[0]
        company_id = first["company_id"]
        event = self._base_event("TransformationEvent", rows)
        event.update(
            {
                "inputQuantityList": ids.quantities(
                    [dict(row, tlc=row["relabelled_from"]) for row in rows]
                ),
                "outputQuantityList": ids.quantities(rows),
                "bizStep": "commissioning",
                "disposition": "active",
                "readPoint": {
                    "id": ids.location(first["location_id"], first["warehouse_id"], company_id)
                },
                "bizLocation": {"id": ids.site(first["warehouse_id"], company_id)},
            }
        )
        if len({row["lot_id"] for row in rows}) == 1:
            event["ilmd"] = ids.ilmd(first["lot_id"], first["tz"])
        return event

    def _transformation_events(self, group, ids):
        """A manufacturing or unbuild order: one TransformationEvent per lot made, sharing
        the order as transformation id; the inputs go on the first one."""
        first = group[0]
        company_id = first["company_id"]
        inputs = [row for row in group if row["role"] == "input"]
        outputs = defaultdict(list)
        for row in group:
            if row["role"] == "output":
                outputs[row["lot_id"]].append(row)
        order = ids.transaction(first["event_id"], company_id)
        common = {
            "transformationID": order,
            "bizStep": "disassembling" if first["unbuild_id"] else "creating_class_instance",
            "disposition": "active",
            "readPoint": {
                "id": ids.location(first["location_id"], first["warehouse_id"], company_id)
            },
            "bizLocation": {"id": ids.site(first["warehouse_id"], company_id)},
            "bizTransactionList": [{"type": "prodorder", "bizTransaction": order}],
        }
        events = []
        for lot_id, made in outputs.items() or [(None, [])]:
            event = self._base_event("TransformationEvent", made or group)
            if not events and inputs:
                event["inputQuantityList"] = ids.quantities(inputs)
            if made:
                event["outputQuantityList"] = ids.quantities(made)
            event.update(common)
            if lot_id:
                event["ilmd"] = ids.ilmd(lot_id, made[0]["tz"])
            events.append(event)
        return events


def _timestamp(moment):
    """xsd:dateTimeStamp in UTC of a naive UTC datetime."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _offset(moment, tz_name):
    """``+HH:MM`` offset of a time zone at a naive UTC moment."""
    local = pytz.utc.localize(moment).astimezone(pytz.timezone(tz_name or "UTC"))
    minutes = int(local.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# EPCIS event hash (CBV 2.0, section 8.9) ----------------------------------------------

_CBV_PREFIXES = {
    "bizStep": "BizStep-",
    "disposition": "Disp-",
    "bizTransactionList": "BTT-",
    "sourceList": "SDT-",
    "destinationList": "SDT-",
}
_QUANTITY_LISTS = ("quantityList", "inputQuantityList", "outputQuantityList")


def _hash_value(value):
    """A value as the event hash writes it: numbers without trailing zeros, EPC URIs as
    their GS1 Digital Link, other texts stripped."""
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return gs1.epc_to_digital_link(text)
    if not math.isfinite(number):
        return text
    return str(int(number)) if number == int(number) else str(number)


def event_hash_input(event):
    """The pre-hash string of an event of this export (GS1 CBV 2.0 event hash, as its
    reference implementation writes it): ``eventType``, then the fields of the canonical
    order present in the event as ``name=value`` (lists as their name then their elements,
    sorted), CBV values as web URIs, EPC URIs as GS1 Digital Link; then the other fields
    (business transactions, sources, destinations, ILMD) sorted by name."""
    parts = [f"eventType={event['type']}"]
    for key in ("eventTime", "eventTimeZoneOffset"):
        parts.append(f"{key}={event[key]}")
    if event.get("epcList"):
        parts.append("epcList" + "".join(sorted(f"epc={_hash_value(e)}" for e in event["epcList"])))
    for key in _QUANTITY_LISTS:
        if event.get(key):
            elements = []
            for element in event[key]:
                text = f"quantityElementepcClass={_hash_value(element['epcClass'])}"
                text += f"quantity={_hash_value(element['quantity'])}"
                if element.get("uom"):
                    text += f"uom={element['uom']}"
                elements.append(text)
            parts.append(key + "".join(sorted(elements)))
    for key in ("action", "transformationID"):
        if event.get(key):
            parts.append(f"{key}={_hash_value(event[key])}")
    for key in ("bizStep", "disposition"):
        if event.get(key):
            parts.append(f"{key}={CBV}{_CBV_PREFIXES[key]}{event[key]}")
    for key in ("readPoint", "bizLocation"):
        if event.get(key):
            parts.append(f"{key}id={_hash_value(event[key]['id'])}")
    others = []
    for key, item in (
        ("bizTransactionList", "bizTransaction"),
        ("sourceList", "source"),
        ("destinationList", "destination"),
    ):
        if event.get(key):
            elements = sorted(
                f"type={CBV}{_CBV_PREFIXES[key]}{element['type']}"
                f"{item}={_hash_value(element[item])}"
                for element in event[key]
            )
            others.append(key + "".join(elements))
    if event.get("ilmd"):
        others.append(
            "ilmd"
            + "".join(sorted(f"{key}={_hash_value(value)}" for key, value in event["ilmd"].items()))
        )
    return "".join(parts + sorted(others))


def event_hash(event):
    """EPCIS event hash ID of an event: ``ni:///sha-256;<hex>?ver=CBV2.0``."""
    digest = hashlib.sha256(event_hash_input(event).encode()).hexdigest()
    return f"ni:///sha-256;{digest}?ver=CBV2.0"


class _Identifiers:
    """EPCIS identifiers and master data of the products, lots, locations and parties of
    some rows, each read once for all rows. What cannot be named (no GS1 key and no
    private domain) is collected and refused by :meth:`check`."""

    def __init__(self, env, rows):
        self.env = env
        sudo = env(su=True)
        self.missing = set()
        self.lots = sudo["stock.lot"].browse({row["lot_id"] for row in rows})
        self.lots.fetch(["name", "product_id", "expiration_date", "use_date", "origin_country_id"])
        self.products = self.lots.product_id | sudo["product.product"].browse(
            {row["product_id"] for row in rows}
        )
        self.descriptions = {row["product_id"]: row["product_description"] for row in rows}
        self.gtins = {
            product.id: gs1.gtin14_or_none(product.barcode or "") for product in self.products
        }
        self.uoms = {uom.id: uom for uom in sudo["uom.uom"].browse({row["uom_id"] for row in rows})}
        self.count_category = env.ref(COUNT_CATEGORY, raise_if_not_found=False)
        self.locations = {
            loc.id: loc
            for loc in sudo["stock.location"].browse(
                {row["location_id"] for row in rows if row.get("location_id")}
            )
        }
        warehouse_ids = {row["warehouse_id"] for row in rows if row.get("warehouse_id")}
        warehouse_ids |= {row.get("other_warehouse_id") for row in rows} - {None, False}
        self.warehouses = {wh.id: wh for wh in sudo["stock.warehouse"].browse(warehouse_ids)}
        partners = sudo["res.partner"].browse(
            {row["partner_id"] for row in rows if row.get("partner_id")}
        )
        self.partners = {partner.id: partner for partner in partners}
        self.companies = {
            company.id: company
            for company in sudo["res.company"].browse({row["company_id"] for row in rows})
        }
        self._memo = {}
        self._master = {
            VOCABULARY_EPC_CLASS: {},
            VOCABULARY_LOCATION: {},
            VOCABULARY_SOURCE_DEST: {},
        }

    def _cached(self, key, compute):
        """``compute()``, once per key: thousands of events name the same few things."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def check(self):
        """Refuse the export when something could not be named."""
        if self.missing:
            raise UserError(
                self.env._(
                    "The EPCIS export needs a GS1 identifier (a GTIN on products, a GLN as "
                    "barcode of partners and warehouse addresses) or a private identifier "
                    "domain in the settings of the company. Missing for: %s.",
                    ", ".join(sorted(self.missing)),
                )
            )

    def _private(self, company_id, kind, *keys, label=None):
        """``https://<domain>/<kind>/<keys...>`` of the company's identifier domain."""
        company = self.companies.get(company_id) or self.env.company
        domain = company.sudo().lot_identifier_domain
        if not domain:
            self.missing.add(label or company.name)
            return f"https://invalid.invalid/{kind}"
        path = "/".join(quote(str(key), safe="") for key in keys)
        return f"https://{domain}/{kind}/{path}"

    def _prefix(self, company_id):
        company = self.companies.get(company_id) or self.env.company
        return company.sudo().lot_gs1_company_prefix or None

    # classes and quantities -------------------------------------------------------------

    def epc_class(self, product_id, tlc, company_id):
        return self._cached(
            ("class", product_id, tlc), lambda: self._epc_class(product_id, tlc, company_id)
        )

    def _epc_class(self, product_id, tlc, company_id):
        gtin = self.gtins.get(product_id)
        uri = None
        if gtin and tlc:
            try:
                uri = gs1.epc_lot_class(gtin, tlc, self._prefix(company_id))
            except gs1.GS1Error:
                uri = None
        product = self.products.browse(product_id)
        if not uri:
            uri = self._private(
                company_id,
                "class",
                product.default_code or product.name,
                tlc,
                label=product.display_name,
            )
        attributes = [
            {"id": f"{MDA}descriptionShort", "attribute": self.descriptions.get(product_id, "")},
            {"id": f"{MDA}lotNumber", "attribute": tlc},
        ]
        if gtin:
            attributes.append({"id": f"{MDA}gtin", "attribute": gtin})
        self._master[VOCABULARY_EPC_CLASS][uri] = attributes
        return uri

    def quantities(self, rows):
        """quantityList entries, the same lot and unit added up, in first-seen order."""
        totals = {}
        for row in rows:
            quantity, code = self._uom_quantity(row["quantity"], row["uom_id"])
            key = (self.epc_class(row["product_id"], row["tlc"], row["company_id"]), code)
            totals[key] = totals.get(key, 0.0) + quantity
        result = []
        for (epc_class, code), quantity in totals.items():
            element = {"epcClass": epc_class, "quantity": round(quantity, 6)}
            if code:
                element["uom"] = code
            result.append(element)
        return result

    def _uom_quantity(self, quantity, uom_id):
        """(quantity, UN/ECE code) of a quantity in an Odoo unit: a count (Units, Dozens)
        is a bare quantity in units (no code); other units keep their UN/ECE code
        (``uom.uom._get_unece_code``), else are converted to their category's reference."""
        uom = self.uoms[uom_id]
        reference = uom.category_id.uom_ids.filtered(lambda u: u.uom_type == "reference")[:1]
        if uom.category_id == self.count_category:
            return uom._compute_quantity(quantity, reference or uom, round=False), None
        if uom._get_external_ids().get(uom.id):
            return quantity, uom._get_unece_code()
        if reference and reference._get_external_ids().get(reference.id):
            return uom._compute_quantity(quantity, reference, round=False), (
                reference._get_unece_code()
            )
        return quantity, None

    def ilmd(self, lot_id, tz_name):
        """Lot master data (CBV master data attributes) of a lot made here."""
        lot = self.lots.browse(lot_id)
        ilmd = {"cbvmda:lotNumber": lot.name}
        if lot.expiration_date:
            ilmd["cbvmda:itemExpirationDate"] = local_date(lot.expiration_date, tz_name).isoformat()
        if lot.use_date:
            ilmd["cbvmda:bestBeforeDate"] = local_date(lot.use_date, tz_name).isoformat()
        if lot.origin_country_id:
            ilmd["cbvmda:countryOfOrigin"] = lot.origin_country_id.code
        return ilmd

    # locations, parties, transactions ----------------------------------------------------

    def _remember(self, vocabulary, uri, name, address):
        attributes = [{"id": f"{MDA}name", "attribute": name}]
        for key, value in (
            ("streetAddressOne", address.street),
            ("streetAddressTwo", address.street2),
            ("city", address.city),
            ("state", address.state_id.code),
            ("postalCode", address.zip),
            ("countryCode", address.country_id.code),
            ("telephone", address.phone),
        ):
            if value:
                attributes.append({"id": f"{MDA}{key}", "attribute": value})
        self._master[vocabulary][uri] = attributes
        return uri

    def location(self, location_id, warehouse_id, company_id):
        """The stock location: its own GLN, else its warehouse (site)."""
        return self._cached(
            ("location", location_id, warehouse_id, company_id),
            lambda: self._location(location_id, warehouse_id, company_id),
        )

    def _location(self, location_id, warehouse_id, company_id):
        location = self.locations.get(location_id)
        gln = gs1.gln_or_none(location.barcode) if location else None
        if not gln:
            return self.site(warehouse_id, company_id)
        warehouse = self.warehouses.get(warehouse_id) or location.warehouse_id
        return self._remember(
            VOCABULARY_LOCATION,
            gs1.sgln(gln, "0", self._prefix(company_id)),
            location.complete_name,
            warehouse.partner_id or self.companies[company_id].partner_id,
        )

    def site(self, warehouse_id, company_id):
        """The warehouse (business location), by the GLN of its address."""
        return self._cached(
            ("site", warehouse_id, company_id), lambda: self._site(warehouse_id, company_id)
        )

    def _site(self, warehouse_id, company_id):
        warehouse = self.warehouses.get(warehouse_id)
        if warehouse:
            company_id = warehouse.company_id.id
            self.companies.setdefault(company_id, warehouse.company_id)
            address = warehouse.partner_id or warehouse.company_id.partner_id
            name = f"{warehouse.company_id.name} ({warehouse.name})"
            key = warehouse.code
        else:
            address = self.companies[company_id].partner_id
            name, key = address.name, "main"
        gln = gs1.gln_or_none(address.barcode)
        uri = (
            gs1.sgln(gln, "0", self._prefix(company_id))
            if gln
            else self._private(company_id, "location", key, label=name)
        )
        return self._remember(VOCABULARY_LOCATION, uri, name, address)

    def company_party(self, company_id):
        def compute():
            partner = self.companies[company_id].partner_id
            gln = gs1.gln_or_none(partner.barcode)
            uri = (
                gs1.pgln(gln, self._prefix(company_id))
                if gln
                else self._private(company_id, "party", partner.name, label=partner.name)
            )
            return self._remember(VOCABULARY_SOURCE_DEST, uri, partner.name, partner)

        return self._cached(("company", company_id), compute)

    def party(self, partner_id, company_id):
        """The owning party: the commercial partner of the transfer's partner (named under
        the prefix and domain of the exporting company)."""

        def compute():
            partner = self.partners[partner_id].commercial_partner_id
            gln = gs1.gln_or_none(partner.barcode)
            uri = (
                gs1.pgln(gln, self._prefix(company_id))
                if gln
                else self._private(
                    company_id, "party", partner.ref or partner.name, label=partner.name
                )
            )
            return self._remember(VOCABULARY_SOURCE_DEST, uri, partner.name, partner)

        return self._cached(("party", partner_id, company_id), compute)

    def address(self, partner_id, company_id):
        """The address goods were shipped to or came from."""

        def compute():
            partner = self.partners[partner_id]
            gln = gs1.gln_or_none(partner.barcode)
            uri = (
                gs1.sgln(gln, "0", self._prefix(company_id))
                if gln
                else self._private(
                    company_id, "location", "partner", partner.complete_name,
                    label=partner.complete_name,
                )
            )  # fmt: skip
            return self._remember(VOCABULARY_SOURCE_DEST, uri, partner.complete_name, partner)

        return self._cached(("address", partner_id, company_id), compute)

    def transaction(self, document, company_id):
        """A business document: ``urn:epcglobal:cbv:bt:<company GLN>:<document>`` (the
        document's characters outside a URN replaced by ``-``, never percent-escaped) when
        the company has a GLN, else a private URI."""
        document = _BT_UNSAFE.sub("-", document.strip())
        gln = gs1.gln_or_none(self.companies[company_id].partner_id.barcode)
        if gln:
            return f"urn:epcglobal:cbv:bt:{gln}:{document}"
        return self._private(company_id, "bt", document, label=self.companies[company_id].name)

    def master_data(self):
        """epcisMasterData vocabularies of everything named in the events."""
        return [
            {
                "type": vocabulary,
                "vocabularyElementList": [
                    {"id": uri, "attributes": attributes} for uri, attributes in elements.items()
                ],
            }
            for vocabulary, elements in self._master.items()
            if elements
        ]
