from collections import defaultdict
from urllib.parse import quote

import pytz
from odoo import api, fields, models
from odoo.addons.lot_fefo.tools.expiry import local_date
from odoo.addons.lot_traceability.tools import gs1

from .lot_fsma_export import CTE_RECEIVING, CTE_TRANSFORMATION, gln_or_none

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
# System parameters (Settings > Technical > System Parameters).
PARAM_PREFIXES = "lot_recall.gs1_company_prefixes"
PARAM_PREFIX_LENGTH = "lot_recall.gs1_company_prefix_length"
PARAM_IDENTIFIER_BASE = "lot_recall.epcis_identifier_base"
DEFAULT_PREFIX_LENGTH = 7

# UN/CEFACT Recommendation 20 codes of Odoo's units; a quantity in "Units" is a count and
# has no unit in EPCIS. Other units are converted to their category's reference unit.
UOM_CODES = {
    "uom.product_uom_unit": None,
    "uom.product_uom_dozen": "DZN",
    "uom.product_uom_kgm": "KGM",
    "uom.product_uom_gram": "GRM",
    "uom.product_uom_ton": "TNE",
    "uom.product_uom_lb": "LBR",
    "uom.product_uom_oz": "ONZ",
    "uom.product_uom_litre": "LTR",
    "uom.product_uom_cubic_meter": "MTQ",
    "uom.product_uom_floz": "OZA",
    "uom.product_uom_qt": "QTL",
    "uom.product_uom_gal": "GLL",
    "uom.product_uom_cubic_inch": "INQ",
    "uom.product_uom_cubic_foot": "FTQ",
    "uom.product_uom_meter": "MTR",
    "uom.product_uom_cm": "CMT",
    "uom.product_uom_millimeter": "MMT",
    "uom.product_uom_km": "KMT",
    "uom.product_uom_inch": "INH",
    "uom.product_uom_foot": "FOT",
    "uom.product_uom_yard": "YRD",
    "uom.product_uom_mile": "SMI",
    "uom.product_uom_hour": "HUR",
    "uom.product_uom_day": "DAY",
}
# Characters of a lot number escaped in an EPC URI (GS1 Tag Data Standard, table A-1).
_URI_ESCAPES = {'"': "%22", "%": "%25", "&": "%26", "/": "%2F", "<": "%3C", ">": "%3E", "?": "%3F"}


