from collections import defaultdict

from markupsafe import Markup
from odoo import api, fields, models
from odoo.addons.lot_traceability.tools.move_kinds import (
    CUSTOMER_RETURN_KINDS,
    classify_lines,
    kind_sql,
)
from odoo.exceptions import AccessError, UserError

RESPONSES = [
    ("pending", "No Response Yet"),
    ("acknowledged", "Acknowledged"),
    ("no_stock", "No Stock Left"),
    ("returning", "Returning"),
    ("destroyed", "Destroyed On Site"),
    ("contested", "Contested"),
]

# What a Recall Manager records of a customer; the rest comes from the scope computation.
RESPONSE_FIELDS = {"response", "response_date", "response_note", "destroyed_quantity"}

# Done move lines of the lots coming back from a customer (customer returns and dropship
# returns), per move: their customer is the move's (``classify_lines``).
_RETURNED_SQL = f"""
SELECT ml.move_id, {kind_sql()} AS kind, SUM(ml.quantity_product_uom) AS quantity
  FROM stock_move_line ml
  JOIN stock_location src ON src.id = ml.location_id
  JOIN stock_location dst ON dst.id = ml.location_dest_id
 WHERE ml.state = 'done' AND ml.lot_id = ANY(%(lot_ids)s) AND src.usage = 'customer'
   AND ml.company_id = %(company_id)s
 GROUP BY 1, 2
"""

_COMMERCIAL_PARTNERS_SQL = """
SELECT id, COALESCE(commercial_partner_id, id) FROM res_partner WHERE id = ANY(%s)
"""


class LotRecallCustomer(models.Model):
    """A customer who received affected lots: what was delivered, returned and destroyed."""

    _name = "lot.recall.customer"
    _description = "Recall Customer"
    _order = "recall_id, partner_id"
    _rec_name = "partner_id"

    recall_id = fields.Many2one("lot.recall", required=True, ondelete="cascade", index=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True)
    email = fields.Char(related="partner_id.email")
    phone = fields.Char(related="partner_id.phone")
    delivery_line_ids = fields.One2many("lot.recall.delivery", "customer_id", string="Deliveries")
    delivery_count = fields.Integer(
        readonly=True, help="Delivered move lines of affected lots, at scoping."
    )
    delivered_quantity = fields.Float(
        readonly=True,
        digits="Product Unit of Measure",
        help="Quantity of affected lots delivered to this customer, at scoping, in each "
        "product's unit.",
    )
    returned_quantity = fields.Float(
        compute="_compute_returned_quantity",
        digits="Product Unit of Measure",
        help="Quantity of affected lots this customer returned (done returns).",
    )
    destroyed_quantity = fields.Float(
        digits="Product Unit of Measure",
        help="Quantity the customer reports having destroyed on site.",
    )
    outstanding_quantity = fields.Float(
        string="Still at Customer",
        compute="_compute_returned_quantity",
        digits="Product Unit of Measure",
    )
    recovered_percent = fields.Float(
        string="Recovered (%)", compute="_compute_returned_quantity", digits=(16, 2)
    )
    response = fields.Selection(RESPONSES, required=True, default="pending")
    response_date = fields.Date()
    response_note = fields.Text(string="Response Details")
    notified_date = fields.Datetime(readonly=True)
    return_picking_ids = fields.One2many(
        "stock.picking", "lot_recall_customer_id", string="Return Transfers"
    )

    _sql_constraints = [
        (
            "partner_unique",
            "unique(recall_id, partner_id)",
            "A customer appears once per recall.",
        ),
        (
            "destroyed_positive",
            "CHECK(destroyed_quantity >= 0)",
            "The destroyed quantity cannot be negative.",
        ),
    ]

    @api.depends("partner_id", "delivered_quantity", "destroyed_quantity")
    def _compute_returned_quantity(self):
        returned = defaultdict(float)
        for recall in self.recall_id:
            self.env["stock.move.line"].flush_model()
            self.env.cr.execute(
                _RETURNED_SQL,
                {"lot_ids": recall.affected_lot_ids.ids, "company_id": recall.company_id.id},
            )
            columns = [column.name for column in self.env.cr.description]
            rows = [dict(zip(columns, row, strict=True)) for row in self.env.cr.fetchall()]
            rows = [row for row in rows if row["kind"] in CUSTOMER_RETURN_KINDS]
            classify_lines(self.env, rows)
            self.env.cr.execute(
                _COMMERCIAL_PARTNERS_SQL, [list({row["customer_id"] for row in rows} - {False})]
            )
            commercial = dict(self.env.cr.fetchall())
            for row in rows:
                partner_id = commercial.get(row["customer_id"])
                if partner_id:
                    returned[recall.id, partner_id] += row["quantity"]
        for customer in self:
            customer.returned_quantity = returned.get(
                (customer.recall_id.id, customer.partner_id.id), 0.0
            )
            recovered = min(
                customer.returned_quantity + customer.destroyed_quantity,
                customer.delivered_quantity,
            )
            customer.outstanding_quantity = customer.delivered_quantity - recovered
            customer.recovered_percent = (
                100.0 * recovered / customer.delivered_quantity
                if customer.delivered_quantity
                else 0.0
            )

    def write(self, vals):
        if self.recall_id.filtered(lambda r: r.state in ("closed", "cancelled")):
            raise UserError(
                self.env._("The customers of a closed or cancelled recall cannot be changed.")
            )
        if not self.env.su and set(vals) - RESPONSE_FIELDS:
            raise AccessError(
                self.env._(
                    "Only the response of a recall customer can be changed: who was delivered "
                    "what comes from the scope of the recall."
                )
            )
        res = super().write(vals)
        if {"response", "destroyed_quantity", "response_note"} & set(vals):
            self._log_response()
        return res

    def _log_response(self):
        """Note each customer's response on its recall, for the timeline."""
        responses = dict(self._fields["response"]._description_selection(self.env))
        for customer in self:
            customer.recall_id.message_post(
                body=Markup("%s<br/>%s")
                % (
                    self.env._(
                        "Response of %(customer)s: %(response)s, %(destroyed)s destroyed on site.",
                        customer=customer.partner_id.display_name,
                        response=responses[customer.response],
                        destroyed=customer.destroyed_quantity,
                    ),
                    customer.response_note or "",
                ),
                subtype_xmlid="mail.mt_note",
            )
