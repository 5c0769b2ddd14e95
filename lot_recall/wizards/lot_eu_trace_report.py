import base64
import datetime

from odoo import Command, api, fields, models
from odoo.addons.base.models.res_partner import _lang_get
from odoo.addons.lot_traceability.tools import timezones
from odoo.addons.lot_traceability.tools.move_kinds import (
    CUSTOMER_RETURN_KINDS,
    DELIVERY_KINDS,
    MOVEMENT_KINDS,
    RECEIPT_KINDS,
    SUPPLIER_RETURN_KINDS,
    classify_lines,
    kind_sql,
)
from odoo.addons.lot_traceability.tools.spreadsheet import XlsxSheet, csv_bytes, xlsx_bytes
from odoo.addons.lot_traceability.tools.timezones import day_start_utc, local_date
from odoo.exceptions import UserError
from odoo.tools import SQL

REPORT_FORMATS = [
    ("pdf", "PDF for the authority"),
    ("xlsx", "Spreadsheet (XLSX)"),
    ("csv", "Spreadsheet (CSV)"),
]

# Which side of a lot a movement of each kind (lot_traceability's one classification,
# tools/move_kinds.py) is on: "back" (the supplier, or other company, the lot came from),
# "forward" (the customer it went to), or both (a dropship goes from a supplier straight to
# a customer, its return back). Other kinds stay inside the company.
KIND_STEPS = {
    kind: steps
    for kind, _label in MOVEMENT_KINDS
    if (
        steps := tuple(
            step
            for step, kinds in (
                ("back", RECEIPT_KINDS + SUPPLIER_RETURN_KINDS),
                ("forward", DELIVERY_KINDS + CUSTOMER_RETURN_KINDS),
            )
            if kind in kinds
        )
    )
}
STEP_ORDER = {"back": 0, "both": 1, "internal": 2, "forward": 3}
# Kinds whose goods leave the company (its address is the consignor's).
OUTGOING_KINDS = ("supplier_return", "delivery", "intercompany_out")

# Details of the movements read in one query: unit and quantity as recorded on the line,
# company, warehouses of both locations, packaging, document and its origin.
_DETAILS_SQL = """
SELECT ml.id, ml.quantity, ml.product_uom_id, ml.product_id, ml.company_id, ml.picking_id,
       ml.reference, src.warehouse_id AS src_warehouse_id, dst.warehouse_id AS dst_warehouse_id,
       m.product_packaging_id, p.name AS picking_name, p.origin
  FROM stock_move_line ml
  JOIN stock_location src ON src.id = ml.location_id
  JOIN stock_location dst ON dst.id = ml.location_dest_id
  LEFT JOIN stock_move m ON m.id = ml.move_id
  LEFT JOIN stock_picking p ON p.id = ml.picking_id
 WHERE ml.id = ANY(%(ids)s) AND ml.company_id = ANY(%(company_ids)s)
"""

# Done lines of the chosen products recorded without a lot, to or from a partner (their
# partners are added by ``classify_lines``).
_LINES_WITHOUT_LOT_SQL = f"""
SELECT ml.id, ml.lot_id, ml.date, ml.picking_id, ml.reference, ml.move_id,
       {kind_sql()} AS kind
  FROM stock_move_line ml
  JOIN stock_location src ON src.id = ml.location_id
  JOIN stock_location dst ON dst.id = ml.location_dest_id
 WHERE ml.product_id = ANY(%(product_ids)s) AND ml.lot_id IS NULL AND ml.state = 'done'
   AND ml.company_id = ANY(%(company_ids)s)
   AND (src.usage IN ('supplier', 'customer') OR dst.usage IN ('supplier', 'customer'))
   AND ml.date >= %(start)s AND ml.date < %(end)s
"""

_PARTNERS_SQL = """
SELECT p.id, p.complete_name, p.street, p.street2, p.zip, p.city, st.name AS state,
       %(country)s AS country
  FROM res_partner p
  LEFT JOIN res_country_state st ON st.id = p.state_id
  LEFT JOIN res_country c ON c.id = p.country_id
 WHERE p.id = ANY(%(ids)s)
"""


