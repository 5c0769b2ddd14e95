import math
import os
from collections import defaultdict

from markupsafe import Markup
from odoo import api, fields, models
from odoo.addons.lot_traceability.tools.move_kinds import (
    CUSTOMER_RETURN_KINDS,
    classify_lines,
    kind_sql,
)
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.mimetypes import guess_mimetype

RESPONSES = [
    ("pending", "No Response Yet"),
    ("acknowledged", "Acknowledged"),
    ("no_stock", "No Stock Left"),
    ("returning", "Returning"),
    ("destroyed", "Destroyed On Site"),
    ("contested", "Contested"),
]

# What a Recall Manager records of a customer, and the customer on the response page; the
# rest comes from the scope computation.
RESPONSE_FIELDS = {
    "response",
    "response_date",
    "response_note",
    "destroyed_quantity",
    "reported_on_hand_quantity",
    "reported_returning_quantity",
}
# Fields whose change is noted on the recall.
LOGGED_FIELDS = RESPONSE_FIELDS - {"response_date"}

# Answers a customer can give on the response page.
PORTAL_RESPONSES = ("acknowledged", "no_stock", "returning", "destroyed", "contested")
# Limits of what the response page accepts.
PORTAL_NOTE_MAX = 2000
PORTAL_FILES_MAX = 3
PORTAL_FILE_SIZE_MAX = 10 * 1024 * 1024
# Accepted file types, read from the content, with the extension their name is given.
PORTAL_MIMETYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
}

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
    _inherit = ["portal.mixin"]
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
    reported_on_hand_quantity = fields.Float(
        string="Reported On Hand",
        digits="Product Unit of Measure",
        help="Quantity the customer reports still holding.",
    )
    reported_returning_quantity = fields.Float(
        string="Reported Being Returned",
        digits="Product Unit of Measure",
        help="Quantity the customer reports sending back.",
    )
    response = fields.Selection(RESPONSES, required=True, default="pending")
    response_date = fields.Date()
    response_note = fields.Text(string="Response Details")
    notified_date = fields.Datetime(readonly=True)
    notify_state = fields.Selection(
        [
            ("queued", "Queued"),
            ("sent", "Notified"),
            ("no_email", "No Email Address"),
            ("failed", "Failed"),
        ],
        string="Notification",
        readonly=True,
        copy=False,
        help="Where the recall's notification of this customer stands: queued for the "
        "background job, sent, not sent for want of an email address, or refused (see "
        "Notification Error; Notify Customers again retries it).",
    )
    notify_error = fields.Text(
        string="Notification Error",
        readonly=True,
        copy=False,
        help="Why the notification could not be sent to this customer.",
    )
    return_state = fields.Selection(
        [("queued", "Queued"), ("done", "Done"), ("failed", "Failed")],
        string="Returns",
        readonly=True,
        copy=False,
        help="Queued: the recall's Create Returns will create this customer's return "
        "transfers; done: they were created (or nothing was left to return); failed: they "
        "were refused (see Returns Error; Create Returns again retries them).",
    )
    return_error = fields.Text(
        string="Returns Error",
        readonly=True,
        copy=False,
        help="Why the return transfers of this customer could not be created.",
    )
    return_picking_ids = fields.One2many(
        "stock.picking", "lot_recall_customer_id", string="Return Transfers"
    )
    # The token of the response page answers for the customer: only Recall Managers see
    # or create it (by sending the notification).
    access_token = fields.Char(groups="lot_recall.group_recall_manager")

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
        (
            "reported_on_hand_positive",
            "CHECK(reported_on_hand_quantity >= 0)",
            "The quantity on hand cannot be negative.",
        ),
        (
            "reported_returning_positive",
            "CHECK(reported_returning_quantity >= 0)",
            "The quantity being returned cannot be negative.",
        ),
    ]

    def _compute_access_url(self):
        for customer in self:
            customer.access_url = f"/recall/response/{customer.id}"

    @api.depends("partner_id", "delivered_quantity", "destroyed_quantity")
    def _compute_returned_quantity(self):
        returned = defaultdict(float)
        for recall in self.recall_id:
            self.env["stock.move.line"].flush_model()
            self.env.cr.execute(
                _RETURNED_SQL,
                {"lot_ids": recall.affected_lot_ids.ids, "company_id": recall.company_id.id},
            )
            rows = [
                row for row in self.env.cr.dictfetchall() if row["kind"] in CUSTOMER_RETURN_KINDS
            ]
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
        if LOGGED_FIELDS & set(vals):
            self._log_response()
        return res

    def _log_response(self):
        """Note each customer's response on its recall, for the timeline; signed by the
        customer when given on the response page (by the public user)."""
        responses = dict(self._fields["response"]._description_selection(self.env))
        from_page = self.env.user._is_public()
        for customer in self:
            summary = self.env._(
                "Response of %(customer)s: %(response)s, %(destroyed)s destroyed on site.",
                customer=customer.partner_id.display_name,
                response=responses[customer.response],
                destroyed=customer.destroyed_quantity,
            )
            if customer.reported_on_hand_quantity or customer.reported_returning_quantity:
                summary += " " + self.env._(
                    "%(on_hand)s on hand, %(returning)s being returned.",
                    on_hand=customer.reported_on_hand_quantity,
                    returning=customer.reported_returning_quantity,
                )
            if from_page:
                summary += " " + self.env._("(answered on the recall response page)")
            customer.recall_id.message_post(
                body=Markup("%s<br/>%s") % (summary, customer.response_note or ""),
                subtype_xmlid="mail.mt_note",
                author_id=customer.partner_id.id if from_page else None,
            )

    # ------------------------------------------------------------------ response page

    def _lot_portal_is_open(self):
        """Whether the response page of this customer is open: a recall under way whose
        customers were notified (tokens expire when the recall closes or is cancelled)."""
        self.ensure_one()
        return self.recall_id.state == "in_progress" and bool(self.notified_date)

    def _lot_portal_respond(self, values, files=()):
        """Record the answer a customer gave on the response page.

        Called on the customer line found by its access token, as superuser. ``values``
        are the form's strings (response, on_hand, destroyed, returning, note), ``files``
        (name, content) pairs. Everything is checked before anything is written; only the
        response fields are written, and the files are attached to the recall's note.

        :raise ValidationError: with a message for the customer
        """
        self.ensure_one()
        if not self._lot_portal_is_open():
            raise ValidationError(self.env._("This recall no longer takes answers."))
        response = values.get("response")
        if response not in PORTAL_RESPONSES:
            raise ValidationError(self.env._("Choose what you did with the products."))
        quantities = {
            field: self._lot_portal_quantity(values.get(key), label)
            for field, key, label in (
                ("reported_on_hand_quantity", "on_hand", self.env._("on hand")),
                ("destroyed_quantity", "destroyed", self.env._("destroyed")),
                ("reported_returning_quantity", "returning", self.env._("being returned")),
            )
        }
        note = (values.get("note") or "").strip()
        if len(note) > PORTAL_NOTE_MAX:
            raise ValidationError(
                self.env._("Keep your message under %s characters.", PORTAL_NOTE_MAX)
            )
        attachments = self._lot_portal_attachments(files)
        self.write(
            dict(
                quantities,
                response=response,
                response_note=note,
                response_date=fields.Date.context_today(self),
            )
        )
        if attachments:
            self.recall_id.message_post(
                body=self.env._("Documents from %s", self.partner_id.display_name),
                attachments=attachments,
                author_id=self.partner_id.id,
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _lot_portal_quantity(self, text, label):
        """A reported quantity from the form: a number from zero to the delivered
        quantity."""
        try:
            quantity = float((text or "0").strip().replace(",", "."))
        except ValueError:
            quantity = -1.0
        rounding = self.delivery_line_ids[:1].uom_id.rounding or 0.001
        if (
            not math.isfinite(quantity)
            or quantity < 0
            or quantity - self.delivered_quantity > rounding / 2
        ):
            raise ValidationError(
                self.env._(
                    "The quantity %(label)s must be a number from 0 to %(delivered)s, the "
                    "quantity delivered to you.",
                    label=label,
                    delivered=self.delivered_quantity,
                )
            )
        return quantity

    def _lot_portal_attachments(self, files):
        """(name, content) of the uploaded files, checked: a few PDF files or photos of
        limited size, their type read from their content and their name ending with it."""
        files = [(name, content) for name, content in files if content]
        if len(files) > PORTAL_FILES_MAX:
            raise ValidationError(self.env._("Attach at most %s files.", PORTAL_FILES_MAX))
        attachments = []
        for name, content in files:
            if len(content) > PORTAL_FILE_SIZE_MAX:
                raise ValidationError(
                    self.env._(
                        "%(file)s is too large: files up to %(size)s MB are accepted.",
                        file=name,
                        size=PORTAL_FILE_SIZE_MAX // (1024 * 1024),
                    )
                )
            mimetype = guess_mimetype(content)
            if mimetype not in PORTAL_MIMETYPES:
                raise ValidationError(
                    self.env._("%s is not a PDF file or a photo (JPEG, PNG or WebP).", name)
                )
            # The name decides the attachment's type when it is served: keep it to the
            # type of the content.
            stem = os.path.splitext(os.path.basename(name or ""))[0][:100] or "document"
            attachments.append((stem + PORTAL_MIMETYPES[mimetype], content))
        return attachments
