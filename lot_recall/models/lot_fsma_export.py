import datetime

import pytz
from odoo import api, models
from odoo.addons.lot_traceability.tools import gs1, spreadsheet, timezones
from odoo.addons.lot_traceability.tools.move_kinds import (
    CUSTOMER_RETURN_KINDS,
    DELIVERY_KINDS,
    RECEIPT_KINDS,
    SUPPLIER_RETURN_KINDS,
    classify_lines,
    kind_sql,
)
from odoo.addons.lot_traceability.tools.timezones import day_start_utc
from odoo.exceptions import UserError
from odoo.tools import SQL

# Every done move line of the lots that can be a critical tracking event: it comes from or
# goes to a partner, production or a transit location, or moves between two warehouses.
# Moves and pickings are read by id afterwards (joined here, PostgreSQL misjudges the rows
# of many lots and scans them). Every query keeps to the companies of the export
# (``%(companies)s``): a lot without company is shared, and what other companies did with
# it is theirs.
_LINE_COLUMNS = f"""
ml.id, ml.lot_id, ml.product_id, ml.quantity, ml.product_uom_id, ml.date, ml.picking_id,
ml.move_id, ml.location_id, ml.location_dest_id, ml.reference, ml.company_id,
src.usage AS src_usage, dst.usage AS dst_usage,
src.company_id AS src_company_id, dst.company_id AS dst_company_id,
src.warehouse_id AS src_warehouse_id, dst.warehouse_id AS dst_warehouse_id,
{kind_sql()} AS kind
"""
_LOTS_SQL = """
SELECT id, name, product_id, supplier_lot FROM stock_lot WHERE id = ANY(%s)
"""
_WAREHOUSE_ADDRESSES_SQL = """
SELECT w.id, COALESCE(w.partner_id, c.partner_id)
  FROM stock_warehouse w
  JOIN res_company c ON c.id = w.company_id
 WHERE w.id = ANY(%(warehouses)s) AND w.company_id = ANY(%(companies)s)
"""
_CTE_USAGES = ("supplier", "customer", "production", "transit")

_MOVES_OF_LINES_SQL = """
SELECT id, production_id, raw_material_production_id, unbuild_id, consume_unbuild_id
  FROM stock_move
 WHERE id = ANY(%(moves)s) AND company_id = ANY(%(companies)s)
"""

_MOVES_OF_ORDERS_SQL = """
SELECT id, production_id, raw_material_production_id, unbuild_id, consume_unbuild_id
  FROM stock_move
 WHERE (production_id = ANY(%(productions)s) OR raw_material_production_id = ANY(%(productions)s))
   AND company_id = ANY(%(companies)s)
"""

_MOVES_OF_UNBUILDS_SQL = """
SELECT id, production_id, raw_material_production_id, unbuild_id, consume_unbuild_id
  FROM stock_move
 WHERE (unbuild_id = ANY(%(unbuilds)s) OR consume_unbuild_id = ANY(%(unbuilds)s))
   AND company_id = ANY(%(companies)s)
"""

_PICKINGS_SQL = """
SELECT p.id, p.name, p.origin, p.return_id, t.code, t.warehouse_id
  FROM stock_picking p
  LEFT JOIN stock_picking_type t ON t.id = p.picking_type_id
 WHERE p.id = ANY(%(pickings)s) AND p.company_id = ANY(%(companies)s)
"""

_PRODUCTIONS_SQL = """
SELECT mo.id, mo.name, mo.origin, t.warehouse_id
  FROM mrp_production mo
  LEFT JOIN stock_picking_type t ON t.id = mo.picking_type_id
 WHERE mo.id = ANY(%(productions)s) AND mo.company_id = ANY(%(companies)s)
"""

_UNBUILDS_SQL = """
SELECT u.id, u.name, loc.warehouse_id
  FROM mrp_unbuild u
  LEFT JOIN stock_location loc ON loc.id = u.location_id
 WHERE u.id = ANY(%(unbuilds)s) AND u.company_id = ANY(%(companies)s)
"""

# Where each lot started in the export's companies: its first receipt from a vendor (or
# from another company) or its first production, else its first done move line (an
# inventory adjustment).
_LOT_ORIGINS_SQL = f"""
SELECT DISTINCT ON (ml.lot_id)
       ml.lot_id, ml.picking_id, ml.move_id, dst.warehouse_id, ml.company_id,
       {kind_sql()} AS kind
  FROM stock_move_line ml
  JOIN stock_location src ON src.id = ml.location_id
  JOIN stock_location dst ON dst.id = ml.location_dest_id
 WHERE ml.lot_id = ANY(%(lots)s) AND ml.state = 'done' AND ml.company_id = ANY(%(companies)s)
 ORDER BY ml.lot_id, ({kind_sql()}) IN %(origin_kinds)s DESC, ml.date, ml.id
"""
_ORIGIN_KINDS = (*RECEIPT_KINDS, "production")