class LotEpcisExport(models.AbstractModel):
    """GS1 EPCIS 2.0 JSON-LD document of the critical tracking events of lots.

    Built from :meth:`lot.fsma.export._events`: receipts from vendors are ObjectEvents with
    action ADD (the lot enters this company's records under its traceability lot code) and
    the lot's master data in ``ilmd``; other receipts (customer returns, other companies)
    and shipments are ObjectEvents with action OBSERVE, one per transfer; a manufacturing
    or unbuild order is one TransformationEvent per lot it made (all sharing the order as
    ``transformationID``, the inputs on the first), with the made lot's ``ilmd``.
    Quantities are lot-level (``quantityList`` of ``epcClass``, ``quantity``, ``uom``).

    Identifiers: ``urn:epc:class:lgtin`` (lot of a GTIN), ``urn:epc:id:sgln`` and
    ``urn:epc:id:pgln`` (locations and parties with a GLN) when the product barcode, the
    stock location's or partner's barcode is a valid GTIN or 13-digit GLN, split after the
    GS1 company prefix (system parameters ``lot_recall.gs1_company_prefixes``, a comma
    separated list of known prefixes, else ``lot_recall.gs1_company_prefix_length``,
    default 7 digits). Everything else gets a private HTTP URI under
    ``lot_recall.epcis_identifier_base`` (default ``<web.base.url>/epcis``):
    ``.../class/<product id>/<lot>``, ``.../location/<stock location id>``,
    ``.../warehouse/<warehouse id>``, ``.../party/<partner id>``,
    ``.../address/<partner id>`` and ``.../bt/<document>``.
    """

    _name = "lot.epcis.export"
    _description = "EPCIS 2.0 traceability document"

    @api.model
    def _document(self, lot_ids, date_from=None, date_to=None):
        """EPCIS 2.0 document (a JSON-serialisable dict) of the lots' tracking events.

        Same lots, periods and access rules as :meth:`lot.fsma.export._events`.
        """
        rows = self.env["lot.fsma.export"]._events(lot_ids, date_from, date_to)
        return {
            "@context": EPCIS_CONTEXT,
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": _timestamp(fields.Datetime.now()),
            "epcisBody": {"eventList": self._event_list(rows)},
        }

    def _event_list(self, rows):
        if not rows:
            return []
        ids = _Identifiers(self.env, rows)
        groups = defaultdict(list)
        for row in rows:
            if row["cte"] == CTE_RECEIVING and row["src_usage"] == "supplier":
                key = ("add", row["event_id"], row["lot_id"])
            else:
                key = (row["cte"], row["event_id"])
            groups[key].append(row)
        events = []
        for key, group in groups.items():
            cte = group[0]["cte"]
            if cte == CTE_TRANSFORMATION:
                events.extend(self._transformation_events(group, ids))
            else:
                events.append(self._object_event(group, ids, add=key[0] == "add"))
        events.sort(key=lambda event: (event["eventTime"], event.get("bizStep", "")))
        return events

    def _base_event(self, event_type, group):
        moment = max(row["date"] for row in group)
        return {
            "type": event_type,
            "eventTime": _timestamp(moment),
            "eventTimeZoneOffset": _offset(moment, group[0]["tz"]),
        }

    def _object_event(self, group, ids, add=False):
        """One shipment or receipt: ObjectEvent with the lots' quantities."""
        first = group[0]
        receiving = first["cte"] == CTE_RECEIVING
        event = self._base_event("ObjectEvent", group)
        event.update(
            {
                "epcList": [],
                "action": "ADD" if add else "OBSERVE",
                "bizStep": "receiving" if receiving else "shipping",
                "disposition": ("active" if add else "in_progress") if receiving else "in_transit",
                "readPoint": {"id": ids.location(first["location_id"], first["warehouse_id"])},
            }
        )
        if receiving:
            event["bizLocation"] = {"id": ids.site(first["warehouse_id"], first["company_id"])}
        event["quantityList"] = ids.quantities(group)
        transactions = [
            {
                "type": "recadv" if receiving else "desadv",
                "bizTransaction": ids.transaction(first["reference_number"], first["company_id"]),
            }
        ]
        if first["source_document"]:
            transactions.append(
                {
                    "type": "po",
                    "bizTransaction": ids.transaction(
                        first["source_document"], first["company_id"]
                    ),
                }
            )
        event["bizTransactionList"] = transactions
        ours = [
            {"type": "owning_party", "id": ids.company_party(first["company_id"])},
            {"type": "location", "id": ids.site(first["warehouse_id"], first["company_id"])},
        ]
        theirs = []
        if first["partner_id"]:
            theirs = [
                {"type": "owning_party", "id": ids.party(first["partner_id"])},
                {"type": "location", "id": ids.address(first["partner_id"])},
            ]
        sources, destinations = (theirs, ours) if receiving else (ours, theirs)
        if sources:
            event["sourceList"] = [{"type": s["type"], "source": s["id"]} for s in sources]
        if destinations:
            event["destinationList"] = [
                {"type": d["type"], "destination": d["id"]} for d in destinations
            ]
        if add:
            event["ilmd"] = ids.ilmd(first["lot_id"], first["tz"])
        return event

    def _transformation_events(self, group, ids):
        """A manufacturing or unbuild order: one TransformationEvent per lot made, sharing
        the order as transformation id; the inputs go on the first one."""
        first = group[0]
        inputs = [row for row in group if row["role"] == "input"]
        outputs = defaultdict(list)
        for row in group:
            if row["role"] == "output":
                outputs[row["lot_id"]].append(row)
        common = {
            "transformationID": ids.transaction(first["event_id"], first["company_id"]),
            "bizStep": "creating_class_instance",
            "disposition": "active",
            "readPoint": {"id": ids.location(first["location_id"], first["warehouse_id"])},
            "bizLocation": {"id": ids.site(first["warehouse_id"], first["company_id"])},
            "bizTransactionList": [
                {
                    "type": "prodorder",
                    "bizTransaction": ids.transaction(first["event_id"], first["company_id"]),
                }
            ],
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


def _split_prefix(digits, prefixes, length):
    """(company prefix, rest) of a GS1 key's digits (without indicator or check digit)."""
    for prefix in prefixes:
        if digits.startswith(prefix):
            return prefix, digits[len(prefix) :]
    return digits[:length], digits[length:]


class _Identifiers:
    """EPCIS identifiers of the products, lots, locations and parties of some rows, each
    read once for all rows."""

    def __init__(self, env, rows):
        self.env = env
        sudo = env(su=True)
        params = sudo["ir.config_parameter"]
        base = params.get_param(PARAM_IDENTIFIER_BASE) or (
            (params.get_param("web.base.url") or "http://localhost").rstrip("/") + "/epcis"
        )
        self.base = base.rstrip("/")
        self.prefixes = sorted(
            (
                prefix.strip()
                for prefix in (params.get_param(PARAM_PREFIXES) or "").split(",")
                if prefix.strip().isdigit()
            ),
            key=len,
            reverse=True,
        )
        try:
            length = int(params.get_param(PARAM_PREFIX_LENGTH) or DEFAULT_PREFIX_LENGTH)
        except ValueError:
            length = DEFAULT_PREFIX_LENGTH
        self.prefix_length = min(max(length, 6), 12)

        self.lots = sudo["stock.lot"].browse({row["lot_id"] for row in rows})
        self.lots.fetch(["name", "product_id", "expiration_date", "use_date", "origin_country_id"])
        self.products = self.lots.product_id | sudo["product.product"].browse(
            {row["product_id"] for row in rows}
        )
        self.gtins = {
            product.id: gs1.gtin14_or_none(product.barcode or "") for product in self.products
        }
        uoms = sudo["uom.uom"].browse({row["uom_id"] for row in rows})
        codes = {}
        for xmlid, code in UOM_CODES.items():
            uom = env.ref(xmlid, raise_if_not_found=False)
            if uom:
                codes[uom.id] = code
        self.uom_codes = codes
        self.uoms = {uom.id: uom for uom in uoms}
        locations = sudo["stock.location"].browse(
            {row["location_id"] for row in rows if row.get("location_id")}
        )
        self.location_glns = {loc.id: gln_or_none(loc.barcode) for loc in locations}
        warehouses = sudo["stock.warehouse"].browse(
            {row["warehouse_id"] for row in rows if row.get("warehouse_id")}
        )
        self.warehouse_glns = {
            wh.id: gln_or_none((wh.partner_id or wh.company_id.partner_id).barcode)
            for wh in warehouses
        }
        partners = sudo["res.partner"].browse(
            {row["partner_id"] for row in rows if row.get("partner_id")}
        )
        partners.fetch(["barcode", "commercial_partner_id"])
        commercials = partners.commercial_partner_id
        commercials.fetch(["barcode"])
        self.partner_glns = {partner.id: gln_or_none(partner.barcode) for partner in partners}
        self.commercial = {partner.id: partner.commercial_partner_id.id for partner in partners}
        self.commercial_glns = {p.id: gln_or_none(p.barcode) for p in commercials}
        companies = sudo["res.company"].browse({row["company_id"] for row in rows})
        self.company_partners = {
            company.id: (company.partner_id.id, gln_or_none(company.partner_id.barcode))
            for company in companies
        }
        self._memo = {}

    def _cached(self, key, compute):
        """``compute()``, once per key: thousands of events name the same few things."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    # keys and classes ---------------------------------------------------------------

    def _key(self, gs1_digits):
        return _split_prefix(gs1_digits, self.prefixes, self.prefix_length)

    def epc_class(self, product_id, lot_name):
        return self._cached(
            ("class", product_id, lot_name), lambda: self._epc_class(product_id, lot_name)
        )

    def _epc_class(self, product_id, lot_name):
        gtin = self.gtins.get(product_id)
        if gtin and lot_name and _valid_lot(lot_name):
            prefix, item = self._key(gtin[1:13])
            escaped = "".join(_URI_ESCAPES.get(char, char) for char in lot_name)
            return f"urn:epc:class:lgtin:{prefix}.{gtin[0]}{item}.{escaped}"
        return f"{self.base}/class/{product_id}/{quote(lot_name or '', safe='')}"

    def quantities(self, rows):
        """quantityList entries, the same lot and unit added up, in first-seen order."""
        totals = {}
        for row in rows:
            quantity, code = self._uom_quantity(row["quantity"], row["uom_id"])
            key = (self.epc_class(row["product_id"], row["tlc"]), code)
            totals[key] = totals.get(key, 0.0) + quantity
        result = []
        for (epc_class, code), quantity in totals.items():
            element = {"epcClass": epc_class, "quantity": round(quantity, 6)}
            if code:
                element["uom"] = code
            result.append(element)
        return result

    def _uom_quantity(self, quantity, uom_id):
        """(quantity, UN/CEFACT code or None for a count) of a quantity in an Odoo unit."""
        if uom_id in self.uom_codes:
            return quantity, self.uom_codes[uom_id]
        uom = self.uoms[uom_id]
        reference = uom.category_id.uom_ids.filtered(lambda u: u.uom_type == "reference")[:1]
        if reference and reference.id in self.uom_codes:
            return uom._compute_quantity(quantity, reference, round=False), self.uom_codes[
                reference.id
            ]
        return quantity, None

    def ilmd(self, lot_id, tz_name):
        """Lot master data (CBV master data attributes) of a lot made or first received."""
        lot = self.lots.browse(lot_id)
        ilmd = {"cbvmda:lotNumber": lot.name}
        if lot.expiration_date:
            ilmd["cbvmda:itemExpirationDate"] = local_date(lot.expiration_date, tz_name).isoformat()
        if lot.use_date:
            ilmd["cbvmda:bestBeforeDate"] = local_date(lot.use_date, tz_name).isoformat()
        if lot.origin_country_id:
            ilmd["cbvmda:countryOfOrigin"] = lot.origin_country_id.code
        return ilmd

    # locations, parties, transactions --------------------------------------------------

    def _sgln(self, gln, extension="0"):
        prefix, reference = self._key(gln[:12])
        return f"urn:epc:id:sgln:{prefix}.{reference}.{extension}"

    def _pgln(self, gln):
        prefix, reference = self._key(gln[:12])
        return f"urn:epc:id:pgln:{prefix}.{reference}"

    def location(self, location_id, warehouse_id):
        """The stock location: its own GLN, else its warehouse's GLN with the location id as
        extension, else a private URI."""
        gln = self.location_glns.get(location_id)
        if gln:
            return self._sgln(gln)
        gln = self.warehouse_glns.get(warehouse_id)
        if gln:
            return self._sgln(gln, str(location_id))
        return f"{self.base}/location/{location_id}"

    def site(self, warehouse_id, company_id):
        """The warehouse (business location)."""
        gln = self.warehouse_glns.get(warehouse_id)
        if gln:
            return self._sgln(gln)
        if warehouse_id:
            return f"{self.base}/warehouse/{warehouse_id}"
        return self.company_party(company_id)

    def company_party(self, company_id):
        partner_id, gln = self.company_partners[company_id]
        return self._pgln(gln) if gln else f"{self.base}/party/{partner_id}"

    def party(self, partner_id):
        """The owning party: the commercial partner of the transfer's partner."""
        commercial_id = self.commercial[partner_id]
        gln = self.commercial_glns[commercial_id]
        return self._pgln(gln) if gln else f"{self.base}/party/{commercial_id}"

    def address(self, partner_id):
        """The address goods were shipped to or came from."""
        gln = self.partner_glns[partner_id]
        return self._sgln(gln) if gln else f"{self.base}/address/{partner_id}"

    def transaction(self, document, company_id):
        """A business document: ``urn:epcglobal:cbv:bt:<company GLN>:<document>`` when the
        company has a GLN, else a private URI."""
        gln = self.company_partners[company_id][1]
        if gln:
            return f"urn:epcglobal:cbv:bt:{gln}:{quote(document, safe='')}"
        return f"{self.base}/bt/{quote(document, safe='')}"


def _valid_lot(name):
    """A lot number an EPC class URI can carry: GS1 AI (10) characters, 20 at most."""
    try:
        gs1.format_element_string(lot=name)
    except gs1.GS1Error:
        return False
    return True