class LotEuTraceReport(models.TransientModel):
    """EU traceability report, "one step back, one step forward" (Regulation (EC)
    178/2002 art. 18; data of Implementing Regulation (EU) 931/2011): for each lot, the
    suppliers it came from and the customers it went to, with the description of the food,
    quantity and unit, names and addresses of consignor and consignee, lot reference, date
    and document. Inside the company, transformations are only the link between input and
    output lots. Printed as a PDF for the authority or exported as a spreadsheet."""

    _name = "lot.eu.trace.report"
    _description = "EU Traceability Report (One Step Back, One Step Forward)"

    recall_id = fields.Many2one(
        "lot.recall",
        readonly=True,
        help="Recall whose lots are reported: the recalled lots, what they were made from "
        "and what was made from them.",
    )
    lot_ids = fields.Many2many(
        "stock.lot",
        "lot_eu_trace_report_lot_rel",
        string="Lots",
        help="Lots reported, with what they were made from and what was made from them.",
    )
    product_ids = fields.Many2many(
        "product.product",
        "lot_eu_trace_report_product_rel",
        string="Products",
        help="Every lot of these products is reported too, and their lines recorded without a lot.",
    )
    date_from = fields.Date(string="From", help="First day of the movements, included.")
    date_to = fields.Date(string="To", help="Last day of the movements, included.")
    lang = fields.Selection(
        _lang_get,
        string="Language",
        required=True,
        default=lambda self: self._default_lang(),
        help="Language of the report: the company's by default.",
    )
    report_format = fields.Selection(REPORT_FORMATS, string="Format", required=True, default="pdf")
    file_data = fields.Binary(string="File", readonly=True, attachment=False)
    file_name = fields.Char(readonly=True)
    row_count = fields.Integer(string="Lines", readonly=True)
    warning_count = fields.Integer(
        string="Warnings",
        readonly=True,
        help="Lines with missing data (an address, a lot or a date), marked in the report.",
    )

    @api.model
    def _default_lang(self):
        """The company's language, else the user's, when installed."""
        installed = dict(self.env["res.lang"].get_installed())
        for lang in (self.env.company.partner_id.lang, self.env.user.lang):
            if lang in installed:
                return lang
        return next(iter(installed), False)

    @api.model
    def _open_for_lots(self, lots, recall=None):
        """Window action of the report dialog, prefilled with the lots (and the recall).

        :param lots: ``stock.lot`` recordset
        :param recall: optional ``lot.recall`` the report is made for
        """
        lots.check_access("read")
        if recall:
            recall.check_access("read")
        wizard = self.create(
            {"lot_ids": [Command.set(lots.ids)], "recall_id": recall.id if recall else False}
        )
        return wizard._reopen()

    def _reopen(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("EU Traceability Report"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def action_print(self):
        """The PDF for the authority, or the spreadsheet file, of the chosen lots."""
        self.ensure_one()
        if self.report_format == "pdf":
            report = self._in_report_company()
            report._date_bounds()
            report._root_lots()
            return self.env.ref("lot_recall.action_report_lot_eu_trace").report_action(self)
        data = self._report_data()
        report = self.with_context(lang=self.lang)
        content = report._xlsx(data) if self.report_format == "xlsx" else report._csv(data)
        self.write(
            {
                "file_data": base64.b64encode(content),
                "file_name": self._file_name(),
                "row_count": len(data["rows"]),
                "warning_count": data["warning_count"],
            }
        )
        return self._reopen()

    def _file_name(self):
        if self.recall_id:
            subject = self.recall_id.name
        elif len(self.lot_ids) == 1 and not self.product_ids:
            subject = self.lot_ids.name
        else:
            subject = "lots"
        days = "-".join(day.isoformat() for day in (self.date_from, self.date_to) if day)
        parts = ["eu-traceability", subject, days or fields.Date.context_today(self).isoformat()]
        name = "-".join(part for part in parts if part).replace("/", "-").replace(" ", "_")
        return f"{name}.{self.report_format}"

    # ------------------------------------------------------------------ data

    def _in_report_company(self):
        """This report in the recall's company (a recall keeps to its company), else in the
        user's allowed companies."""
        self.ensure_one()
        if self.recall_id:
            return self.with_context(allowed_company_ids=self.recall_id.company_id.ids)
        return self

    def _root_lots(self):
        """The lots asked for: the recall's recalled lots, else the chosen lots and every
        lot of the chosen products; the user must be allowed to read them."""
        self.ensure_one()
        if self.recall_id:
            self.recall_id.check_access("read")
            self.recall_id._check_scoped()
            lots = self.recall_id.scope_lot_ids
        else:
            if not (self.lot_ids or self.product_ids):
                raise UserError(self.env._("Choose the lots or the products to report."))
            lots = self.lot_ids
            if self.product_ids:
                lots |= self.env["stock.lot"].search([("product_id", "in", self.product_ids.ids)])
        lots.check_access("read")
        return lots

    def _date_bounds(self):
        """Naive UTC [start, end) of the chosen days, read in the user's time zone."""
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise UserError(self.env._("The first day must be before the last day."))
        tz = (
            self.env.context.get("tz") or self.env.user.tz or timezones.company_tz(self.env.company)
        )
        start = day_start_utc(self.date_from, tz) if self.date_from else datetime.datetime.min
        end = (
            day_start_utc(self.date_to + datetime.timedelta(days=1), tz)
            if self.date_to
            else datetime.datetime.max
        )
        return start, end

    def _report_data(self):
        """Everything the PDF and the spreadsheets show, computed set-based, in the
        report's language and companies.

        :return: dict with ``lots`` (one dict per lot: ``name``, ``product``,
            ``supplier_lot``, ``made_from``, ``used_in``, ``rows``), ``rows`` (every line of
            every lot, flat, with the keys of :meth:`_columns`), ``warnings`` (distinct
            texts), ``warning_count`` (lines with a warning), ``company``, ``recall``,
            ``date_from``, ``date_to``, ``printed`` (local date)
        """
        self.ensure_one()
        report = self._in_report_company().with_context(lang=self.lang)
        return report._compute_report_data()

    def _compute_report_data(self):
        env = self.env
        env.flush_all()  # lines, moves, pickings, orders and partners are read in SQL
        start, end = self._date_bounds()
        roots = self._root_lots()
        genealogy = env["lot.genealogy"]
        downstream = genealogy.trace(roots.ids, "downstream")
        upstream = genealogy.trace(roots.ids, "upstream")
        forward_lots = {row["lot_id"]: row["depth"] for row in downstream["lots"]}
        back_lots = {row["lot_id"]: row["depth"] for row in upstream["lots"]}

        # One step back for every lot and what it was made from, one step forward for every
        # lot and what was made from it.
        seen, movements = set(), []
        reported_lots = forward_lots.keys() | back_lots.keys()
        for movement in downstream["movements"] + upstream["movements"]:
            steps = KIND_STEPS.get(movement["kind"], ())
            lot_id = movement["lot_id"]
            if movement["id"] in seen or not (
                ("back" in steps and lot_id in reported_lots)
                or ("forward" in steps and lot_id in forward_lots)
            ):
                continue
            seen.add(movement["id"])
            if movement["date"] and not start <= movement["date"] < end:
                continue
            movements.append(movement)
        if self.product_ids and not self.recall_id:
            movements += classify_lines(
                env,
                [
                    line
                    for line in env.execute_query_dict(
                        SQL(
                            _LINES_WITHOUT_LOT_SQL,
                            product_ids=self.product_ids.ids,
                            company_ids=env.companies.ids,
                            start=start,
                            end=end,
                        )
                    )
                    if line["kind"] in KIND_STEPS
                ],
            )
        details = {
            row["id"]: row
            for row in env.execute_query_dict(
                SQL(
                    _DETAILS_SQL,
                    ids=[movement["id"] for movement in movements],
                    company_ids=env.companies.ids,
                )
            )
        }
        movements = [movement for movement in movements if movement["id"] in details]

        links = {}
        for edge in downstream["edges"] + upstream["edges"]:
            links.setdefault(edge["out_lot"], [set(), set()])[0].add(edge["in_lot"])
            links.setdefault(edge["in_lot"], [set(), set()])[1].add(edge["out_lot"])
        lot_names = {
            lot.id: lot.name for lot in env(su=True)["stock.lot"].browse(reported_lots | set(links))
        }
        # What the lots were made from (deepest first), the lots, what was made from them.
        lot_order = sorted(
            reported_lots & lot_names.keys(),
            key=lambda lot_id: (
                -back_lots[lot_id] if lot_id in back_lots else forward_lots[lot_id],
                lot_names[lot_id],
            ),
        )
        places = _Places(self, movements, details)

        lines = self._group_lines(movements, details, places)
        lot_sections, rows = [], []
        for lot in env(su=True)["stock.lot"].browse(lot_order):
            made_from, used_in = links.get(lot.id, (set(), set()))
            section = {
                "name": lot.name,
                "product": lot.product_id.display_name,
                "supplier_lot": lot.supplier_lot or "",
                "made_from": ", ".join(sorted(lot_names[lot_id] for lot_id in made_from)),
                "used_in": ", ".join(sorted(lot_names[lot_id] for lot_id in used_in)),
                "rows": lines.pop(lot.id, []),
            }
            if section["made_from"] or section["used_in"]:
                section["rows"].append(self._transformation_row(lot, section))
            section["rows"].sort(key=lambda row: STEP_ORDER[row["step_key"]])
            lot_sections.append(section)
            rows += section["rows"]
        without_lot = lines.pop(False, [])
        if without_lot:
            lot_sections.append(
                {
                    "name": self.env._("No lot"),
                    "product": "",
                    "supplier_lot": "",
                    "made_from": "",
                    "used_in": "",
                    "rows": without_lot,
                }
            )
            rows += without_lot
        if not lot_sections:
            raise UserError(
                self.env._("These products have no lot and no receipt or delivery to report.")
            )
        warnings = list(dict.fromkeys(text for row in rows for text in row["warning_list"]))
        company = self.recall_id.company_id or env.company
        return {
            "lots": lot_sections,
            "rows": rows,
            "warnings": warnings,
            "warning_count": len([row for row in rows if row["warning_list"]]),
            "company": company,
            "company_address": places.address_text(company.partner_id.id),
            "recall": self.recall_id,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "printed": fields.Date.context_today(self),
        }

    def _group_lines(self, movements, details, places):
        """{lot id (False without lot): [row]}: the movements of one lot, kind, counterpart,
        document, unit and packaging summed into one row, in date order."""
        env = self.env(su=True)
        kinds = {
            "receipt": self.env._("Receipt"),
            "supplier_return": self.env._("Return to supplier"),
            "delivery": self.env._("Delivery"),
            "customer_return": self.env._("Customer return"),
            "dropship": self.env._("Dropship"),
            "dropship_return": self.env._("Dropship return"),
            "intercompany_in": self.env._("Received from another company"),
            "intercompany_out": self.env._("Shipped to another company"),
        }
        groups = {}
        for movement in sorted(movements, key=lambda m: m["date"] or datetime.datetime.min):
            detail = details[movement["id"]]
            key = (
                movement["lot_id"] or False,
                movement["kind"],
                movement["partner_id"] or False,
                detail["picking_id"] or detail["reference"],
                detail["product_uom_id"],
                detail["product_packaging_id"],
            )
            group = groups.get(key)
            if group:
                group["quantity"] += detail["quantity"]
                group["date"] = movement["date"] or group["date"]  # the last, in date order
            else:
                groups[key] = {
                    "movement": movement,
                    "detail": detail,
                    "quantity": detail["quantity"],
                    "date": movement["date"],
                }
        products = env["product.product"].browse({d["product_id"] for d in details.values()})
        uoms = env["uom.uom"].browse({d["product_uom_id"] for d in details.values()})
        packagings = env["product.packaging"].browse(
            {d["product_packaging_id"] for d in details.values()} - {None}
        )
        lots = env["stock.lot"].browse({m["lot_id"] for m in movements} - {None, False})
        names = {
            "product": {product.id: product.display_name for product in products},
            "uom": {uom.id: uom.name for uom in uoms},
            "packaging": {packaging.id: packaging.name for packaging in packagings},
            "lot": {lot.id: (lot.name, lot.supplier_lot or "") for lot in lots},
        }
        step_labels = {
            "back": self.env._("Supplier (one step back)"),
            "forward": self.env._("Customer (one step forward)"),
            "both": self.env._("Supplier and customer (dropship)"),
        }
        lines = {}
        for group in groups.values():
            movement, detail = group["movement"], group["detail"]
            steps = KIND_STEPS[movement["kind"]]
            step = "both" if len(steps) == 2 else steps[0]
            partner_id = movement["partner_id"] or False
            ours = places.ours(detail, movement["kind"])
            if step == "both":
                vendor = places.partner(movement["vendor_id"])
                customer = places.partner(movement["customer_id"])
                consignor, consignee = (
                    (customer, vendor)
                    if movement["kind"] in CUSTOMER_RETURN_KINDS
                    else (vendor, customer)
                )
            elif movement["kind"] in OUTGOING_KINDS:
                consignor, consignee = ours, places.partner(partner_id)
            else:
                consignor, consignee = places.partner(partner_id), ours
            lot_name, supplier_lot = names["lot"].get(movement["lot_id"], ("", ""))
            warnings = []
            if not movement["lot_id"]:
                warnings.append(self.env._("No lot recorded on this line."))
            if not group["date"]:
                warnings.append(self.env._("No date recorded on this line."))
            for side in (consignor, consignee):
                warnings += side["warnings"]
            row = {
                "step_key": step,
                "step": step_labels[step],
                "movement": kinds.get(movement["kind"], movement["kind"]),
                "lot": lot_name,
                "product": names["product"][detail["product_id"]],
                "supplier_lot": supplier_lot,
                "quantity": group["quantity"],
                "uom": names["uom"][detail["product_uom_id"]],
                "packaging": names["packaging"].get(detail["product_packaging_id"], ""),
                "date": group["date"] and local_date(group["date"], ours["tz"]),
                "consignor": consignor["name"],
                "consignor_address": consignor["address"],
                "consignee": consignee["name"],
                "consignee_address": consignee["address"],
                "document": detail["picking_name"] or detail["reference"] or "",
                "source_document": detail["origin"] or "",
                "transformation": "",
                "warning_list": warnings,
                "warnings": " ".join(warnings),
            }
            lines.setdefault(movement["lot_id"] or False, []).append(row)
        return lines

    def _transformation_row(self, lot, section):
        """The row linking a lot to the company's own lots it was made from or went into."""
        parts = []
        if section["made_from"]:
            parts.append(self.env._("Made from lots %s", section["made_from"]))
        if section["used_in"]:
            parts.append(self.env._("Used in lots %s", section["used_in"]))
        return {
            "step_key": "internal",
            "step": self.env._("Internal transformation"),
            "movement": "",
            "lot": lot.name,
            "product": lot.product_id.display_name,
            "supplier_lot": lot.supplier_lot or "",
            "quantity": "",
            "uom": "",
            "packaging": "",
            "date": "",
            "consignor": "",
            "consignor_address": "",
            "consignee": "",
            "consignee_address": "",
            "document": "",
            "source_document": "",
            "transformation": "; ".join(parts),
            "warning_list": [],
            "warnings": "",
        }

    # ------------------------------------------------------------------ files

    def _columns(self):
        """(key of a row, column title) of the spreadsheet, in order."""
        return [
            ("lot", self.env._("Lot")),
            ("product", self.env._("Description of the Food")),
            ("supplier_lot", self.env._("Supplier Lot")),
            ("step", self.env._("Step")),
            ("movement", self.env._("Movement")),
            ("quantity", self.env._("Quantity")),
            ("uom", self.env._("Unit")),
            ("packaging", self.env._("Packaging")),
            ("date", self.env._("Date of Dispatch or Receipt")),
            ("consignor", self.env._("Consignor (Dispatched From)")),
            ("consignor_address", self.env._("Consignor Address")),
            ("consignee", self.env._("Consignee (Dispatched To)")),
            ("consignee_address", self.env._("Consignee Address")),
            ("document", self.env._("Document")),
            ("source_document", self.env._("Source Document")),
            ("transformation", self.env._("Internal Transformation")),
            ("warnings", self.env._("Completeness Warnings")),
        ]

    def _cells(self, data):
        keys = [key for key, _title in self._columns()]
        return [[row[key] for key in keys] for row in data["rows"]]

    def _csv(self, data):
        """The rows as a UTF-8 CSV file, every text cell formula-safe -> bytes."""
        rows = [
            [cell.isoformat() if isinstance(cell, datetime.date) else cell for cell in cells]
            for cells in self._cells(data)
        ]
        return csv_bytes([title for _key, title in self._columns()], rows)

    def _xlsx(self, data):
        """The rows as an Excel workbook, filters on the header, warnings repeated on a
        second sheet -> bytes."""
        columns = self._columns()
        sheets = [
            XlsxSheet(
                self.env._("One step back, one forward"),
                [title for _key, title in columns],
                self._cells(data),
                widths=[40 if key.endswith("address") else 18 for key, _title in columns],
            )
        ]
        if data["warnings"]:
            title = self.env._("Completeness Warnings")
            sheets.append(
                XlsxSheet(title, [title], ([text] for text in data["warnings"]), widths=[100])
            )
        return xlsx_bytes(sheets)


class _Places:
    """Names and addresses of the counterparts and of the company's own warehouses, read
    once each: partners in one query, warehouses and companies in batches."""

    def __init__(self, report, movements, details):
        self.env = report.env
        su = self.env(su=True)
        warehouse_ids = {d["src_warehouse_id"] for d in details.values()}
        warehouse_ids |= {d["dst_warehouse_id"] for d in details.values()}
        self.warehouses = su["stock.warehouse"].browse(warehouse_ids - {None})
        self.companies = su["res.company"].browse(
            {d["company_id"] for d in details.values()} | {self.env.company.id}
        )
        partner_ids = {
            movement[key]
            for movement in movements
            for key in ("partner_id", "vendor_id", "customer_id")
        }
        partner_ids |= set(self.warehouses.partner_id.ids) | set(self.companies.partner_id.ids)
        partner_ids -= {None, False}
        self._addresses = {
            row["id"]: row
            for row in self.env.execute_query_dict(
                SQL(
                    _PARTNERS_SQL,
                    country=self.env["res.country"]._field_to_sql("c", "name"),
                    ids=list(partner_ids),
                )
            )
        }
        self._sides = {}
        self._tzs = {}

    def address_text(self, partner_id):
        """``street, street2, zip city, state, country`` of a partner."""
        address = self._addresses.get(partner_id)
        if not address:
            return ""
        parts = [
            address["street"],
            address["street2"],
            " ".join(part for part in (address["zip"], address["city"]) if part),
            address["state"],
            address["country"],
        ]
        return ", ".join(part for part in parts if part)

    def _side(self, name, partner_id, tz="UTC"):
        address = self._addresses.get(partner_id) or {}
        missing = [
            label
            for field, label in (
                ("street", self.env._("street")),
                ("city", self.env._("city")),
                ("country", self.env._("country")),
            )
            if not address.get(field)
        ]
        warnings = []
        if len(missing) == 3:
            warnings.append(self.env._("%s has no address.", name))
        elif missing:
            warnings.append(
                self.env._(
                    "The address of %(name)s has no %(missing)s.",
                    name=name,
                    missing=", ".join(missing),
                )
            )
        return {
            "name": name,
            "address": self.address_text(partner_id),
            "warnings": warnings,
            "tz": tz,
        }

    def partner(self, partner_id):
        """Name, address and warnings of a supplier or customer."""
        key = ("partner", partner_id or False)
        if key not in self._sides:
            if partner_id:
                name = self._addresses[partner_id]["complete_name"]
                self._sides[key] = self._side(name, partner_id)
            else:
                self._sides[key] = {
                    "name": "",
                    "address": "",
                    "warnings": [self.env._("No supplier or customer recorded on this line.")],
                    "tz": "UTC",
                }
        return self._sides[key]

    def ours(self, detail, kind):
        """Name, address and warnings of the company's warehouse that received or shipped
        the line (the company's address when the location has no warehouse)."""
        side = "src" if kind in OUTGOING_KINDS else "dst"
        warehouse_id = detail[f"{side}_warehouse_id"]
        key = ("ours", warehouse_id or False, detail["company_id"])
        if key not in self._sides:
            company = self.companies.browse(detail["company_id"])
            if warehouse_id:
                warehouse = self.warehouses.browse(warehouse_id)
                name = f"{company.name} ({warehouse.name})"
                partner = warehouse.partner_id or company.partner_id
                tz = timezones.warehouse_tz(warehouse)
            else:
                name, partner, tz = company.name, company.partner_id, timezones.company_tz(company)
            self._sides[key] = self._side(name, partner.id, tz)
        return self._sides[key]