CTE_RECEIVING = "receiving"
CTE_SHIPPING = "shipping"
CTE_TRANSFORMATION = "transformation"
ROLE_ORDER = {"input": 0, "output": 1, False: 2}


class LotFsmaExport(models.AbstractModel):
    """FDA FSMA 204 electronic sortable spreadsheet of lots (21 CFR 1.1340, 1.1345, 1.1350).

    One row per critical tracking event of the lots (see :meth:`_classify`, on the suite's
    one classification of moves): receiving (from a vendor, a customer return, another
    company, a transit location or another site of the company), shipping (to a customer,
    back to a vendor, to another company, a transit location or another site; a dropship
    is received from the vendor, then shipped to the customer) and transformation (one row
    per input lot consumed and per output lot made by a manufacturing or unbuild order; the
    rows of one order share its name as event id).
    Every row of a lot carries its traceability lot code (see :meth:`_tlcs`). The lines are
    read with a few set-based queries; partners, products, locations and lots are read once
    each, in batches.
    """

    _name = "lot.fsma.export"
    _description = "FSMA 204 traceability spreadsheet"

    def _columns(self):
        """(key of a row, column title) of the spreadsheet, in order."""
        return [
            ("event_id", self.env._("Event ID")),
            ("cte_label", self.env._("Critical Tracking Event")),
            ("role_label", self.env._("Input or Output")),
            ("tlc", self.env._("Traceability Lot Code (TLC)")),
            ("product_description", self.env._("Product Description")),
            ("quantity", self.env._("Quantity")),
            ("uom", self.env._("Unit of Measure")),
            ("event_date", self.env._("Event Date")),
            ("previous_source", self.env._("Immediate Previous Source Location")),
            ("receiving_location", self.env._("Receiving Location")),
            ("ship_from", self.env._("Ship-From Location")),
            ("recipient", self.env._("Immediate Subsequent Recipient Location")),
            ("transformation_location", self.env._("Transformation Location")),
            ("tlc_source_location", self.env._("TLC Source Location")),
            ("tlc_source_reference", self.env._("TLC Source Reference")),
            ("reference_type", self.env._("Reference Document Type")),
            ("reference_number", self.env._("Reference Document Number")),
            ("lot_name", self.env._("Internal Lot Number")),
        ]

    # ------------------------------------------------------------------ events

    @api.model
    def _events(self, lot_ids, date_from=None, date_to=None):
        """Critical tracking events of the lots, one dict per spreadsheet row.

        :param lot_ids: ids (or a recordset) of the lots; lots the user may not read and
            lines of companies outside the user's active companies are left out
        :param date_from: first day (a date, read in the user's time zone, else the
            company's) or first moment (a naive UTC datetime) of the events
        :param date_to: last day (a date, included) or last moment (a datetime, included)
        :return: rows sorted by date and event id, each with the keys of :meth:`_columns`
            (``cte`` is ``receiving``, ``shipping`` or ``transformation``; ``role`` is
            ``input``/``output`` on transformation rows) plus ``kind`` (the line's kind of
            movement, ``move_kinds.MOVEMENT_KINDS``), ``sequence`` (0, or 1 for the second
            event of one line, e.g. a dropship's shipping), ``date`` (UTC), ``lot_id``,
            ``product_id``, ``uom_id``, ``quantity`` in the line's unit, ``move_line_id``,
            ``picking_id``, ``production_id``, ``unbuild_id``, ``partner_id`` (the other
            party, see :meth:`_partner`), ``location_id`` (our stock location),
            ``warehouse_id``, ``company_id``, ``tz``, ``src_usage``, ``dst_usage``,
            ``other_warehouse_id`` (the company's other site of a move between sites),
            ``documents`` (EPCIS business transactions ``[(type, number)]``) and
            ``relabelled_from`` (the supplier's lot code of a lot given its TLC at receipt)
        """
        if isinstance(lot_ids, models.BaseModel):
            lot_ids = lot_ids.ids
        self.env.flush_all()  # lines, moves, pickings, orders, lots and partners are read in SQL
        lot_ids = self.env["stock.lot"].browse(lot_ids)._filtered_access("read").ids
        if not lot_ids:
            return []
        company_ids = self.env.companies.ids
        lines = self._fetch_lines(self._event_lines_where(lot_ids, date_from, date_to))
        moves = self._fetch_moves(
            _MOVES_OF_LINES_SQL, company_ids, moves=list({line["move_id"] for line in lines})
        )
        addresses = self._warehouse_addresses(lines, company_ids)
        classified = {}
        productions, unbuilds = set(), set()
        for line in lines:
            for cte, role in self._classify(line, addresses):
                classified[line["id"], cte] = (line, cte, role)
                if cte == CTE_TRANSFORMATION:
                    move = moves.get(line["move_id"], {})
                    if move.get("production_id") or move.get("raw_material_production_id"):
                        productions.add(move["production_id"] or move["raw_material_production_id"])
                    if move.get("unbuild_id") or move.get("consume_unbuild_id"):
                        unbuilds.add(move["unbuild_id"] or move["consume_unbuild_id"])
        # Every lot line of the orders that consumed or made the lots: one transformation
        # event lists all its inputs and outputs.
        order_moves = {}
        if productions:
            order_moves.update(
                self._fetch_moves(_MOVES_OF_ORDERS_SQL, company_ids, productions=list(productions))
            )
        if unbuilds:
            order_moves.update(
                self._fetch_moves(_MOVES_OF_UNBUILDS_SQL, company_ids, unbuilds=list(unbuilds))
            )
        if order_moves:
            moves.update(order_moves)
            other_lines = self._fetch_lines(
                SQL(
                    "ml.move_id = ANY(%s) AND ml.state = 'done' AND ml.lot_id IS NOT NULL "
                    "AND ml.company_id = ANY(%s) AND NOT ml.id = ANY(%s)",
                    list(order_moves),
                    company_ids,
                    [line_id for line_id, _cte in classified],
                )
            )
            for line in other_lines:
                for cte, role in self._classify(line, addresses):
                    if cte == CTE_TRANSFORMATION:
                        classified[line["id"], cte] = (line, cte, role)
        return self._build_rows(list(classified.values()), moves, company_ids)

    def _event_lines_where(self, lot_ids, date_from, date_to):
        """SQL condition on the done move lines of the lots, in the export's companies and
        days, that can be critical tracking events (``ml``, ``src`` and ``dst`` aliases)."""
        start, end = self._date_bounds(date_from, date_to)
        conditions = [
            SQL("ml.lot_id = ANY(%s)", lot_ids),
            SQL("ml.state = 'done'"),
            SQL("ml.company_id = ANY(%s)", self.env.companies.ids),
            SQL(
                "(src.usage IN %(usages)s OR dst.usage IN %(usages)s "
                " OR (src.usage = 'internal' AND dst.usage = 'internal'"
                "     AND src.warehouse_id <> dst.warehouse_id))",
                usages=_CTE_USAGES,
            ),
        ]
        if start:
            conditions.append(SQL("ml.date >= %s", start))
        if end:
            conditions.append(SQL("ml.date < %s", end))
        return SQL(" AND ").join(conditions)

    @api.model
    def _count_event_lines(self, lot_ids, date_from=None, date_to=None):
        """Number of move lines :meth:`_events` starts from, counted in one query: the size
        of the export before building it (each line makes about one row; a dropship makes
        two, an order adds its other inputs and outputs)."""
        if isinstance(lot_ids, models.BaseModel):
            lot_ids = lot_ids.ids
        self.env["stock.move.line"].flush_model()
        lot_ids = self.env["stock.lot"].browse(lot_ids)._filtered_access("read").ids
        if not lot_ids:
            return 0
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM stock_move_line ml "
                "JOIN stock_location src ON src.id = ml.location_id "
                "JOIN stock_location dst ON dst.id = ml.location_dest_id "
                "WHERE %s",
                self._event_lines_where(lot_ids, date_from, date_to),
            )
        )
        return self.env.cr.fetchone()[0]

    def _date_bounds(self, date_from, date_to):
        """Naive UTC [start, end) of the period; days are read in the user's time zone."""
        tz = (
            self.env.context.get("tz") or self.env.user.tz or timezones.company_tz(self.env.company)
        )
        start = end = None
        if date_from:
            start = (
                date_from
                if isinstance(date_from, datetime.datetime)
                else day_start_utc(date_from, tz)
            )
        if date_to:
            end = (
                date_to + datetime.timedelta(microseconds=1)
                if isinstance(date_to, datetime.datetime)
                else day_start_utc(date_to + datetime.timedelta(days=1), tz)
            )
        return start, end

    def _fetch_lines(self, where):
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM stock_move_line ml "
                "JOIN stock_location src ON src.id = ml.location_id "
                "JOIN stock_location dst ON dst.id = ml.location_dest_id "
                "WHERE %s",
                SQL(_LINE_COLUMNS),
                where,
            )
        )
        return self.env.cr.dictfetchall()

    def _fetch_moves(self, query, company_ids, **params):
        self.env.cr.execute(query, {**params, "companies": company_ids})
        return {row["id"]: row for row in self.env.cr.dictfetchall()}

    def _warehouse_addresses(self, lines, company_ids):
        """{warehouse id: id of its address (else its company's)} of the lines' warehouses."""
        warehouse_ids = {line["src_warehouse_id"] for line in lines}
        warehouse_ids |= {line["dst_warehouse_id"] for line in lines}
        warehouse_ids.discard(None)
        if not warehouse_ids:
            return {}
        self.env.cr.execute(
            _WAREHOUSE_ADDRESSES_SQL, {"warehouses": list(warehouse_ids), "companies": company_ids}
        )
        return dict(self.env.cr.fetchall())

    @staticmethod
    def _classify(line, addresses):
        """Critical tracking events ``[(event, transformation role)]`` of a done move line,
        in the order they happened.

        From the suite's one classification of moves (the line's ``kind``, see
        ``lot_traceability/tools/move_kinds.py``): production makes lots and consumption
        uses them (transformation); deliveries, returns to vendors and shipments to another
        company are shipping; receipts, customer returns and receipts from another company
        are receiving. A dropship is both: received from the vendor, then shipped to the
        customer (a dropship return: received from the customer, shipped to the vendor).
        Scraps and inventory adjustments are not critical tracking events.

        The export's own rule on top of that classification, for moves within the company
        (21 CFR 1.1340 and 1.1345 cover moves between locations of one firm): stock going
        to the company's own transit location is shipped and stock coming from it received
        (kind ``transit``); a transfer straight from one warehouse to another at a
        different address is shipped from the first, then received at the second (kind
        ``internal``). Transfers inside one warehouse or one address are not events.

        :param addresses: {warehouse id: address partner id}, see :meth:`_warehouse_addresses`
        """
        kind = line["kind"]
        if kind == "production":
            return [(CTE_TRANSFORMATION, "output")]
        if kind == "consumption":
            return [(CTE_TRANSFORMATION, "input")]
        events = []
        if kind in RECEIPT_KINDS + CUSTOMER_RETURN_KINDS:
            events.append((CTE_RECEIVING, False))
        if kind in DELIVERY_KINDS + SUPPLIER_RETURN_KINDS:
            events.append((CTE_SHIPPING, False))
        src, dst = line["src_usage"], line["dst_usage"]
        if kind == "transit" and (src, dst) == ("internal", "transit"):
            events.append((CTE_SHIPPING, False))
        elif kind == "transit" and (src, dst) == ("transit", "internal"):
            events.append((CTE_RECEIVING, False))
        elif kind == "internal" and src == dst == "internal":
            origin = addresses.get(line["src_warehouse_id"])
            destination = addresses.get(line["dst_warehouse_id"])
            if origin and destination and origin != destination:
                events += [(CTE_SHIPPING, False), (CTE_RECEIVING, False)]
        return events

    # ------------------------------------------------------------------ rows

    def _build_rows(self, classified, moves, company_ids):
        """Rows of the classified lines, with every name and address read in batches, from
        the records of the companies ``company_ids`` only."""
        if not classified:
            return []
        cr = self.env.cr
        lot_ids = list({line["lot_id"] for line, _cte, _role in classified})
        cr.execute(
            _LOT_ORIGINS_SQL,
            {"lots": lot_ids, "companies": company_ids, "origin_kinds": _ORIGIN_KINDS},
        )
        origins = {row["lot_id"]: row for row in cr.dictfetchall()}
        # Partners and orders of every line and of every lot's origin, in one query.
        lines = {line["id"]: line for line, _cte, _role in classified}
        classify_lines(self.env, [*lines.values(), *origins.values()])

        picking_ids = {line["picking_id"] for line in lines.values() if line["picking_id"]}
        cr.execute(_PICKINGS_SQL, {"pickings": list(picking_ids), "companies": company_ids})
        pickings = {row["id"]: row for row in cr.dictfetchall()}
        production_ids = {
            move["production_id"] or move["raw_material_production_id"]
            for move in moves.values()
            if move["production_id"] or move["raw_material_production_id"]
        }
        production_ids |= {origin["production_id"] for origin in origins.values()} - {False}
        cr.execute(
            _PRODUCTIONS_SQL, {"productions": list(production_ids), "companies": company_ids}
        )
        productions = {row[0]: row[1:] for row in cr.fetchall()}
        unbuild_ids = {
            move["unbuild_id"] or move["consume_unbuild_id"]
            for move in moves.values()
            if move["unbuild_id"] or move["consume_unbuild_id"]
        }
        unbuilds = {}
        if unbuild_ids:
            cr.execute(_UNBUILDS_SQL, {"unbuilds": list(unbuild_ids), "companies": company_ids})
            unbuilds = {row[0]: row[1:] for row in cr.fetchall()}

        env = self.env(su=True)
        order_names = {
            model: {
                order.id: order.name
                for order in env[model].browse({line[key] for line in lines.values()} - {False})
            }
            for model, key in (("purchase.order", "purchase_id"), ("sale.order", "sale_id"))
        }
        cr.execute(_LOTS_SQL, [lot_ids])
        lot_info = {row[0]: row for row in cr.fetchall()}
        products = env["product.product"].browse(
            {row[2] for row in lot_info.values()}
            | {line["product_id"] for line, _cte, _role in classified}
        )
        descriptions = self._product_descriptions(products)
        uoms = env["uom.uom"].browse({line["product_uom_id"] for line, _cte, _role in classified})
        uom_names = {uom.id: uom.name for uom in uoms}

        partner_ids = {
            line[key]
            for line in lines.values()
            for key in ("customer_id", "vendor_id", "partner_id")
        }
        partner_ids |= {origin["vendor_id"] for origin in origins.values()}
        places = _Places(self.env, list(partner_ids - {False}), company_ids)
        tlcs = self._tlcs(lot_info, origins, productions, places)

        cte_labels = {
            CTE_RECEIVING: self.env._("Receiving"),
            CTE_SHIPPING: self.env._("Shipping"),
            CTE_TRANSFORMATION: self.env._("Transformation"),
        }
        role_labels = {"input": self.env._("Input"), "output": self.env._("Output"), False: ""}
        doc_labels = {
            "po": self.env._("Purchase Order"),
            "so": self.env._("Sales Order"),
            "bol": self.env._("Bill of Lading"),
            "rma": self.env._("Return Authorization"),
            "production": self.env._("Production Record"),
        }

        rows = []
        sequences = {}
        for line, cte, role in classified:
            lot_id, lot_name, _product, supplier_lot = lot_info[line["lot_id"]]
            tlc, tlc_location, tlc_reference = tlcs[lot_id]
            origin = origins.get(lot_id)
            kind = line["kind"]
            # Received from an exempt supplier under its own code, given a new one here.
            relabelled = (
                cte == CTE_RECEIVING
                and origin
                and origin["kind"] in RECEIPT_KINDS
                and origin["picking_id"] == line["picking_id"]
                and (supplier_lot or "").strip() not in ("", tlc)
            )
            picking = pickings.get(line["picking_id"])
            move = moves.get(line["move_id"], {})
            production_id = move.get("production_id") or move.get("raw_material_production_id")
            unbuild_id = move.get("unbuild_id") or move.get("consume_unbuild_id")
            partner_id = self._partner(line, cte)
            sequence = sequences[line["id"]] = sequences.get(line["id"], -1) + 1
            row = {
                "sequence": sequence,
                "kind": kind,
                "move_line_id": line["id"],
                "cte": cte,
                "cte_label": cte_labels[cte],
                "role": role,
                "role_label": role_labels[role],
                "lot_id": lot_id,
                "tlc": tlc,
                "lot_name": lot_name,
                "product_id": line["product_id"],
                "product_description": descriptions[line["product_id"]],
                "quantity": float(line["quantity"]),
                "uom_id": line["product_uom_id"],
                "uom": uom_names[line["product_uom_id"]],
                "date": line["date"],
                "previous_source": "",
                "receiving_location": "",
                "ship_from": "",
                "recipient": "",
                "transformation_location": "",
                "tlc_source_location": tlc_location,
                "tlc_source_reference": tlc_reference,
                "relabelled_from": supplier_lot.strip() if relabelled else "",
                "picking_id": line["picking_id"] or False,
                "production_id": production_id or False,
                "unbuild_id": unbuild_id or False,
                "partner_id": partner_id or False,
                "company_id": line["company_id"],
                "src_usage": line["src_usage"],
                "dst_usage": line["dst_usage"],
            }
            if cte == CTE_TRANSFORMATION:
                if production_id:
                    name, _origin, warehouse_id = productions[production_id]
                elif unbuild_id:
                    name, warehouse_id = unbuilds[unbuild_id]
                else:
                    name, warehouse_id = line["reference"], False
                internal_side = "dst" if role == "output" else "src"
                warehouse_id = warehouse_id or line[f"{internal_side}_warehouse_id"] or False
                row.update(
                    event_id=name or "",
                    reference_type=doc_labels["production"],
                    reference_number=name or "",
                    documents=[("prodorder", name)] if name else [],
                    transformation_location=places.warehouse(warehouse_id, line["company_id"]),
                    location_id=line["location_dest_id"]
                    if role == "output"
                    else line["location_id"],
                    warehouse_id=warehouse_id,
                )
            else:
                receiving = cte == CTE_RECEIVING
                src_wh = line["src_warehouse_id"] or False
                dst_wh = line["dst_warehouse_id"] or False
                if receiving:
                    warehouse_id, location_id = dst_wh, line["location_dest_id"]
                    other_wh, other_location = src_wh, line["location_id"]
                else:
                    warehouse_id, location_id = src_wh, line["location_id"]
                    other_wh, other_location = dst_wh, line["location_dest_id"]
                ours = places.warehouse(warehouse_id, line["company_id"])
                if other_wh:
                    # Between two of the company's sites.
                    theirs = places.warehouse(other_wh, line["company_id"])
                elif partner_id:
                    theirs = places.partner(partner_id)
                else:
                    theirs = places.unknown(other_location)
                if receiving:
                    row.update(previous_source=theirs, receiving_location=ours)
                else:
                    row.update(ship_from=ours, recipient=theirs)
                document = (picking and picking["name"]) or line["reference"] or f"{line['id']}"
                orders = (
                    order_names["purchase.order"].get(line["purchase_id"], "")
                    if kind in (RECEIPT_KINDS if receiving else SUPPLIER_RETURN_KINDS)
                    else "",
                    order_names["sale.order"].get(line["sale_id"], "")
                    if kind in DELIVERY_KINDS and not receiving
                    else "",
                )
                doc_kind, number, documents = self._reference(
                    receiving, line, picking, orders, document
                )
                row.update(
                    event_id=document,
                    reference_type=doc_labels[doc_kind],
                    reference_number=number,
                    documents=documents,
                    location_id=location_id,
                    warehouse_id=warehouse_id,
                    other_warehouse_id=other_wh,
                )
            row["tz"] = places.tz(row["warehouse_id"], line["company_id"])
            rows.append(row)
        # An event is dated by its last line (a transformation is complete when its last
        # input or output is recorded); its rows stay together.
        event_dates = {}
        for row in rows:
            key = (row["cte"], row["event_id"])
            event_dates[key] = max(event_dates.get(key, row["date"]), row["date"])
        for row in rows:
            row["event_date"] = places.local_date(
                event_dates[row["cte"], row["event_id"]], row["tz"]
            )
        rows.sort(
            key=lambda row: (
                event_dates[row["cte"], row["event_id"]],
                row["event_id"],
                row["sequence"],
                ROLE_ORDER[row["role"]],
                row["tlc"],
                row["move_line_id"],
            )
        )
        return rows

    @staticmethod
    def _reference(receiving, line, picking, orders, document):
        """(kind, number, EPCIS business transactions) of the document of a shipment or
        receipt. Transfers are internal records: the business document is the purchase or
        sales order, else the return, else the transfer as bill of lading (the paper that
        goes with the goods); EPCIS gets the order (``po``), the return (``rma``) and the
        despatch advice (``desadv``, the delivery) or receiving advice (``recadv``, a
        receipt from a vendor without order)."""
        purchase, sale = orders or ("", "")
        is_return = bool(picking and picking["return_id"]) or (
            receiving and line["src_usage"] == "customer"
        )
        documents = [("po", purchase)] if purchase else []
        if is_return:
            documents.append(("rma", document))
        if receiving and line["src_usage"] == "supplier":
            if not purchase:
                documents.append(("recadv", document))
        else:
            documents.append(("desadv", document))
        if purchase:
            return "po", purchase, documents
        if sale and not receiving:
            return "so", sale, documents
        if is_return:
            return "rma", document, documents
        return "bol", document, documents

    @staticmethod
    def _partner(line, cte):
        """The other party of an event of a classified line: the customer of goods shipped
        to or received back from a customer, the vendor of goods received from or shipped
        back to a vendor (see ``classify_lines``), else the line's partner."""
        kind = line["kind"]
        if cte == CTE_SHIPPING and kind in DELIVERY_KINDS:
            return line["customer_id"]
        if cte == CTE_SHIPPING and kind in SUPPLIER_RETURN_KINDS:
            return line["vendor_id"]
        if cte == CTE_RECEIVING and kind in RECEIPT_KINDS:
            return line["vendor_id"]
        if cte == CTE_RECEIVING and kind in CUSTOMER_RETURN_KINDS:
            return line["customer_id"]
        return line["partner_id"]

    @staticmethod
    def _tlcs(lot_info, origins, productions, places):
        """{lot id: (traceability lot code, TLC source location, TLC source reference)}.

        A lot received from a vendor (a receipt or a dropship), or from another company,
        keeps the sender's lot code (its supplier lot, else its name) with the sender as
        source (21 CFR 1.1345(a)); from a vendor not subject to the rule
        (``lot_fsma_exempt``) it gets its code here, the receiving site as source
        (1.1345(b)). A lot made here, or found at an inventory, is coded by the site that
        made or counted it (1.1320, 1.1350). The
        reference is the source's GLN when known. "Here" is the export's companies: what
        another company did with a shared lot is not told.

        :param origins: {lot id: first line of the lot}, classified (``classify_lines``)
        """
        vendors = {
            lot_id: origin["vendor_id"]
            for lot_id, origin in origins.items()
            if origin["kind"] in RECEIPT_KINDS
        }
        exempt = places.exempt_partners(set(vendors.values()) - {False})
        tlcs = {}
        for lot_id, (_id, lot_name, _product, supplier_lot) in lot_info.items():
            origin = origins.get(lot_id)
            if not origin:
                tlcs[lot_id] = (lot_name, "", "")
                continue
            vendor = vendors.get(lot_id)
            if origin["kind"] in RECEIPT_KINDS and vendor not in exempt:
                tlc = (supplier_lot or "").strip() or lot_name
                tlcs[lot_id] = (tlc, places.partner(vendor), places.partner_gln(vendor))
                continue
            warehouse_id = origin["warehouse_id"]
            if origin["kind"] == "production":
                production = productions.get(origin["production_id"])
                warehouse_id = (production and production[2]) or warehouse_id
            tlcs[lot_id] = (
                lot_name,
                places.warehouse(warehouse_id, origin["company_id"]),
                places.warehouse_gln(warehouse_id, origin["company_id"]),
            )
        return tlcs

    def _product_descriptions(self, products):
        """{product id: "[code] name, GTIN 0..., packed as ..."} (1.1310: the description
        includes the packaging size and style: the product's packagings, else its unit)."""
        descriptions = {}
        products.fetch(["display_name", "barcode", "uom_id", "packaging_ids"])
        for product in products:
            text = product.display_name
            barcode = (product.barcode or "").strip()
            if barcode:
                gtin = gs1.gtin14_or_none(barcode)
                text += (
                    self.env._(", GTIN %s", gtin) if gtin else self.env._(", barcode %s", barcode)
                )
            packs = [
                self.env._(
                    "%(packaging)s of %(quantity)s %(unit)s",
                    packaging=" ".join(
                        part for part in (packaging.package_type_id.name, packaging.name) if part
                    ),
                    quantity=_number(packaging.qty),
                    unit=product.uom_id.name,
                )
                for packaging in product.packaging_ids
            ]
            if packs:
                text += self.env._(", packed as %s", "; ".join(packs))
            else:
                text += self.env._(", loose, counted in %s", product.uom_id.name)
            descriptions[product.id] = text
        return descriptions

    # ------------------------------------------------------------------ files

    def _cell_rows(self, rows):
        keys = [key for key, _title in self._columns()]
        for row in rows:
            yield [row.get(key, "") for key in keys]

    @api.model
    def _csv(self, rows):
        """The rows as a UTF-8 CSV file (with BOM, for spreadsheet programs) -> bytes; a
        text that a spreadsheet would read as a formula gets a leading apostrophe."""
        return spreadsheet.csv_bytes(
            [title for _key, title in self._columns()],
            (
                [
                    cell.isoformat()
                    if isinstance(cell, datetime.date)
                    else _number(cell)
                    if isinstance(cell, float)
                    else cell
                    for cell in cells
                ]
                for cells in self._cell_rows(rows)
            ),
        )

    @api.model
    def _xlsx(self, rows):
        """The rows as an Excel workbook, one sheet, filters on the header -> bytes.

        Dates are real dates and quantities numbers; texts are always texts, never
        formulas (a partner named ``=HYPERLINK(...)`` stays that text). Written by
        ``spreadsheet.xlsx_bytes``, streamed row by row (bench/README.md, recall section).

        :raise UserError: when the rows do not fit in an Excel worksheet
        """
        columns = self._columns()
        widths = {
            "event_id": 18,
            "tlc": 18,
            "product_description": 40,
            "quantity": 10,
            "uom": 10,
            "event_date": 11,
        }
        sheet = spreadsheet.XlsxSheet(
            name=self.env._("FSMA 204"),
            header=[title for _key, title in columns],
            rows=self._cell_rows(rows),
            widths=[widths.get(key, 32 if key.endswith("location") else 20) for key, _t in columns],
        )
        try:
            return spreadsheet.xlsx_bytes([sheet])
        except spreadsheet.XlsxTooManyRows as error:
            raise UserError(
                self.env._(
                    "%(count)s rows do not fit in one Excel sheet: export them as CSV, or "
                    "fewer lots or days.",
                    count=len(rows),
                )
            ) from error


