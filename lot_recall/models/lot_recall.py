import logging
import math
import re
import textwrap
import time
import uuid
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup
from odoo import Command, api, fields, models
from odoo.addons.lot_fefo.tools.status import BLOCKED_STATUSES
from odoo.addons.lot_traceability.tools import timezones
from odoo.addons.lot_traceability.tools.move_kinds import DELIVERY_KINDS
from odoo.addons.lot_traceability.tools.protected import code_defaults
from odoo.addons.lot_traceability.tools.sql import insert_rows
from odoo.addons.lot_traceability.tools.timezones import day_start_utc
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, clean_context, float_compare, float_is_zero, format_list, is_html_empty
from odoo.tools.mail import html_to_inner_content
from odoo.tools.misc import formatLang

from .lot_recall_lot import lot_effectiveness
from .mail_message import SIGNATURE_FIELDS

_logger = logging.getLogger(__name__)

# Quantities of a recall's effectiveness, added up per product and unit.
EFFECTIVENESS_FIGURES = (
    "base",
    "delivered",
    "returned",
    "destroyed",
    "never_shipped_blocked",
    "recovered",
    "at_customers",
    "in",
    "accounted",
    "unaccounted",
)
RECALL_KINDS = [
    ("recall", "Recall"),
    ("withdrawal", "Market Withdrawal"),
    ("mock", "Mock Recall"),
]
RECALL_CLASSES = [
    ("1", "Class I: serious health risk"),
    ("2", "Class II: temporary or reversible health effects"),
    ("3", "Class III: unlikely to cause harm"),
]
SCOPE_TYPES = [
    ("lots", "Lots"),
    ("supplier_lots", "Supplier Lot Numbers"),
    ("component_lot", "Component Lot"),
    ("product_dates", "Product and Production Dates"),
]
STATES = [
    ("draft", "Draft"),
    ("scoped", "Scoped"),
    ("in_progress", "In Progress"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]
# Fields that define what is recalled, and the mock recall's target: frozen once the
# recall is under way.
SCOPE_FIELDS = {
    "mock_target_hours",
    "kind",
    "scope_type",
    "scope_lot_ids",
    "scope_supplier_lot_names",
    "scope_supplier_id",
    "scope_component_lot_id",
    "scope_product_ids",
    "scope_date_from",
    "scope_date_to",
}

# Fields only the recall's actions write (after their own checks, as superuser).
WORKFLOW_FIELDS = {
    "state",
    "affected_lot_ids",
    "lot_line_ids",
    "delivery_line_ids",
    "return_picking_ids",
    "date_started",
    "date_traced",
    "date_blocked",
    "date_notified",
    "date_returns",
    "date_closed",
    "effectiveness_reviewed",
    "effectiveness_review_date",
    "effectiveness_reviewer_id",
    "reviewed_recovered_percent",
}

# Most supplier lot numbers a recall is scoped by: a supplier's recall names a few lots;
# an unbounded list would make one search, and its messages, as large as the input.
SUPPLIER_LOT_NAMES_MAX = 1000

_COMMERCIAL_PARTNERS_SQL = """
SELECT id, COALESCE(commercial_partner_id, id) FROM res_partner WHERE id = ANY(%s)
"""

# The move lines, among those of a trace, of one company.
_COMPANY_LINES_SQL = """
SELECT id FROM stock_move_line WHERE id = ANY(%s) AND company_id = %s
"""

# Lots of the company, and lots without company that the company moved.
_COMPANY_LOTS_SQL = """
SELECT lot.id
  FROM stock_lot lot
 WHERE lot.id = ANY(%(lot_ids)s)
   AND (lot.company_id = %(company_id)s
        OR lot.company_id IS NULL AND EXISTS (
            SELECT 1 FROM stock_move_line ml
             WHERE ml.lot_id = lot.id AND ml.state = 'done'
               AND ml.company_id = %(company_id)s))
"""

# Delivered quantities of the recall customers' delivery lines, per customer, delivery,
# delivered move and lot, with the rounding of the move's unit.
_DELIVERED_SQL = """
SELECT d.customer_id, ml.picking_id, ml.move_id, d.lot_id, SUM(d.quantity), MAX(uom.rounding)
  FROM lot_recall_delivery d
  JOIN stock_move_line ml ON ml.id = d.move_line_id
  JOIN stock_move move ON move.id = ml.move_id
  JOIN uom_uom uom ON uom.id = move.product_uom
 WHERE d.customer_id = ANY(%(customer_ids)s) AND ml.picking_id IS NOT NULL
 GROUP BY 1, 2, 3, 4
 ORDER BY 1, 2, 3, 4
"""

# What is already on return transfers (not cancelled, whatever their reservation) per
# delivered move and lot: the delivered lines a recall linked to its return moves, and
# the lines of the other return moves.
_RETURN_LINES_SQL = """
SELECT line.move_id, line.lot_id, SUM(linked.quantity)
  FROM (SELECT DISTINCT ON (d.move_line_id) d.move_line_id, d.quantity
          FROM lot_recall_delivery d
          JOIN stock_move ret ON ret.id = d.return_move_id AND ret.state != 'cancel'
          JOIN stock_move_line ml ON ml.id = d.move_line_id
         WHERE ml.move_id = ANY(%(move_ids)s)) linked
  JOIN stock_move_line line ON line.id = linked.move_line_id
 GROUP BY 1, 2
UNION ALL
SELECT move.origin_returned_move_id, line.lot_id, SUM(line.quantity_product_uom)
  FROM stock_move move
  JOIN stock_move_line line ON line.move_id = move.id
 WHERE move.origin_returned_move_id = ANY(%(move_ids)s) AND move.state != 'cancel'
   AND NOT EXISTS (SELECT 1 FROM lot_recall_delivery d WHERE d.return_move_id = move.id)
 GROUP BY 1, 2
"""

# Background jobs of the recall's long actions: job -> (model of its work lines, the field
# marking where each line stands: "queued" until a batch has done its work, committed with
# that work, so a job stopped halfway resumes without doing anything twice).
JOB_LINES = {
    "block": ("lot.recall.lot", "block_state"),
    "notify": ("lot.recall.customer", "notify_state"),
    "returns": ("lot.recall.customer", "return_state"),
}
# The field of each job's work line keeping why Odoo refused the line, marked "failed":
# the job goes on with the other lines, and pressing its button again retries it.
JOB_ERRORS = {"block": "block_error", "notify": "notify_error", "returns": "return_error"}
# Failed work lines a job's note lists, then how many more, and the characters of each
# reason it shows (the line keeps the whole of it).
JOB_FAILURES_LISTED = 20
JOB_REASON_CHARS = 300
# Work lines per batch (one transaction each). A job of one batch at most runs at once, in
# the request of its button; a larger one is left to the cron "Recall: background jobs".
JOB_BATCH = {"block": 200, "notify": 200, "returns": 100}
JOB_STATES = [("queued", "Queued"), ("running", "Running"), ("done", "Done")]
# Seconds one run of the cron takes batches before it reports its progress and lets the
# cron worker run it again (well under a worker's limit_time_real_cron).
JOB_CRON_SECONDS = 60

_JOB_COUNTS_SQL = """
SELECT recall_id, 'block', COUNT(*) FILTER (WHERE block_state != 'queued'), COUNT(*),
       COUNT(*) FILTER (WHERE block_state = 'failed')
  FROM lot_recall_lot WHERE recall_id = ANY(%(ids)s) AND block_state IS NOT NULL
 GROUP BY recall_id
UNION ALL
SELECT recall_id, 'notify', COUNT(*) FILTER (WHERE notify_state != 'queued'), COUNT(*),
       COUNT(*) FILTER (WHERE notify_state = 'failed')
  FROM lot_recall_customer WHERE recall_id = ANY(%(ids)s) AND notify_state IS NOT NULL
 GROUP BY recall_id
UNION ALL
SELECT recall_id, 'returns', COUNT(*) FILTER (WHERE return_state != 'queued'), COUNT(*),
       COUNT(*) FILTER (WHERE return_state = 'failed')
  FROM lot_recall_customer WHERE recall_id = ANY(%(ids)s) AND return_state IS NOT NULL
 GROUP BY recall_id
"""

# Recalls with queued work, and how many lines are queued.
_QUEUED_SQL = """
SELECT recall_id, SUM(n) FROM (
    SELECT recall_id, COUNT(*) AS n FROM lot_recall_lot
     WHERE block_state = 'queued' GROUP BY recall_id
    UNION ALL
    SELECT recall_id, COUNT(*) FILTER (WHERE notify_state = 'queued')
                    + COUNT(*) FILTER (WHERE return_state = 'queued')
      FROM lot_recall_customer
     WHERE notify_state = 'queued' OR return_state = 'queued' GROUP BY recall_id
) queued GROUP BY recall_id ORDER BY recall_id
"""

DEFAULT_INSTRUCTIONS = Markup(
    "<p>Stop selling and using the products and lots listed above at once and keep them "
    "apart from any other stock. Count what you still hold and reply to this email with "
    "that quantity. We will collect the goods, or tell you how to destroy them, and credit "
    "you in full.</p>"
)


class LotRecall(models.Model):
    """A recall, market withdrawal or mock recall of lots and everything made from them.

    The scope is computed once, set-based, with the genealogy engine (affected lots,
    customers, deliveries); stock, reservations and manufacturing orders are read live.
    Only Recall Managers act on a case; Recall Users read it.
    """

    _name = "lot.recall"
    _description = "Recall"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_started desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: self.env._("New"),
    )
    kind = fields.Selection(RECALL_KINDS, required=True, default="recall", tracking=True)
    recall_class = fields.Selection(
        RECALL_CLASSES,
        string="Class",
        tracking=True,
        help="FDA recall classification, by the health risk of the product.",
    )
    reason = fields.Text(required=True, tracking=True)
    root_cause = fields.Text()
    authority_reference = fields.Char(
        tracking=True, help="The authority's reference of this recall, e.g. an FDA event ID."
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        check_company=True,
        help="Signs the notices to customers, gets their replies and runs the recall's "
        "background jobs: a Recall User of the recall's company.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    state = fields.Selection(
        STATES, required=True, readonly=True, default="draft", tracking=True, copy=False
    )

    scope_type = fields.Selection(
        SCOPE_TYPES, string="Scope By", required=True, default="lots", tracking=True
    )
    scope_lot_ids = fields.Many2many(
        "stock.lot",
        "lot_recall_scope_lot_rel",
        "recall_id",
        "lot_id",
        string="Recalled Lots",
        check_company=True,
        help="The lots recalled: chosen for a scope by lots, found from the other criteria "
        "when the scope is computed.",
    )
    scope_supplier_lot_names = fields.Text(
        string="Supplier Lot Numbers", help="One per line, or separated by commas."
    )
    scope_supplier_id = fields.Many2one(
        "res.partner",
        string="Supplier",
        check_company=True,
        help="Only lots received from this supplier.",
    )
    scope_component_lot_id = fields.Many2one(
        "stock.lot",
        string="Component Lot",
        check_company=True,
        help="Everything made from this lot, and the lot itself, is recalled.",
    )
    scope_product_ids = fields.Many2many("product.product", string="Products", check_company=True)
    scope_date_from = fields.Date(
        string="Produced From",
        help="First production day (receipt day for lots received without one).",
    )
    scope_date_to = fields.Date(string="Produced To")

    affected_lot_ids = fields.Many2many(
        "stock.lot",
        "lot_recall_affected_lot_rel",
        "recall_id",
        "lot_id",
        string="Affected Lots",
        readonly=True,
        copy=False,
        help="The recalled lots and every lot made from them, at any level.",
    )
    lot_line_ids = fields.One2many("lot.recall.lot", "recall_id", string="Affected Lot Lines")
    delivery_line_ids = fields.One2many("lot.recall.delivery", "recall_id", string="Deliveries")
    customer_ids = fields.One2many("lot.recall.customer", "recall_id", string="Customers")
    return_picking_ids = fields.One2many(
        "stock.picking", "lot_recall_id", string="Return Transfers"
    )
    quant_ids = fields.Many2many(
        "stock.quant", compute="_compute_live_lines", string="Stock on Hand"
    )
    reserved_move_line_ids = fields.Many2many(
        "stock.move.line",
        compute="_compute_live_lines",
        string="Reservations",
        help="Open operations reserving or using affected lots.",
    )
    open_sale_line_ids = fields.Many2many(
        "sale.order.line",
        compute="_compute_live_lines",
        string="Open Sale Order Lines",
        help="Confirmed sale order lines of affected products not fully delivered yet.",
    )
    production_ids = fields.Many2many(
        "mrp.production",
        compute="_compute_live_lines",
        string="Manufacturing Orders",
        help="Manufacturing orders in progress that consume affected lots.",
    )
    affected_lot_count = fields.Integer(compute="_compute_counts")
    customer_count = fields.Integer(compute="_compute_counts")
    delivery_count = fields.Integer(compute="_compute_counts")
    return_count = fields.Integer(compute="_compute_counts")

    relocate_stock = fields.Boolean(
        string="Move Stock to Quarantine",
        help="When blocking, also move the affected stock of each warehouse to its quarantine "
        "location.",
    )
    customer_instructions = fields.Html(
        string="Instructions to Customers",
        default=DEFAULT_INSTRUCTIONS,
        help="What customers must do, printed in their notification.",
    )
    corrective_action = fields.Html(help="Required to close the recall.")

    date_started = fields.Datetime(
        string="Started", required=True, readonly=True, copy=False, default=fields.Datetime.now
    )
    date_traced = fields.Datetime(
        string="Traced", readonly=True, copy=False, help="When the scope was last computed."
    )
    date_blocked = fields.Datetime(string="Stock Blocked", readonly=True, copy=False)
    date_notified = fields.Datetime(string="Customers Notified", readonly=True, copy=False)
    date_returns = fields.Datetime(string="Returns Created", readonly=True, copy=False)
    date_closed = fields.Datetime(string="Closed", readonly=True, copy=False)
    trace_duration = fields.Float(
        string="Time to Trace (hours)",
        compute="_compute_mock_result",
        store=True,
        help="From the start of the recall to the complete trace.",
    )
    mock_target_hours = fields.Float(
        string="Target (hours)",
        default=lambda self: self.env.company.lot_recall_mock_target_hours,
        help="A mock recall passes when its trace is complete within this time.",
    )
    mock_result = fields.Selection(
        [("passed", "Passed"), ("failed", "Failed")],
        compute="_compute_mock_result",
        store=True,
    )

    effectiveness_uom_id = fields.Many2one(
        "uom.uom",
        string="Unit",
        compute="_compute_effectiveness",
        help="The unit of every affected product. Products in different units are not added "
        "up: see each product in the recall summary and each lot in Affected Lots.",
    )
    quantity_base = fields.Float(
        string="Produced or Received",
        compute="_compute_effectiveness",
        digits="Product Unit of Measure",
        help="Of the affected lots, less what was consumed into other affected lots.",
    )
    quantity_delivered = fields.Float(
        string="Shipped", compute="_compute_effectiveness", digits="Product Unit of Measure"
    )
    quantity_returned = fields.Float(
        string="Returned", compute="_compute_effectiveness", digits="Product Unit of Measure"
    )
    quantity_destroyed = fields.Float(
        string="Destroyed",
        compute="_compute_effectiveness",
        digits="Product Unit of Measure",
        help="Scrapped here, and destroyed by customers on site.",
    )
    quantity_never_shipped_blocked = fields.Float(
        string="Never Shipped and Blocked",
        compute="_compute_effectiveness",
        digits="Product Unit of Measure",
    )
    quantity_at_customers = fields.Float(
        string="Still at Customers",
        compute="_compute_effectiveness",
        digits="Product Unit of Measure",
    )
    quantity_recovered = fields.Float(
        string="Recovered", compute="_compute_effectiveness", digits="Product Unit of Measure"
    )
    recovered_percent = fields.Float(
        string="Recovered (%)",
        compute="_compute_effectiveness",
        digits=(16, 2),
        help="(Returned + destroyed + never shipped and blocked) / produced or received, per "
        "product and unit; the lowest of the products'.",
    )
    quantity_in = fields.Float(
        string="Mass Balance In",
        compute="_compute_effectiveness",
        digits="Product Unit of Measure",
    )
    quantity_unaccounted = fields.Float(
        string="Unaccounted", compute="_compute_effectiveness", digits="Product Unit of Measure"
    )
    accounted_percent = fields.Float(
        string="Accounted For (%)",
        compute="_compute_effectiveness",
        digits=(16, 2),
        help="Mass balance: (out + on hand) / in over the affected lots, per product and "
        "unit; the lowest of the products'.",
    )
    block_job_state = fields.Selection(JOB_STATES, string="Blocking", compute="_compute_jobs")
    block_progress = fields.Char(string="Blocked", compute="_compute_jobs")
    block_failed = fields.Integer(
        string="Lots Failed",
        compute="_compute_jobs",
        help="Affected lots Block Stock could not set to Recalled; its note says why.",
    )
    notify_job_state = fields.Selection(JOB_STATES, string="Notifications", compute="_compute_jobs")
    notify_progress = fields.Char(string="Notified", compute="_compute_jobs")
    notify_failed = fields.Integer(
        string="Notices Failed",
        compute="_compute_jobs",
        help="Customers Notify Customers could not notify; its note says why.",
    )
    returns_job_state = fields.Selection(JOB_STATES, string="Returns", compute="_compute_jobs")
    returns_progress = fields.Char(string="Returned To", compute="_compute_jobs")
    returns_failed = fields.Integer(
        compute="_compute_jobs",
        help="Customers whose return transfers could not be created; the note of Create "
        "Returns says why.",
    )
    effectiveness_reviewed = fields.Boolean(readonly=True, copy=False, tracking=True)
    effectiveness_review_date = fields.Datetime(readonly=True, copy=False)
    effectiveness_reviewer_id = fields.Many2one("res.users", readonly=True, copy=False)
    reviewed_recovered_percent = fields.Float(
        string="Reviewed Recovered (%)", readonly=True, copy=False, digits=(16, 2)
    )

    # ------------------------------------------------------------------ constraints, CRUD

    @api.constrains("user_id")
    def _check_responsible(self):
        """The responsible signs the customers' notices, gets their replies and runs the
        recall's background jobs: he must be a Recall User."""
        for recall in self:
            if recall.user_id and not recall.user_id.has_group("lot_recall.group_recall_user"):
                raise ValidationError(
                    self.env._(
                        "%(user)s cannot be responsible for recall %(recall)s: the "
                        "responsible signs the notices to customers and gets their replies, "
                        "so he must be a Recall User.",
                        user=recall.user_id.name,
                        recall=recall.name,
                    )
                )

    @api.constrains("scope_date_from", "scope_date_to")
    def _check_scope_dates(self):
        for recall in self:
            if (
                recall.scope_date_from
                and recall.scope_date_to
                and recall.scope_date_from > recall.scope_date_to
            ):
                raise ValidationError(
                    self.env._(
                        "The production date range of %s ends before it starts.", recall.name
                    )
                )

    @api.constrains("mock_target_hours")
    def _check_mock_target(self):
        if any(
            not math.isfinite(recall.mock_target_hours) or recall.mock_target_hours <= 0
            for recall in self
        ):
            raise ValidationError(self.env._("The mock recall target must be a positive time."))

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                self._check_workflow_fields(
                    {field for field in WORKFLOW_FIELDS & set(vals) if vals[field]}
                    - ({"state"} if vals.get("state") == "draft" else set())
                )
                if vals.get("name", self.env._("New")) != self.env._("New"):
                    self._refuse_reference()
        code_defaults(self, vals_list, WORKFLOW_FIELDS)
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                company = self.env["res.company"].browse(vals.get("company_id"))
                vals["name"] = self.env["ir.sequence"].with_company(
                    company or self.env.company
                ).next_by_code("lot.recall") or self.env._("New")
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._check_workflow_fields(WORKFLOW_FIELDS & set(vals))
            if "name" in vals:
                self._refuse_reference()
        if SCOPE_FIELDS & set(vals) and any(
            recall.state not in ("draft", "scoped") for recall in self
        ):
            raise UserError(
                self.env._("The scope of a recall cannot change once it is in progress.")
            )
        if "company_id" in vals and any(
            recall.state != "draft" and recall.company_id.id != vals["company_id"]
            for recall in self
        ):
            raise UserError(
                self.env._("The company of a recall cannot change once its scope is computed.")
            )
        return super().write(vals)

    def message_post(self, **kwargs):
        """Post on the recall's history as oneself, dated now, without field changes
        (see ``mail.message``); the superuser posts as anyone."""
        if not self.env.su:
            author_id, _email_from = self._message_compute_author(
                kwargs.get("author_id"), kwargs.get("email_from"), raise_on_email=False
            )
            if author_id != self.env.user.partner_id.id or any(
                kwargs.get(name) for name in SIGNATURE_FIELDS - {"author_id"}
            ):
                self.env["mail.message"]._lot_refuse_history()
        return super().message_post(**kwargs)

    def _refuse_reference(self):
        """Refuse a reference other than the recall's sequence's, which its customers,
        the authorities and the scrapped stock (source document) know it by."""
        raise AccessError(self.env._("The reference of a recall is given by its sequence."))

    def _check_workflow_fields(self, fields_written):
        """Refuse the fields only the recall's actions write."""
        if fields_written:
            names = self.fields_get(sorted(fields_written), ["string"])
            raise AccessError(
                self.env._(
                    "%(fields)s of a recall change only through its buttons (compute the "
                    "scope, block stock, review effectiveness, close...).",
                    fields=format_list(self.env, [names[f]["string"] for f in names]),
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft_or_cancelled(self):
        if any(recall.state not in ("draft", "cancelled") for recall in self):
            raise UserError(self.env._("Only draft or cancelled recalls can be deleted."))

    # ------------------------------------------------------------------ computes

    @api.depends("date_started", "date_traced", "mock_target_hours", "kind")
    def _compute_mock_result(self):
        for recall in self:
            if recall.date_traced and recall.date_started:
                seconds = (recall.date_traced - recall.date_started).total_seconds()
                recall.trace_duration = max(0.0, seconds / 3600.0)
            else:
                recall.trace_duration = 0.0
            if recall.kind == "mock" and recall.date_traced:
                recall.mock_result = (
                    "passed" if recall.trace_duration <= recall.mock_target_hours else "failed"
                )
            else:
                recall.mock_result = False

    @api.depends("affected_lot_ids", "delivery_line_ids", "customer_ids", "return_picking_ids")
    def _compute_counts(self):
        for recall in self:
            recall.affected_lot_count = len(recall.affected_lot_ids)
            recall.customer_count = len(recall.customer_ids)
            recall.delivery_count = len(recall.delivery_line_ids)
            recall.return_count = len(recall.return_picking_ids)

    def _compute_jobs(self):
        counts = self._origin._job_counts()
        for recall in self:
            for job in JOB_LINES:
                done, total, failed = counts.get((recall._origin.id, job), (0, 0, 0))
                recall[f"{job}_failed"] = failed
                if not total:
                    recall[f"{job}_job_state"] = recall[f"{job}_progress"] = False
                    continue
                recall[f"{job}_job_state"] = (
                    "done" if done == total else "running" if done else "queued"
                )
                recall[f"{job}_progress"] = self.env._(
                    "%(done)s of %(total)s",
                    done=formatLang(self.env, done, digits=0),
                    total=formatLang(self.env, total, digits=0),
                )

    def _job_counts(self):
        """{(recall id, job): (lines done, lines of the job, lines failed)} from the work
        lines' markers (a failed line counts as done)."""
        if not self.ids:
            return {}
        for model, field in JOB_LINES.values():
            self.env[model].flush_model([field])
        self.env.cr.execute(_JOB_COUNTS_SQL, {"ids": self.ids})
        return {
            (recall_id, job): (done, total, failed)
            for recall_id, job, done, total, failed in self.env.cr.fetchall()
        }

    @api.depends("affected_lot_ids")
    def _compute_live_lines(self):
        for recall in self:
            lots = recall.affected_lot_ids
            company = [("company_id", "=", recall.company_id.id)]
            recall.quant_ids = self.env["stock.quant"].search(
                company
                + [
                    ("lot_id", "in", lots.ids),
                    ("location_id.usage", "in", ("internal", "transit")),
                    ("quantity", "!=", 0),
                ]
            )
            recall.reserved_move_line_ids = self.env["stock.move.line"].search(
                company + [("lot_id", "in", lots.ids), ("state", "not in", ("done", "cancel"))]
            )
            recall.production_ids = self.env["mrp.production"].search(
                company
                + [
                    ("state", "in", ("confirmed", "progress", "to_close")),
                    ("move_raw_ids.move_line_ids.lot_id", "in", lots.ids),
                ]
            )
            recall.open_sale_line_ids = (
                self.env["sale.order.line"]
                .search(
                    company
                    + [
                        ("product_id", "in", lots.product_id.ids),
                        ("state", "=", "sale"),
                        ("display_type", "=", False),
                        ("order_id.delivery_status", "in", ("pending", "started", "partial")),
                    ]
                )
                .filtered(
                    lambda line: (
                        float_compare(
                            line.qty_delivered,
                            line.product_uom_qty,
                            precision_rounding=line.product_uom.rounding,
                        )
                        < 0
                    )
                )
            )

    @api.depends("affected_lot_ids", "customer_ids.destroyed_quantity")
    def _compute_effectiveness(self):
        for recall in self:
            figures = recall._effectiveness()
            recall.effectiveness_uom_id = figures["uom"]
            recall.quantity_base = figures["base"]
            recall.quantity_delivered = figures["delivered"]
            recall.quantity_returned = figures["returned"]
            recall.quantity_destroyed = figures["destroyed"]
            recall.quantity_never_shipped_blocked = figures["never_shipped_blocked"]
            recall.quantity_at_customers = figures["at_customers"]
            recall.quantity_recovered = figures["recovered"]
            recall.recovered_percent = figures["recovered_percent"]
            recall.quantity_in = figures["in"]
            recall.quantity_unaccounted = figures["unaccounted"]
            recall.accounted_percent = figures["accounted_percent"]

    def _effectiveness(self):
        """Recall effectiveness and mass balance over the affected lots, now, per product
        and unit: quantities of different units (kg of flour, units of cakes) are never
        added up.

        Per lot (see ``lot_effectiveness``): recovered = returned + destroyed + never
        shipped and blocked, over what was produced or received and not consumed into
        another affected lot (so intermediate lots are not counted twice). The lots of a
        product are added up in its unit, with what customers report having destroyed on
        site (at most what they still held) when they received that product only; a
        customer that received several products does not say of which (``unattributed``).
        The recall's recovered % is the lowest of its products' (of those with something
        to recover), its accounted for % the lowest of its products' mass balances: a
        recall is as effective as it is for its least recovered product.

        :return: dict with ``products`` (dicts of ``product``, ``uom``, the figures of
            :data:`EFFECTIVENESS_FIGURES`, ``recovered_percent`` and ``accounted_percent``,
            by product name), ``unattributed`` ([(customer partner, quantity)]),
            ``recovered_percent``, ``accounted_percent``, ``uom`` (the unit of every
            product, else an empty unit) and the figures added up when that unit is one
            (else 0)
        """
        self.ensure_one()
        lots = self.affected_lot_ids
        balance = self._in_recall_company().env["lot.genealogy"].mass_balance(lots.ids)
        groups = {}
        for lot in lots:
            values = balance.get(lot.id)
            if values is None:
                continue
            figures = lot_effectiveness(values, lot.lot_status in BLOCKED_STATUSES)
            key = (lot.product_id, lot.product_id.uom_id)
            group = groups.setdefault(key, dict.fromkeys(EFFECTIVENESS_FIGURES, 0.0))
            for name in ("base", "delivered", "returned", "destroyed", "never_shipped_blocked",
                         "at_customers", "recovered"):  # fmt: skip
                group[name] += figures[name]
            group["in"] += values["in"]
            group["accounted"] += values["out"] + values["on_hand"]
            group["unaccounted"] += values["unaccounted"]
        unattributed = []
        for customer in self.customer_ids:
            destroyed = min(
                customer.destroyed_quantity,
                max(0.0, customer.delivered_quantity - customer.returned_quantity),
            )
            if not destroyed:
                continue
            products = {(line.product_id, line.uom_id) for line in customer.delivery_line_ids}
            key = next(iter(products)) if len(products) == 1 else None
            if key not in groups:
                unattributed.append((customer.partner_id, destroyed))
                continue
            group = groups[key]
            group["destroyed"] += destroyed
            group["recovered"] += destroyed
            group["at_customers"] = max(0.0, group["at_customers"] - destroyed)
        products = []
        for (product, uom), group in groups.items():
            group.update(
                product=product,
                uom=uom,
                recovered_percent=100.0 * group["recovered"] / group["base"]
                if group["base"]
                else 0.0,
                accounted_percent=100.0 * group["accounted"] / group["in"] if group["in"] else 0.0,
            )
            products.append(group)
        products.sort(key=lambda group: (group["product"].display_name, group["uom"].name))
        units = {group["uom"] for group in products}
        uom = units.pop() if len(units) == 1 else self.env["uom.uom"]
        totals = {
            name: sum(group[name] for group in products) if uom else 0.0
            for name in EFFECTIVENESS_FIGURES
        }
        return dict(
            totals,
            products=products,
            unattributed=unattributed,
            uom=uom,
            recovered_percent=min(
                (group["recovered_percent"] for group in products if group["base"]), default=0.0
            ),
            accounted_percent=min(
                (group["accounted_percent"] for group in products if group["in"]), default=0.0
            ),
        )

    # ------------------------------------------------------------------ scope

    def action_compute_scope(self):
        """Trace the scope downstream and record affected lots, customers and deliveries.

        Allowed while draft or scoped (a recomputation replaces the previous result);
        moves the recall to *Scoped*.
        """
        self._check_recall_manager()
        self._check_state(("draft", "scoped"))
        for recall in self:
            recall._compute_scope()
        return True

    def _in_recall_company(self):
        """This recordset in an environment restricted to the recall's company, whatever
        companies the user has active: a recall's scope and actions keep to its company."""
        self.ensure_one()
        return self.with_context(allowed_company_ids=self.company_id.ids)

    def _company_lots(self, lots):
        """Of ``lots``, those of the recall's company and those without company that the
        company moved (a lot of a product shared between companies has no company)."""
        self.env["stock.move.line"].flush_model(["lot_id", "state", "company_id"])
        self.env.cr.execute(
            _COMPANY_LOTS_SQL, {"lot_ids": lots.ids, "company_id": self.company_id.id}
        )
        return lots.browse([lot_id for (lot_id,) in self.env.cr.fetchall()])

    def _scope_roots(self):
        """The lots the recall starts from, found from the scope criteria, in the recall's
        company."""
        self.ensure_one()
        lots = self.env["stock.lot"]
        if self.scope_type == "lots":
            roots = self.scope_lot_ids
            if not roots:
                raise UserError(self.env._("Choose the lots to recall."))
        elif self.scope_type == "component_lot":
            roots = self.scope_component_lot_id
            if not roots:
                raise UserError(self.env._("Choose the component lot to recall."))
        elif self.scope_type == "supplier_lots":
            names = self._supplier_lot_names()
            if not names:
                raise UserError(self.env._("Enter the supplier lot numbers to recall."))
            if len(names) > SUPPLIER_LOT_NAMES_MAX:
                limit, count = f"{SUPPLIER_LOT_NAMES_MAX:,}", f"{len(names):,}"
                raise UserError(
                    self.env._(
                        "Enter at most %(max)s supplier lot numbers in a recall; %(count)s "
                        "were entered.",
                        max=limit,
                        count=count,
                    )
                )
            domain = [("supplier_lot", "in", names)]
            if self.scope_supplier_id:
                domain.append(("supplier_id", "=", self.scope_supplier_id.commercial_partner_id.id))
            roots = self._company_lots(lots.search(domain))
            missing = sorted(set(names) - set(roots.mapped("supplier_lot")))
            if not roots:
                raise UserError(
                    self.env._(
                        "No lot has the supplier lot numbers %s.", format_list(self.env, names)
                    )
                )
            if missing:
                self.message_post(
                    body=self.env._(
                        "No lot found for the supplier lot numbers %s.",
                        format_list(self.env, missing),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
        else:
            if not (self.scope_product_ids and self.scope_date_from and self.scope_date_to):
                raise UserError(
                    self.env._("Choose the products and the first and last production days.")
                )
            tz = timezones.company_tz(self.company_id)
            start = day_start_utc(self.scope_date_from, tz)
            end = day_start_utc(self.scope_date_to + timedelta(days=1), tz)
            roots = lots.search(
                [
                    ("product_id", "in", self.scope_product_ids.ids),
                    "|",
                    "&",
                    ("production_date", ">=", self.scope_date_from),
                    ("production_date", "<=", self.scope_date_to),
                    "&",
                    "&",
                    ("production_date", "=", False),
                    ("receipt_date", ">=", start),
                    ("receipt_date", "<", end),
                ]
            )
            roots = self._company_lots(roots)
            if not roots:
                raise UserError(
                    self.env._("No lot of these products was produced or received in these days.")
                )
        return roots

    def _supplier_lot_names(self):
        names = re.split(r"[\n,;]+", self.scope_supplier_lot_names or "")
        return list(dict.fromkeys(name.strip() for name in names if name.strip()))

    def _compute_scope(self):
        """One downstream trace of the roots in the recall's company, then the scope lines
        written in batches."""
        self.ensure_one()
        started = time.monotonic()
        recall = self._in_recall_company()
        roots = recall._scope_roots()
        result = recall.env["lot.genealogy"].trace(roots.ids, "downstream")
        depths = {row["lot_id"]: row["depth"] for row in result["lots"]}
        if not depths:
            raise UserError(self.env._("You may not read the lots to recall."))
        deliveries = [move for move in result["movements"] if move["kind"] in DELIVERY_KINDS]
        self.env.cr.execute(
            _COMPANY_LINES_SQL, [[move["id"] for move in deliveries], self.company_id.id]
        )
        company_lines = {line_id for (line_id,) in self.env.cr.fetchall()}
        deliveries = [move for move in deliveries if move["id"] in company_lines]
        self.env.cr.execute(
            _COMMERCIAL_PARTNERS_SQL, [list({m["customer_id"] for m in deliveries} - {False})]
        )
        commercial = dict(self.env.cr.fetchall())

        self._clear_scope()
        totals = defaultdict(lambda: [0.0, 0])
        for move in deliveries:
            partner_id = commercial.get(move["customer_id"])
            if partner_id:
                totals[partner_id][0] += move["quantity"]
                totals[partner_id][1] += 1
        insert_rows(
            self.env,
            "lot.recall.customer",
            [
                {
                    "recall_id": self.id,
                    "partner_id": partner_id,
                    "delivered_quantity": quantity,
                    "delivery_count": count,
                    "destroyed_quantity": 0.0,
                    "response": "pending",
                }
                for partner_id, (quantity, count) in totals.items()
            ],
        )
        self.env.cr.execute(
            "SELECT partner_id, id FROM lot_recall_customer WHERE recall_id = %s", [self.id]
        )
        customer_of = dict(self.env.cr.fetchall())
        insert_rows(
            self.env,
            "lot.recall.delivery",
            [
                {
                    "recall_id": self.id,
                    "customer_id": customer_of.get(commercial.get(move["customer_id"])),
                    "move_line_id": move["id"],
                    "date": move["date"],
                    "lot_id": move["lot_id"],
                    "quantity": move["quantity"],
                }
                for move in deliveries
            ],
        )
        insert_rows(
            self.env,
            "lot.recall.lot",
            [
                {"recall_id": self.id, "lot_id": lot_id, "depth": depth}
                for lot_id, depth in depths.items()
            ],
        )
        for model in ("lot.recall.delivery", "lot.recall.customer", "lot.recall.lot"):
            self.env[model].invalidate_model()
        self.invalidate_recordset(["delivery_line_ids", "customer_ids", "lot_line_ids"])
        self._recall_write(
            {
                "state": "scoped",
                "scope_lot_ids": [Command.set(roots.ids)],
                "affected_lot_ids": [Command.set(list(depths))],
                "date_traced": fields.Datetime.now(),
            }
        )
        self.message_post(
            body=self.env._(
                "Scope computed in %(seconds).1f s: %(lots)s affected lots, %(customers)s "
                "customers, %(deliveries)s deliveries.",
                seconds=time.monotonic() - started,
                lots=len(depths),
                customers=len(customer_of),
                deliveries=len(deliveries),
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _clear_scope(self):
        """Remove the lines of a previous scope computation."""
        self.ensure_one()
        for model in ("lot.recall.delivery", "lot.recall.customer", "lot.recall.lot"):
            self.env[model].flush_model()
            self.env.cr.execute(
                SQL(
                    "DELETE FROM %s WHERE recall_id = %s",
                    SQL.identifier(self.env[model]._table),
                    self.id,
                )
            )
            self.env[model].invalidate_model()
        self.invalidate_recordset(["delivery_line_ids", "customer_ids", "lot_line_ids"])

    # ------------------------------------------------------------------ workflow

    def _name_list(self, records, limit=20):
        """Display names for a chatter note: the first ``limit``, then how many more."""
        names = records[:limit].mapped("display_name")
        if len(records) > limit:
            names.append(self.env._("%s more", len(records) - limit))
        return format_list(self.env, names)

    def _check_recall_manager(self):
        """Only Recall Managers act on recalls, whatever the button's groups say, and only
        on the recalls of their companies."""
        if not (self.env.su or self.env.user.has_group("lot_recall.group_recall_manager")):
            raise AccessError(
                self.env._("Only Recall Managers can act on recalls; Recall Users can read them.")
            )
        self.check_access("write")

    def _recall_write(self, vals):
        """Write the recall's workflow fields, once the action has made its checks."""
        return self.sudo().write(vals)

    def _check_state(self, states):
        labels = dict(self._fields["state"]._description_selection(self.env))
        for recall in self:
            if recall.state not in states:
                raise UserError(
                    self.env._(
                        "%(recall)s is %(state)s: this action is for recalls that are %(states)s.",
                        recall=recall.name,
                        state=labels[recall.state],
                        states=format_list(self.env, [labels[state] for state in states]),
                    )
                )

    def _check_scoped(self):
        for recall in self:
            if not recall.affected_lot_ids:
                raise UserError(self.env._("Compute the scope of %s first.", recall.name))

    def action_start(self):
        """Start working on a scoped recall."""
        self._check_recall_manager()
        self._check_state(("scoped",))
        self._check_scoped()
        self._recall_write({"state": "in_progress"})
        return True

    def action_block_stock(self):
        """Set every affected lot to *Recalled*: unreserved, unusable, optionally quarantined.

        A mock recall only notes what would be blocked. Reservations and stock are those
        of the recall's company. More lots than one batch are blocked in the background
        (see :meth:`_run_jobs`); the recall shows the progress.
        """
        self._check_recall_manager()
        self._check_state(("scoped", "in_progress"))
        self._check_scoped()
        for recall in self:
            if recall.kind == "mock":
                on_hand = sum(recall.quant_ids.mapped("quantity"))
                recall._recall_write(
                    {"state": "in_progress", "date_blocked": fields.Datetime.now()}
                )
                recall.message_post(
                    body=self.env._(
                        "Mock recall: %(lots)s lots (%(quantity)s on hand) would be blocked; "
                        "nothing was changed.",
                        lots=len(recall.affected_lot_ids),
                        quantity=on_hand,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                continue
            recall._queue_job("block")
        return True

    def action_notify_customers(self):
        """Email each customer not notified yet its own deliveries, lots and quantities.

        One email per customer from the template *Recall: customer notification*, posted
        on the recall (replies come back to it) and logged on the customer. A mock recall
        prepares the emails and sends none. More customers than one batch are notified in
        the background (see :meth:`_run_jobs`); the recall shows the progress.
        """
        self._check_recall_manager()
        self._check_state(("scoped", "in_progress"))
        self._check_scoped()
        for recall in self:
            customers = recall.customer_ids.filtered(lambda c: not c.notified_date)
            if not customers:
                raise UserError(
                    self.env._("Every customer of %s has been notified already.", recall.name)
                )
            if recall.kind == "mock":
                recall.message_post(
                    body=self.env._(
                        "Mock recall: %(count)s customer emails prepared, none sent "
                        "(%(customers)s).",
                        count=len(customers),
                        customers=self._name_list(customers.partner_id),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                recall._recall_write(
                    {"state": "in_progress", "date_notified": fields.Datetime.now()}
                )
                continue
            recall._queue_job("notify", SQL("notified_date IS NULL"))
        return True

    def action_create_returns(self):
        """Create, per customer (and return route), a return of the affected lots still at
        the customer, holding all its deliveries.

        Returns are built as Odoo's return wizard builds them, keep the lots of the
        deliveries and are linked to the recall, its customer and its delivery lines (see
        :meth:`_create_return_pickings`); quantities already on a
        return (not cancelled, reserved or not) are left out. A mock recall only notes how
        many returns it would create. More customers than one batch are handled in the
        background (see :meth:`_run_jobs`); the recall shows the progress.
        """
        self._check_recall_manager()
        self._check_state(("scoped", "in_progress"))
        self._check_scoped()
        for recall in self:
            small = len(recall.customer_ids) <= JOB_BATCH["returns"]
            planned = (small or recall.kind == "mock") and recall._returns_to_create()
            if (small or recall.kind == "mock") and not planned:
                raise UserError(
                    self.env._(
                        "Nothing of %s is left to return: every delivery is on a return.",
                        recall.name,
                    )
                )
            if recall.kind == "mock":
                recall._recall_write(
                    {"state": "in_progress", "date_returns": fields.Datetime.now()}
                )
                recall.message_post(
                    body=self.env._(
                        "Mock recall: %(count)s return transfers would be created; none was.",
                        count=len(recall._return_groups(planned)),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                continue
            recall._queue_job("returns")
        if len(self) == 1 and self.return_picking_ids and not self.returns_job_state == "queued":
            return self.action_view_returns()
        return True

    # ------------------------------------------------------------------ background jobs

    def _check_job_idle(self, job):
        self.ensure_one()
        self.invalidate_recordset([f"{job}_job_state"])
        if self[f"{job}_job_state"] in ("queued", "running"):
            job_name = self._job_name(job)
            raise UserError(
                self.env._(
                    "%(recall)s: %(job)s is under way in the background; its progress shows "
                    "on the recall.",
                    recall=self.name,
                    job=job_name,
                )
            )

    def _job_name(self, job):
        """The name of ``job`` as its progress field shows it (Blocking, Notifications...)."""
        return self._fields[f"{job}_job_state"].get_description(self.env)["string"]

    def _queue_job(self, job, condition=None):
        """Queue the work lines of ``job`` (those meeting the SQL ``condition``, failed
        ones included, their error cleared), then run it at once when it fits in one batch,
        else trigger the cron of recall jobs."""
        self.ensure_one()
        self._check_job_idle(job)
        model_name, field = JOB_LINES[job]
        model = self.env[model_name]
        model.flush_model()
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET %s = 'queued', %s = NULL WHERE recall_id = %s AND %s",
                SQL.identifier(model._table),
                SQL.identifier(field),
                SQL.identifier(JOB_ERRORS[job]),
                self.id,
                condition or SQL("TRUE"),
            )
        )
        count = self.env.cr.rowcount
        model.invalidate_model([field, JOB_ERRORS[job]])
        self.invalidate_recordset([f"{job}_job_state", f"{job}_progress"])
        if count <= JOB_BATCH[job]:
            self._run_jobs(jobs=(job,))
            return
        self._recall_write({"state": "in_progress"})
        job_name = self._job_name(job)
        self.message_post(
            body=self.env._(
                "%(job)s of %(count)s lines runs in the background: its progress shows on the "
                "recall, and a note follows when it is done.",
                job=job_name,
                count=formatLang(self.env, count, digits=0),
            ),
            subtype_xmlid="mail.mt_note",
        )
        self.env.ref("lot_recall.ir_cron_recall_jobs").sudo()._trigger()

    def _job_batch(self, job):
        """The next queued work lines of ``job`` (at most one batch)."""
        model_name, field = JOB_LINES[job]
        return (
            self.env[model_name]
            .sudo()
            .search(
                [("recall_id", "=", self.id), (field, "=", "queued")],
                order="id",
                limit=JOB_BATCH[job],
            )
        )

    def _run_jobs(self, jobs=tuple(JOB_LINES), commit=False, max_batches=None, deadline=None):
        """Run the queued work of these recalls batch by batch; note each job when done.

        Each batch writes its work and the markers of its lines together: with ``commit``
        (the cron) it is committed, else it runs in a savepoint, so a batch that fails
        leaves nothing half done and the next run takes its lines again. A line Odoo
        refuses is marked failed instead (see :meth:`_run_job_batch`): it counts as done.

        :param jobs: the jobs to run, in order
        :param commit: commit after each batch
        :param max_batches: stop after this many batches
        :param deadline: ``time.monotonic()`` after which no new batch starts
        :return: the number of work lines done
        """
        done = batches = 0
        for recall in self:
            for job in jobs:
                while not (
                    (max_batches is not None and batches >= max_batches)
                    or (deadline and time.monotonic() > deadline)
                ):
                    lines = recall._job_batch(job)
                    if not lines:
                        break
                    if commit:
                        recall._run_job_batch(job, lines, commit=True)
                        self.env.cr.commit()  # pylint: disable=invalid-commit
                    else:
                        with self.env.cr.savepoint():
                            recall._run_job_batch(job, lines)
                    done += len(lines)
                    batches += 1
        return done

    def _run_job_batch(self, job, lines, commit=False):
        """Do one batch of ``job`` on its work lines, then, when none is left queued, note
        the job's result on the recall.

        A batch Odoo refuses (``UserError`` and its kin: access, validation, missing
        record) is undone and done again line by line, each line in a savepoint, committed
        with ``commit``: a line refused on its own is marked failed with the reason, the
        others are done. Any other error (a worker stopped, the database) stops the batch:
        its lines stay queued for the next run."""
        self.ensure_one()
        runner = self._in_recall_company()
        try:
            with self.env.cr.savepoint():
                runner._do_job(job, lines)
        except UserError as error:
            _logger.info(
                "%s: a batch of %s lines of %s was refused (%s); done again line by line",
                self.name,
                len(lines),
                job,
                error,
            )
            for line in lines:
                runner._run_job_line(job, line)
                if commit:
                    self.env.cr.commit()  # pylint: disable=invalid-commit
        if not self._job_batch(job):
            getattr(runner, f"_finish_{job}")()

    def _do_job(self, job, lines):
        """The work of ``job`` on these work lines, written with their markers."""
        self.ensure_one()
        if job == "block":
            self._block_lots(lines)
        elif job == "notify":
            self._notify_customers(lines, self.env.ref("lot_recall.mail_template_recall_customer"))
        else:
            self._create_customer_returns(lines)
        self.env.flush_all()

    def _run_job_line(self, job, line):
        """Do ``job`` on one work line in a savepoint; if Odoo refuses it, mark the line
        failed with the reason."""
        try:
            with self.env.cr.savepoint():
                self._do_job(job, line)
        except UserError as error:
            reason = str(error.args[0] if error.args else error)
            line.sudo().write({JOB_LINES[job][1]: "failed", JOB_ERRORS[job]: reason})
            line.flush_recordset()

    def _job_failures(self, job, failed, one, many):
        """The sentence of ``job``'s note on its ``failed`` work lines, "" when none:
        ``one`` or ``many`` (translated, with ``%(count)s`` and ``%(failures)s``) as one
        line or several failed, the failures each "lot (or customer): reason", the first
        few, then how many more."""
        if not failed:
            return ""
        listed = []
        for line in failed[:JOB_FAILURES_LISTED]:
            name = (line.lot_id if job == "block" else line.partner_id).display_name
            reason = (line[JOB_ERRORS[job]] or "").strip().rstrip(".")
            if len(reason) > JOB_REASON_CHARS:
                reason = reason[: JOB_REASON_CHARS - 1] + "…"
            listed.append(f"{name}: {reason}")
        if len(failed) > JOB_FAILURES_LISTED:
            listed.append(self.env._("%s more", len(failed) - JOB_FAILURES_LISTED))
        message = one if len(failed) == 1 else many
        return " " + message % {"count": len(failed), "failures": "; ".join(listed)}

    @api.model
    def _cron_run_jobs(self):
        """Cron *Recall: background jobs*: run the queued work of every recall, as its
        responsible in superuser mode, within the recall's company, committing each batch,
        and report the progress to the cron worker."""
        deadline = time.monotonic() + JOB_CRON_SECONDS
        done = 0
        while time.monotonic() < deadline:
            queued = self._queued_work()
            if not queued:
                break
            recall = self.browse(next(iter(queued)))
            if recall.state not in ("scoped", "in_progress"):
                recall._clear_queue()
                self.env.cr.commit()  # pylint: disable=invalid-commit
                continue
            if recall.user_id.active:
                recall = recall.with_user(recall.user_id).sudo()
            done += recall._run_jobs(commit=True, deadline=deadline)
        remaining = sum(self._queued_work().values())
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)

    @api.model
    def _queued_work(self):
        """{recall id: queued work lines} of every recall."""
        for model, field in JOB_LINES.values():
            self.env[model].flush_model([field])
        self.env.cr.execute(_QUEUED_SQL)
        return dict(self.env.cr.fetchall())

    def _clear_queue(self):
        """Drop the work still queued for these recalls (cancelled or closed)."""
        for model_name, field in JOB_LINES.values():
            model = self.env[model_name]
            model.flush_model([field])
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET %s = NULL WHERE recall_id = ANY(%s) AND %s = 'queued'",
                    SQL.identifier(model._table),
                    SQL.identifier(field),
                    self.ids,
                    SQL.identifier(field),
                )
            )
            model.invalidate_model([field])

    def _block_lots(self, lines):
        """Set the lots of these work lines to Recalled (those not Recalled already)."""
        self.ensure_one()
        lots = self.env["stock.lot"].browse(lines.lot_id.ids)
        to_block = lots.filtered(lambda lot: lot.lot_status != "recalled")
        if to_block:
            to_block._lot_set_status(
                "recalled",
                self.env._("%(recall)s: %(reason)s", recall=self.name, reason=self.reason),
                relocate=self.relocate_stock,
            )
        blocked = lines.filtered(lambda line: line.lot_id in to_block)
        blocked.sudo().block_state = "blocked"
        (lines - blocked).sudo().block_state = "already"

    def _job_done(self, vals, body):
        """Write the recall's ``vals`` and note a finished job: the note comes after the
        tracking of the state change, the last word of the job in the chatter."""
        self._recall_write(vals)
        self.env.cr.flush()
        self.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _finish_block(self):
        self.ensure_one()
        self.invalidate_recordset(["quant_ids"])
        on_hand = sum(self.quant_ids.mapped("quantity"))
        blocked = self.lot_line_ids.filtered(lambda line: line.block_state == "blocked")
        failed = self.lot_line_ids.filtered(lambda line: line.block_state == "failed")
        body = self.env._(
            "%(lots)s lots set to Recalled (%(quantity)s on hand), their reservations "
            "removed%(moved)s.",
            lots=len(blocked),
            quantity=on_hand,
            moved=self.env._(" and their stock moved to quarantine") if self.relocate_stock else "",
        )
        body += self._job_failures(
            "block",
            failed,
            self.env._("%(count)s lot could not be set to Recalled: %(failures)s."),
            self.env._("%(count)s lots could not be set to Recalled: %(failures)s."),
        )
        self._job_done({"state": "in_progress", "date_blocked": fields.Datetime.now()}, body)

    def _finish_notify(self):
        self.ensure_one()
        customers = self.customer_ids
        notified = customers.filtered(lambda customer: customer.notify_state == "sent")
        skipped = customers.filtered(lambda customer: customer.notify_state == "no_email")
        failed = customers.filtered(lambda customer: customer.notify_state == "failed")
        body = self.env._("%s customers notified by email.", len(notified))
        if skipped:
            body += " " + self.env._(
                "Without an email address, to contact otherwise: %s.",
                self._name_list(skipped.partner_id),
            )
        body += self._job_failures(
            "notify",
            failed,
            self.env._("Notices could not be sent to %(count)s customer: %(failures)s."),
            self.env._("Notices could not be sent to %(count)s customers: %(failures)s."),
        )
        self._job_done({"state": "in_progress", "date_notified": fields.Datetime.now()}, body)

    def _create_customer_returns(self, customers):
        """Create the return transfers of these recall customers."""
        self.ensure_one()
        planned = self._returns_to_create(customers)
        if planned:
            self._create_return_pickings(planned)
        customers.sudo().return_state = "done"

    def _finish_returns(self):
        self.ensure_one()
        self.invalidate_recordset(["return_picking_ids"])
        returns = self.return_picking_ids.filtered(lambda picking: picking.state != "cancel")
        failed = self.customer_ids.filtered(lambda customer: customer.return_state == "failed")
        body = self.env._(
            "%(count)s return transfers created: %(names)s.",
            count=len(returns),
            names=self._name_list(returns),
        )
        body += self._job_failures(
            "returns",
            failed,
            self.env._("Returns could not be created for %(count)s customer: %(failures)s."),
            self.env._("Returns could not be created for %(count)s customers: %(failures)s."),
        )
        self._job_done({"state": "in_progress", "date_returns": fields.Datetime.now()}, body)

    def _render_bodies(self, template, customers):
        """{customer id: body} of the template, as ``template._render_field("body_html",
        ids, compute_lang=True)`` renders it, but with the body compiled once per language
        instead of once per customer: QWeb compiles an inline template at every render,
        which was most of the time spent notifying thousands of customers."""
        separator = f"LOTRECALLCUSTOMER{uuid.uuid4().hex}"
        options = dict(getattr(template._fields["body_html"], "render_options", {}))
        bodies = {}
        for lang_template, ids in template._classify_per_lang(customers.ids).values():
            source = Markup('<t t-foreach="lot_recall_customers" t-as="object">%s%s</t>') % (
                Markup(lang_template.body_html or ""),
                separator,
            )
            rendered = lang_template._render_template(
                source,
                lang_template.render_model,
                ids[:1],
                engine="qweb",
                add_context={"lot_recall_customers": customers.browse(ids)},
                options=options,
            )[ids[0]]
            parts = str(rendered).split(separator)[:-1]
            bodies.update(zip(ids, map(Markup, parts), strict=True))
        return bodies

    def _notify_customers(self, customers, template):
        """Send each of these customers its notification, mark them notified (or without an
        email address) and log the notification on each customer."""
        self.ensure_one()
        notified = customers.filtered(lambda customer: customer.partner_id.email)
        (customers - notified).sudo().notify_state = "no_email"
        if not notified:
            return
        self._post_notices(notified, template)
        notified.sudo().write({"notified_date": fields.Datetime.now(), "notify_state": "sent"})
        link = Markup('<a href="#" data-oe-model="lot.recall" data-oe-id="%s">%s</a>') % (
            self.id,
            self.name,
        )
        notified.partner_id._message_log_batch(
            bodies={
                partner.id: Markup("%s %s") % (self.env._("Notified of the recall"), link)
                + Markup(": %s") % self.reason
                for partner in notified.partner_id
            }
        )

    def _post_notices(self, customers, template):
        """Post on the recall one notice per customer, addressed to it, with its email
        queued: what ``message_post`` of each notice would do for a customer recipient, but
        with one ``create`` of the messages, of the emails and of their notifications, and
        the email layout rendered once per language, for a batch of customers.

        The message in the chatter, read by every Recall User, keeps what the customer was
        sent but not the secret link to the customer's response page; the email has it."""
        self.ensure_one()
        layout = "mail.mail_notification_light"
        subjects = template._render_field("subject", customers.ids, compute_lang=True)
        bodies = self._render_bodies(template, customers)
        chatter_bodies = self._render_bodies(
            template.with_context(lot_recall_chatter_copy=True), customers
        )
        recall = self._fallback_lang()
        author_id, email_from = recall._message_compute_author(raise_on_email=True)
        common = {
            "author_id": author_id,
            "email_from": email_from,
            "model": self._name,
            "res_id": self.id,
            "message_type": "comment",
            "subtype_id": self.env.ref("lot_recall.mt_recall_customer_notice").id,
            "email_add_signature": True,
            "email_layout_xmlid": layout,
            "record_name": self.sudo().display_name,
            "record_alias_domain_id": recall.sudo()
            ._mail_get_alias_domains(default_company=self.env.company)[self.id]
            .id,
            "record_company_id": recall._mail_get_companies(default=self.env.company)[self.id].id,
            "reply_to": recall._notify_get_reply_to(default=email_from)[self.id],
        }
        messages = recall._message_create(
            [
                dict(
                    common,
                    body=chatter_bodies[customer.id],
                    subject=subjects[customer.id],
                    partner_ids=customer.partner_id.ids,
                )
                for customer in customers
            ]
        )
        if self.env.user.active and not self.env.context.get("mail_create_nosubscribe"):
            recall._message_subscribe(partner_ids=self.env.user.partner_id.ids)
        base_values = recall._notify_by_email_get_base_mail_values(
            messages[:1], additional_values={"auto_delete": True}
        )
        frames = {}
        mail_values = []
        body_field = messages._fields["body"]
        for customer, message in zip(customers, messages, strict=True):
            lang = customer.partner_id.lang or self.env.lang
            if lang not in frames:
                frames[lang] = recall._notice_layout(messages[:1], common, lang, layout)
            head, middle, tail = frames[lang]
            # the email carries the body as its message would store it
            body = Markup(body_field.convert_to_cache(bodies[customer.id], messages[:1]))
            preview = textwrap.shorten(html_to_inner_content(body), 190)
            values = dict(base_values, mail_message_id=message.id, references=message.message_id)
            mail_values.append(
                recall._notify_by_email_get_final_mail_values(
                    customer.partner_id.ids,
                    values,
                    additional_values={"body_html": head + preview + middle + body + tail},
                )
            )
        # as message_post: no default_* key of the caller reaches the emails
        Mail = self.env["mail.mail"].sudo().with_context(clean_context(self.env.context))  # pylint: disable=context-overridden
        mails = Mail.create(mail_values)
        Mail.env["mail.notification"].create(
            [
                {
                    "author_id": author_id,
                    "is_read": True,
                    "mail_mail_id": mail.id,
                    "mail_message_id": message.id,
                    "notification_status": "ready",
                    "notification_type": "email",
                    "res_partner_id": customer.partner_id.id,
                }
                for customer, message, mail in zip(customers, messages, mails, strict=True)
            ]
        )
        return messages

    def _notice_layout(self, message, msg_vals, lang, layout):
        """(head, middle, tail) of the email layout of a customer notice in ``lang``, the
        layout ``message_post`` renders around the email of a customer recipient: the
        email is head + its preview + middle + its body + tail."""
        self.ensure_one()
        separator = f"LOTRECALLNOTICE{uuid.uuid4().hex}"
        recall = self.with_context(lang=lang)
        render_values = recall._notify_by_email_prepare_rendering_context(
            message, msg_vals=dict(msg_vals, tracking_value_ids=[]), force_email_lang=lang
        )
        render_values["message"] = self.env["mail.message"].new(
            {"body": Markup(separator), "record_name": msg_vals["record_name"]}
        )
        groups = recall._notify_get_recipients_groups(message, render_values["model_description"])
        customer_group = next(data for name, _check, data in groups if name == "customer")
        rendered = recall._notify_by_email_render_layout(
            message,
            dict(customer_group, recipients=[]),
            msg_vals={"email_layout_xmlid": layout},
            render_values=render_values,
        )
        return tuple(map(Markup, str(rendered).split(separator)))

    def _returns_to_create(self, customers=None):
        """{(delivery picking, recall customer): {(delivered move id, lot id): quantity}}, of
        every customer of the recall or of ``customers``."""
        self.ensure_one()
        customers = self.customer_ids if customers is None else customers
        for model in ("stock.move", "stock.move.line", "lot.recall.delivery"):
            self.env[model].flush_model()
        self.env.cr.execute(_DELIVERED_SQL, {"customer_ids": customers.ids})
        delivered = self.env.cr.fetchall()
        self.env.cr.execute(_RETURN_LINES_SQL, {"move_ids": list({row[2] for row in delivered})})
        on_returns = defaultdict(float)
        for move_id, lot_id, quantity in self.env.cr.fetchall():
            on_returns[move_id, lot_id] += quantity
        # records read together (one prefetch for all)
        pickings = {p.id: p for p in self.env["stock.picking"].browse({r[1] for r in delivered})}
        customers = {customer.id: customer for customer in customers}
        planned = defaultdict(dict)
        for customer_id, picking_id, move_id, lot_id, quantity, rounding in delivered:
            todo = quantity - on_returns.get((move_id, lot_id), 0.0)
            if not float_is_zero(max(0.0, todo), precision_rounding=rounding or 0.01):
                planned[pickings[picking_id], customers[customer_id]][move_id, lot_id] = todo
        return dict(planned)

    def _create_return_pickings(self, planned):
        """Create the return transfers of ``planned`` (see :meth:`_returns_to_create`): one
        per customer and return route (operation type, locations, address), holding every
        delivered move left to return, as Odoo's return wizard builds a return (a copy of
        the delivery and of its moves, linked to them, refunding the order), but with one
        ``create`` of the transfers, of their moves and of their move lines for a batch of
        customers. The moves are confirmed (see :meth:`_return_move_values`) and their move
        lines carry the delivered lots: a return from a customer reserves nothing.

        Only a recall's Create Returns links a transfer to the recall and its customer: the
        transfers are created in superuser mode, their moves and move lines as the user."""
        self.ensure_one()
        Picking = self.env["stock.picking"].sudo()
        Move = self.env["stock.move"]
        groups = self._return_groups(planned)
        picking_vals = []
        for (customer, *_route), deliveries in groups.items():
            picking, defaults, _quantities = deliveries[0]
            delivered = Picking.concat(*(delivery for delivery, _d, _q in deliveries))
            defaults = dict(
                defaults,
                user_id=False,
                return_id=picking.id if len(delivered) == 1 else False,
                origin=f"{self.name} - {self._name_list(delivered, limit=5)}",
                lot_recall_id=self.id,
                lot_recall_customer_id=customer.id,
            )
            defaults.update(
                {name: False for name in ("carrier_id", "carrier_price") if name in Picking._fields}
            )
            picking_vals.append(picking.copy_data(defaults)[0])
        returns = Picking.create(picking_vals)
        delivered_moves = Move.browse({move_id for q in planned.values() for move_id, _lot in q})
        delivered_moves = {move.id: move for move in delivered_moves}
        move_vals, wanted, chains = [], [], []
        for returned, deliveries in zip(returns, groups.values(), strict=True):
            for _picking, _defaults, quantities in deliveries:
                lots = defaultdict(dict)
                for (move_id, lot_id), quantity in quantities.items():
                    lots[move_id][lot_id] = quantity
                for move in map(delivered_moves.get, sorted(lots)):
                    values = self._return_move_values(move, returned, sum(lots[move.id].values()))
                    move_vals.append(move.copy_data(values)[0])
                    wanted.append(lots[move.id])
                    chains.append(self._return_move_chain(move))
        moves = Move.create(move_vals)
        # The wizard's links to the delivered moves (and their chain), in one insert into
        # the relation table (the ORM's many2many write was a third of the moves' create).
        origs, dests = [], []
        for move, (move_origs, move_dests) in zip(moves, chains, strict=True):
            origs += move_origs.ids
            dests += [move.id] * len(move_origs)
            origs += [move.id] * len(move_dests)
            dests += move_dests.ids
        Move.flush_model()
        self.env.cr.execute(
            "INSERT INTO stock_move_move_rel (move_orig_id, move_dest_id)"
            " SELECT link.orig, link.dest FROM unnest(%s::int[], %s::int[]) AS link(orig, dest)"
            " ON CONFLICT DO NOTHING",
            [origs, dests],
        )
        Move.invalidate_model(["move_orig_ids", "move_dest_ids"])
        self.env["stock.move.line"].create(
            [
                dict(move._prepare_move_line_vals(quantity=quantity), lot_id=lot_id)
                for move, lots in zip(moves, wanted, strict=True)
                for lot_id, quantity in lots.items()
            ]
        )
        moves._recompute_state()
        self._link_returned_deliveries(planned, moves)
        return returns

    def _return_groups(self, planned):
        """The return transfers of ``planned`` (see :meth:`_returns_to_create`): {(recall
        customer, return operation type id, source location id, destination location id,
        address id): [(delivery, return wizard's transfer values, quantities)]}."""
        wizard = self.env["stock.return.picking"]
        groups = defaultdict(list)
        for (picking, customer), quantities in planned.items():
            defaults = wizard._prepare_picking_default_values_based_on(picking)
            key = (
                customer,
                defaults["picking_type_id"],
                defaults["location_id"],
                defaults["location_dest_id"],
                picking.partner_id.id,
            )
            groups[key].append((picking, defaults, quantities))
        return groups

    def _return_move_values(self, move, returned, quantity):
        """Values of the return move of the delivered ``move`` in the transfer ``returned``:
        those of the return wizard's ``_prepare_move_default_values``."""
        values = {
            "name": returned.name,
            "product_id": move.product_id.id,
            "product_uom_qty": quantity,
            "product_uom": move.product_id.uom_id.id,
            "picking_id": returned.id,
            # Confirmed as the transfer's action_confirm confirms a move preceded by another
            # (its delivered move): waiting, then assigned by its lot lines. Without the rest
            # of it: no reordering rule is on a customer location, each move returns its own
            # delivered move (nothing to merge), and the delivered product comes back with
            # its lot, not exploded as a kit (looking for a kit per move was a quarter of the
            # time of a batch).
            "state": "waiting",
            "date": fields.Datetime.now(),
            "location_id": returned.location_id.id,
            "location_dest_id": returned.location_dest_id.id,
            "location_final_id": False,
            "picking_type_id": returned.picking_type_id.id,
            "warehouse_id": returned.picking_type_id.warehouse_id.id,
            "origin_returned_move_id": move.id,
            "procure_method": "make_to_stock",
            "group_id": move.picking_id.group_id.id,
        }
        if returned.picking_type_id.reservation_method == "at_confirm":
            values["reservation_date"] = fields.Date.today()
        if returned.picking_type_id.code == "outgoing":
            values["partner_id"] = returned.partner_id.id
        if "to_refund" in move._fields:
            values["to_refund"] = True
        if "is_subcontract" in move._fields:
            values["is_subcontract"] = False
        return values

    def _return_move_chain(self, move):
        """(original moves, destination moves) the return wizard links the return of the
        delivered ``move`` to: the delivered move and its siblings, the returns of what
        followed and preceded it."""
        dests = move.move_dest_ids.filtered(lambda m: m.state != "cancel")
        origs = (
            move
            | move.move_dest_ids.returned_move_ids
            | dests.move_orig_ids.filtered(lambda m: m.state != "cancel")
        )
        returned_origs = move.move_orig_ids.returned_move_ids
        return origs, returned_origs | returned_origs.move_orig_ids.filtered(
            lambda m: m.state != "cancel"
        ).move_dest_ids.filtered(lambda m: m.state != "cancel")

    def _link_returned_deliveries(self, planned, moves):
        """Link each recall delivery line of ``planned`` to the return move of its delivered
        move and lot."""
        return_moves = {move.origin_returned_move_id.id: move.id for move in moves}
        keys = defaultdict(set)
        for (_picking, customer), quantities in planned.items():
            keys[customer].update(quantities)
        line_ids, move_ids = [], []
        for customer, customer_keys in keys.items():
            for line in customer.delivery_line_ids:
                move_id = line.move_line_id.move_id.id
                if (move_id, line.lot_id.id) in customer_keys and move_id in return_moves:
                    line_ids.append(line.id)
                    move_ids.append(return_moves[move_id])
        self.env["lot.recall.delivery"].flush_model(["return_move_id"])
        self.env.cr.execute(
            "UPDATE lot_recall_delivery d SET return_move_id = link.move_id"
            " FROM unnest(%s::int[], %s::int[]) AS link(id, move_id) WHERE d.id = link.id",
            [line_ids, move_ids],
        )
        self.env["lot.recall.delivery"].invalidate_model(["return_move_id"])

    def action_review_effectiveness(self):
        """Record that the recall's effectiveness was reviewed, with today's figures."""
        self._check_recall_manager()
        self._check_state(("in_progress",))
        for recall in self:
            figures = recall._effectiveness()
            recall._recall_write(
                {
                    "effectiveness_reviewed": True,
                    "effectiveness_review_date": fields.Datetime.now(),
                    "effectiveness_reviewer_id": self.env.user.id,
                    "reviewed_recovered_percent": figures["recovered_percent"],
                }
            )
            products = [
                self.env._(
                    "%(product)s: %(recovered)s of %(base)s %(unit)s (%(percent).2f %%), "
                    "%(at_customers)s %(unit)s still at customers",
                    product=group["product"].display_name,
                    recovered=round(group["recovered"], 4),
                    base=round(group["base"], 4),
                    unit=group["uom"].name,
                    percent=group["recovered_percent"],
                    at_customers=round(group["at_customers"], 4),
                )
                for group in figures["products"]
            ]
            recall.message_post(
                body=self.env._(
                    "Effectiveness reviewed: %(recovered).2f %% recovered (the lowest of its "
                    "products: %(products)s), %(accounted).2f %% accounted for in the mass "
                    "balance.",
                    recovered=figures["recovered_percent"],
                    products="; ".join(products),
                    accounted=figures["accounted_percent"],
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_close(self):
        """Close a recall in progress once its effectiveness is reviewed and a corrective
        action is recorded."""
        self._check_recall_manager()
        self._check_state(("in_progress",))
        for recall in self:
            missing = []
            if not recall.effectiveness_reviewed:
                missing.append(self.env._("review its effectiveness"))
            if is_html_empty(recall.corrective_action):
                missing.append(self.env._("record the corrective action"))
            if missing:
                raise UserError(
                    self.env._(
                        "To close %(recall)s, %(missing)s.",
                        recall=recall.name,
                        missing=format_list(self.env, missing),
                    )
                )
        self._recall_write({"state": "closed", "date_closed": fields.Datetime.now()})
        return True

    def action_cancel(self):
        """Cancel a recall that is not closed; blocked lots keep their status."""
        self._check_recall_manager()
        self._check_state(("draft", "scoped", "in_progress"))
        for recall in self:
            if recall.date_blocked and recall.kind != "mock":
                recall.message_post(
                    body=self.env._(
                        "The affected lots stay Recalled: release them from the lot if they "
                        "are safe."
                    ),
                    subtype_xmlid="mail.mt_note",
                )
        self._clear_queue()
        self._recall_write({"state": "cancelled"})
        return True

    # ------------------------------------------------------------------ navigation

    def _open_list(self, name, model, domain, context=None):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "list,form",
            "domain": domain,
            "context": context or {},
        }

    @api.readonly
    def action_view_affected_lots(self):
        """The affected lots with their mass balance."""
        self.ensure_one()
        action = self._open_list(
            self.env._("Affected Lots"), "stock.lot", [("id", "in", self.affected_lot_ids.ids)]
        )
        action["views"] = [
            (self.env.ref("lot_traceability.view_stock_lot_mass_balance_list").id, "list"),
            (False, "form"),
        ]
        return action

    @api.readonly
    def action_view_customers(self):
        self.ensure_one()
        return self._open_list(
            self.env._("Recall Customers"),
            "lot.recall.customer",
            [("recall_id", "=", self.id)],
        )

    @api.readonly
    def action_view_deliveries(self):
        self.ensure_one()
        return self._open_list(
            self.env._("Recall Deliveries"),
            "lot.recall.delivery",
            [("recall_id", "=", self.id)],
            {"search_default_group_customer": 1},
        )

    @api.readonly
    def action_view_returns(self):
        self.ensure_one()
        return self._open_list(
            self.env._("Recall Returns"),
            "stock.picking",
            [("lot_recall_id", "=", self.id)],
        )

    def action_open_regulator_export(self):
        """FSMA 204 spreadsheet or EPCIS document of the affected lots."""
        self.ensure_one()
        self._check_scoped()
        return self.env["lot.regulator.export"].action_open_for_lots(
            self.affected_lot_ids, recall=self
        )

    def action_open_eu_trace_report(self):
        """EU traceability report (one step back, one step forward) of the recalled lots."""
        self.ensure_one()
        self._check_scoped()
        return self.env["lot.eu.trace.report"]._open_for_lots(self.scope_lot_ids, recall=self)

    def _timeline(self):
        """Dated events of the recall for its summary, from its chatter: creation, state
        changes and the notes every action leaves (scope, blocking, notifications, returns,
        responses, review)."""
        self.ensure_one()
        events = []
        messages = self.message_ids.sorted(lambda m: (m.date, m.id))
        for message in messages:
            author = message.author_id.name or ""
            for tracking in message.sudo().tracking_value_ids:
                if tracking.field_id.name == "state":
                    events.append(
                        (message.date, author, self.env._("State: %s", tracking.new_value_char))
                    )
            if message.subtype_id == self.env.ref("mail.mt_note") and message.body:
                events.append((message.date, author, message.preview))
        return sorted(events, key=lambda event: event[0])
