from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.move_kinds import CUSTOMER_KINDS, DELIVERY_KINDS, MOVEMENT_KINDS
from ..tools.spreadsheet import XlsxSheet, csv_bytes, xlsx_bytes

TRACE_LINE_KINDS = [("transformation", "Transformation"), *MOVEMENT_KINDS, ("on_hand", "On hand")]
# Lots named in a trace's display name before "+n".
NAMED_LOTS = 3
# Movements that bring a lot into being: the quantity a graph node shows.
GRAPH_IN_KINDS = ("receipt", "production", "adjustment_in")


class LotTrace(models.TransientModel):
    """A lot genealogy, upstream or downstream, as lines users can filter, group and export.

    Computed with the companies of the user who made it, it is read only by that user
    (record rules). Transient rows computed on request (see the readme, DEVELOP.md): the
    lines depend on the lots and the direction the user asks for.
    """

    _name = "lot.trace"
    _description = "Lot Genealogy"
    # Beyond this many lots and customers, the graph groups the customers of each lot.
    _lot_graph_node_limit = 200

    lot_ids = fields.Many2many("stock.lot", string="Lots", required=True)
    direction = fields.Selection(
        [
            ("downstream", "Downstream (where it went)"),
            ("upstream", "Upstream (where it came from)"),
        ],
        required=True,
        default="downstream",
    )
    line_ids = fields.One2many("lot.trace.line", "trace_id", string="Trace")
    reached_lot_ids = fields.Many2many(
        "stock.lot",
        "lot_trace_reached_lot_rel",
        string="Lots in the Genealogy",
        help="The lots traced and every lot reached from them, with their mass balance.",
    )
    customer_count = fields.Integer(compute="_compute_counts")
    delivered_line_count = fields.Integer(compute="_compute_counts")

    @api.depends("lot_ids.name", "direction")
    def _compute_display_name(self):
        for trace in self:
            lots = ", ".join(trace.lot_ids[:NAMED_LOTS].mapped("name"))
            if len(trace.lot_ids) > NAMED_LOTS:
                lots += f" +{len(trace.lot_ids) - NAMED_LOTS}"
            if not lots:
                trace.display_name = self.env._("Lot Genealogy")
            elif trace.direction == "upstream":
                trace.display_name = self.env._("Upstream of %(lots)s", lots=lots)
            else:
                trace.display_name = self.env._("Downstream of %(lots)s", lots=lots)

    @api.depends("line_ids.kind", "line_ids.partner_id")
    def _compute_counts(self):
        for trace in self:
            deliveries = trace.line_ids.filtered(lambda line: line.kind in DELIVERY_KINDS)
            trace.delivered_line_count = len(deliveries)
            trace.customer_count = len(deliveries.partner_id)

    def action_compute(self):
        """(Re)compute the trace lines with the genealogy engine."""
        self.ensure_one()
        if not self.lot_ids:
            raise UserError(self.env._("Choose at least one lot to trace."))
        result = self.env["lot.genealogy"].trace(self.lot_ids.ids, self.direction)
        depth = {row["lot_id"]: row["depth"] for row in result["lots"]}
        lots = self.env["stock.lot"].browse(depth)
        uom = {lot.id: lot.product_id.uom_id.id for lot in lots}
        product = {lot.id: lot.product_id.id for lot in lots}
        downstream = self.direction == "downstream"
        values = []
        for edge in result["edges"]:
            lot, other = (
                (edge["out_lot"], edge["in_lot"])
                if downstream
                else (edge["in_lot"], edge["out_lot"])
            )
            values.append(
                {
                    "depth": depth[lot],
                    "kind": "transformation",
                    "lot_id": lot,
                    "related_lot_id": other,
                    "date": edge["date"],
                    "quantity": edge["quantity"],
                    "uom_id": uom[edge["in_lot"]],
                    "product_id": product[lot],
                    "production_id": edge["order_ids"][0]
                    if edge["kind"] == "production"
                    else False,
                }
            )
        for move in result["movements"]:
            values.append(
                {
                    "depth": depth[move["lot_id"]],
                    "kind": move["kind"],
                    "lot_id": move["lot_id"],
                    "date": move["date"],
                    "quantity": move["quantity"],
                    "uom_id": uom[move["lot_id"]],
                    "product_id": product[move["lot_id"]],
                    "partner_id": move["partner_id"],
                    "vendor_id": move["vendor_id"],
                    "picking_id": move["picking_id"],
                    "production_id": move["production_id"],
                    "reference": move["reference"],
                    "location_id": move["location_id"],
                    "location_dest_id": move["location_dest_id"],
                }
            )
        for stock in result["on_hand"]:
            values.append(
                {
                    "depth": depth[stock["lot_id"]],
                    "kind": "on_hand",
                    "lot_id": stock["lot_id"],
                    "quantity": stock["quantity"],
                    "uom_id": uom[stock["lot_id"]],
                    "product_id": product[stock["lot_id"]],
                    "location_id": stock["location_id"],
                }
            )
        self.line_ids.unlink()
        self.write({"reached_lot_ids": [fields.Command.set(lots.ids)]})
        self.env["lot.trace.line"].create([dict(val, trace_id=self.id) for val in values])
        return self._open()

    def _open(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
            "name": self.env._("Lot Genealogy"),
        }

    def action_open_graph(self):
        """The genealogy graph of the trace's lots, in its direction."""
        self.ensure_one()
        return self.lot_ids._lot_graph_action(self.direction)

    @api.model
    @api.readonly
    def graph_data(self, lot_ids, direction="downstream"):
        """Nodes and edges of the genealogy graph of lots, as the graph view draws them.

        Lots are nodes (product, quantity made or received, on hand, level, and the lot
        status when lots have one); transformations link a component lot to the lot made
        from it, deliveries a lot to its customers, with quantities. When lots and
        customers together are more than ``_lot_graph_node_limit``, the customers of each
        lot are one node (count and quantity delivered).

        :param lot_ids: ids of the lots traced
        :param direction: ``"downstream"`` or ``"upstream"``
        :return: dict with ``direction``, ``grouped``, ``nodes`` and ``edges``
        :raise AccessError: when the user may not read one of the lots
        """
        result = self.env["lot.genealogy"].trace(lot_ids, direction)
        roots = set(result["root_lot_ids"])
        depth = {row["lot_id"]: row["depth"] for row in result["lots"]}
        lots = self.env["stock.lot"].browse(depth)
        made = defaultdict(float)
        delivered = defaultdict(float)
        returned = defaultdict(float)
        for move in result["movements"]:
            key = (move["lot_id"], move["partner_id"] or False)
            if move["kind"] in GRAPH_IN_KINDS:
                made[move["lot_id"]] += move["quantity"]
            elif move["kind"] == "delivery":
                delivered[key] += move["quantity"]
            elif move["kind"] == "customer_return":
                returned[key] += move["quantity"]
        on_hand = defaultdict(float)
        for stock in result["on_hand"]:
            on_hand[stock["lot_id"]] += stock["quantity"]
        status = lots._fields.get("lot_status")
        status_labels = dict(status._description_selection(self.env)) if status else {}
        nodes = []
        for lot in lots:
            node = {
                "id": f"lot-{lot.id}",
                "type": "lot",
                "res_id": lot.id,
                "name": lot.name,
                "product": lot.product_id.display_name,
                "uom": lot.product_id.uom_id.name,
                "quantity": made[lot.id],
                "on_hand": on_hand[lot.id],
                "depth": depth[lot.id],
                "root": lot.id in roots,
                "status": False,
                "status_label": False,
            }
            if status:
                node["status"] = lot.lot_status
                node["status_label"] = status_labels.get(lot.lot_status, False)
            nodes.append(node)
        uom = {node["res_id"]: node["uom"] for node in nodes}
        edges = [
            {
                "source": f"lot-{edge['in_lot']}",
                "target": f"lot-{edge['out_lot']}",
                "kind": "transformation",
                "quantity": edge["quantity"],
                "uom": uom[edge["in_lot"]],
                "returned": 0.0,
            }
            for edge in result["edges"]
        ]
        customers = self.env["res.partner"].browse(
            {partner for _lot, partner in delivered if partner}
        )
        grouped = len(lots) + len(customers) > self._lot_graph_node_limit
        if grouped:
            nodes_edges = self._lot_graph_customer_groups(delivered, returned, depth, uom)
        else:
            nodes_edges = self._lot_graph_customers(delivered, returned, depth, uom, customers)
        nodes += nodes_edges[0]
        edges += nodes_edges[1]
        return {"direction": direction, "grouped": grouped, "nodes": nodes, "edges": edges}

    def _lot_graph_customers(self, delivered, returned, depth, uom, customers):
        """One node per customer, one edge per lot delivered to it."""
        names = {partner.id: partner.display_name for partner in customers}
        nodes = {}
        edges = []
        for (lot_id, partner_id), quantity in delivered.items():
            node_id = f"partner-{partner_id or 0}"
            node = nodes.setdefault(
                node_id,
                {
                    "id": node_id,
                    "type": "customer",
                    "res_id": partner_id,
                    "name": names.get(partner_id) or self.env._("No customer"),
                    "depth": depth[lot_id] + 1,
                },
            )
            node["depth"] = min(node["depth"], depth[lot_id] + 1)
            edges.append(
                {
                    "source": f"lot-{lot_id}",
                    "target": node_id,
                    "kind": "delivery",
                    "quantity": quantity,
                    "uom": uom[lot_id],
                    "returned": returned.get((lot_id, partner_id), 0.0),
                }
            )
        return sorted(nodes.values(), key=lambda node: node["name"]), edges

    def _lot_graph_customer_groups(self, delivered, returned, depth, uom):
        """One node per lot for all its customers, with their count and the quantity."""
        groups = defaultdict(lambda: {"customers": set(), "quantity": 0.0, "returned": 0.0})
        for (lot_id, partner_id), quantity in delivered.items():
            group = groups[lot_id]
            group["customers"].add(partner_id)
            group["quantity"] += quantity
            group["returned"] += returned.get((lot_id, partner_id), 0.0)
        nodes, edges = [], []
        for lot_id, group in groups.items():
            count = len(group["customers"])
            nodes.append(
                {
                    "id": f"customers-{lot_id}",
                    "type": "customers",
                    "res_id": lot_id,
                    "name": self.env._("%(count)s customers", count=count)
                    if count > 1
                    else self.env._("1 customer"),
                    "count": count,
                    "depth": depth[lot_id] + 1,
                }
            )
            edges.append(
                {
                    "source": f"lot-{lot_id}",
                    "target": f"customers-{lot_id}",
                    "kind": "delivery",
                    "quantity": group["quantity"],
                    "uom": uom[lot_id],
                    "returned": group["returned"],
                }
            )
        return nodes, edges

    def action_view_customers(self):
        """Deliveries and returns of the trace, grouped by customer."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Customers"),
            "res_model": "lot.trace.line",
            "view_mode": "list,pivot",
            "domain": [
                ("trace_id", "=", self.id),
                ("kind", "in", list(CUSTOMER_KINDS)),
            ],
            "context": {"group_by": ["partner_id"]},
        }

    def action_export_xlsx(self):
        """Download the trace as an Excel workbook."""
        return self._download(self._xlsx_content(), "xlsx")

    def action_export_csv(self):
        """Download the trace as a CSV file."""
        return self._download(self._csv_content(), "csv")

    def _export_rows(self):
        self.ensure_one()
        kinds = dict(TRACE_LINE_KINDS)
        header = [
            self.env._("Level"),
            self.env._("Kind"),
            self.env._("Lot"),
            self.env._("Product"),
            self.env._("Related Lot"),
            self.env._("Date"),
            self.env._("Quantity"),
            self.env._("Unit"),
            self.env._("Partner"),
            self.env._("Reference"),
            self.env._("From"),
            self.env._("To"),
        ]
        rows = [
            [
                line.depth,
                kinds[line.kind],
                line.lot_id.name,
                line.product_id.display_name,
                line.related_lot_id.name or "",
                fields.Datetime.to_string(line.date) if line.date else "",
                line.quantity,
                line.uom_id.name,
                line.partner_id.display_name or "",
                line.reference or line.production_id.name or "",
                line.location_id.complete_name or "",
                line.location_dest_id.complete_name or "",
            ]
            for line in self.line_ids
        ]
        return header, rows

    def _csv_content(self):
        return csv_bytes(*self._export_rows())

    def _xlsx_content(self):
        header, rows = self._export_rows()
        return xlsx_bytes([XlsxSheet(self.env._("Trace"), header, rows)])

    def _download(self, content, extension):
        self.ensure_one()
        names = "-".join(self.lot_ids.mapped("name"))[:60]
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"trace-{self.direction}-{names}.{extension}",
                "raw": content,
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }


class LotTraceLine(models.TransientModel):
    """One step of a lot genealogy: a transformation, a movement or stock on hand."""

    _name = "lot.trace.line"
    _description = "Lot Genealogy Line"
    _order = "depth, lot_id, date, id"

    trace_id = fields.Many2one("lot.trace", required=True, ondelete="cascade", index=True)
    depth = fields.Integer(
        string="Level", help="Transformations between the traced lot and this one."
    )
    kind = fields.Selection(TRACE_LINE_KINDS, required=True)
    lot_id = fields.Many2one("stock.lot", required=True)
    product_id = fields.Many2one("product.product")
    related_lot_id = fields.Many2one(
        "stock.lot",
        help="For a transformation: the lot this one was made from (downstream) or went into "
        "(upstream).",
    )
    date = fields.Datetime()
    quantity = fields.Float(digits="Product Unit of Measure")
    uom_id = fields.Many2one("uom.uom", string="Unit")
    partner_id = fields.Many2one(
        "res.partner",
        help="The customer of deliveries, dropships and customer returns, the vendor of "
        "receipts and returns to the vendor.",
    )
    vendor_id = fields.Many2one(
        "res.partner",
        help="Who the lot came from, on receipts (dropships included) and returns to the vendor.",
    )
    picking_id = fields.Many2one("stock.picking", string="Transfer")
    production_id = fields.Many2one("mrp.production", string="Manufacturing Order")
    reference = fields.Char()
    location_id = fields.Many2one("stock.location", string="From")
    location_dest_id = fields.Many2one("stock.location", string="To")