def _number(value):
    """A quantity without a trailing ``.0`` or float noise: 20.0 -> "20", 0.125 -> "0.125"."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


class _Places:
    """FSMA location descriptions (business name, address, phone; GLN when known) of partners
    and warehouses, and the time zone of each warehouse, each computed once."""

    def __init__(self, env, partner_ids, company_ids):
        self.env = env
        self.sudo_env = env(su=True)
        self.company_ids = company_ids
        self._partners = {}
        self._partner_texts = {}
        self._warehouse_texts = {}
        self._warehouse_addresses = {}
        self._unknown_texts = {}
        self._tzs = {}
        self._tz_objects = {}
        self._read_partners(partner_ids)

    def _read_partners(self, partner_ids):
        """Names and addresses of many partners in one query (no record per partner); the
        partners of other companies than the export's are left unread."""
        partner_ids = [pid for pid in partner_ids if pid not in self._partners]
        if not partner_ids:
            return
        rows = self.env.execute_query(
            SQL(
                """
                SELECT p.id, p.complete_name, p.street, p.street2, p.zip, p.city, st.name,
                       %(country)s, p.phone, %(barcode)s
                  FROM res_partner p
                  LEFT JOIN res_country_state st ON st.id = p.state_id
                  LEFT JOIN res_country c ON c.id = p.country_id
                 WHERE p.id = ANY(%(ids)s)
                   AND (p.company_id IS NULL OR p.company_id = ANY(%(companies)s))
                """,
                country=self.env["res.country"]._field_to_sql("c", "name"),
                barcode=self.sudo_env["res.partner"]._field_to_sql("p", "barcode"),
                ids=partner_ids,
                companies=self.company_ids,
            )
        )
        for row in rows:
            self._partners[row[0]] = row[1:]

    def partner(self, partner_id):
        if not partner_id:
            return ""
        if partner_id not in self._partner_texts:
            self._read_partners([partner_id])
            known = self._partners.get(partner_id)
            self._partner_texts[partner_id] = self.describe(*known) if known else ""
        return self._partner_texts[partner_id]

    def partner_gln(self, partner_id):
        """GLN (barcode) of a partner read by :meth:`partner`, else ""."""
        known = self._partners.get(partner_id)
        return self.env._("GLN %s", known[8]) if known and gs1.gln_or_none(known[8]) else ""

    def exempt_partners(self, partner_ids):
        """The partners whose company is not subject to FSMA 204 (``lot_fsma_exempt``)."""
        partners = self.sudo_env["res.partner"].browse(partner_ids)
        return set(partners.filtered(lambda p: p.commercial_partner_id.lot_fsma_exempt).ids)

    def _warehouse_address(self, warehouse_id, company_id):
        key = (warehouse_id or False, company_id)
        if key not in self._warehouse_addresses:
            if warehouse_id:
                warehouse = self.sudo_env["stock.warehouse"].browse(warehouse_id)
                name = f"{warehouse.company_id.name} ({warehouse.name})"
                address = warehouse.partner_id or warehouse.company_id.partner_id
            else:
                company = self.sudo_env["res.company"].browse(company_id)
                name, address = company.name, company.partner_id
            self._read_partners(address.ids)
            self._warehouse_addresses[key] = (name, address.id)
        return self._warehouse_addresses[key]

    def warehouse(self, warehouse_id, company_id):
        key = (warehouse_id or False, company_id)
        if key not in self._warehouse_texts:
            name, address_id = self._warehouse_address(warehouse_id, company_id)
            known = self._partners.get(address_id)
            self._warehouse_texts[key] = self.describe(name, *known[1:]) if known else name
        return self._warehouse_texts[key]

    def warehouse_gln(self, warehouse_id, company_id):
        """GLN of a warehouse's address (else its company's), else ""."""
        return self.partner_gln(self._warehouse_address(warehouse_id, company_id)[1])

    def unknown(self, location_id):
        """A place no partner names (a delivery without partner): the stock location, flagged."""
        if location_id not in self._unknown_texts:
            location = self.sudo_env["stock.location"].browse(location_id)
            self._unknown_texts[location_id] = self.env._(
                "%s [recipient or source not recorded]", location.complete_name
            )
        return self._unknown_texts[location_id]

    def describe(self, name, street, street2, zip_code, city, state, country, phone, barcode):
        """``name, street, street2, zip city, state, country, phone ..., GLN ...``; a
        description without phone or state says so (1.1310: the location description has
        the street address, city, state and phone)."""
        parts = [
            name,
            street,
            street2,
            " ".join(part for part in (zip_code, city) if part),
            state,
            country,
        ]
        if phone:
            parts.append(self.env._("phone %s", phone))
        gln = gs1.gln_or_none(barcode)
        if gln:
            parts.append(self.env._("GLN %s", gln))
        missing = [
            label
            for label, value in ((self.env._("phone"), phone), (self.env._("state"), state))
            if not value
        ]
        text = ", ".join(part for part in parts if part)
        if missing:
            text += self.env._(" [no %s recorded]", self.env._(" or ").join(missing))
        return text

    def tz(self, warehouse_id, company_id):
        """Time zone name of a warehouse, else of a company (``timezones``)."""
        key = (warehouse_id or False, company_id)
        if key not in self._tzs:
            if warehouse_id:
                warehouse = self.sudo_env["stock.warehouse"].browse(warehouse_id)
                self._tzs[key] = timezones.warehouse_tz(warehouse)
            else:
                company = self.sudo_env["res.company"].browse(company_id)
                self._tzs[key] = timezones.company_tz(company)
        return self._tzs[key]

    def local_date(self, moment, tz_name):
        tz = self._tz_objects.get(tz_name)
        if tz is None:
            tz = self._tz_objects[tz_name] = pytz.timezone(tz_name or "UTC")
        return pytz.utc.localize(moment).astimezone(tz).date()
