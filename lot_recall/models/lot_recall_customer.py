from markupsafe import Markup
from odoo import api, fields, models
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

# Done move lines of the lots coming back from a customer location (a customer return in
# lot.genealogy's classification), per commercial partner of the transfer.
_RETURNED_SQL = """
SELECT p.commercial_partner_id, SUM(ml.quantity_product_uom)
  FROM stock_move_line ml
  JOIN stock_location src ON src.id = ml.location_id
  JOIN stock_location dst ON dst.id = ml.location_dest_id
  JOIN stock_picking pk ON pk.id = ml.picking_id
  JOIN res_partner p ON p.id = pk.partner_id
 WHERE ml.state = 'done' AND ml.lot_id = ANY(%(lot_ids)s)
   AND src.usage = 'customer' AND dst.usage NOT IN ('customer', 'supplier')
   AND NOT COALESCE(dst.scrap_location, FALSE)
   AND p.commercial_partner_id = ANY(%(partner_ids)s)
   AND ml.company_id = %(company_id)s
 GROUP BY 1
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
        returned = {}
        for recall in self.recall_id:
            customers = self.filtered(lambda c, recall=recall: c.recall_id == recall)
            self.env["stock.move.line"].flush_model()
            self.env.cr.execute(
                _RETURNED_SQL,
                {
                    "lot_ids": recall.affected_lot_ids.ids,
                    "partner_ids": customers.partner_id.ids,
                    "company_id": recall.company_id.id,
                },
            )
            for partner_id, quantity in self.env.cr.fetchall():
                returned[recall.id, partner_id] = quantity
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
