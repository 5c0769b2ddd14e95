import logging
import math
from bisect import bisect_left, insort
from collections import defaultdict
from operator import itemgetter

import psycopg2
from odoo import api, fields, models
from odoo.addons.lot_traceability.tools import timezones
from odoo.addons.lot_traceability.tools.move_kinds import DELIVERY_KINDS, classify_lines, kind_sql
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, groupby

from ..tools import expiry, jobs
from ..tools.status import OPEN_STATUSES, USABLE_STATUSES

_logger = logging.getLogger(__name__)

# Products are swept in batches of about this many done lot move lines.
BATCH_LINES = 200_000
# A call of the compliance job sweeps this many batches; the cron calls it again while
# work remains, so that no call runs into the cron time limit.
BATCHES_PER_CALL = 1
# A lot is on hand when its quantity exceeds this (sums of float quantities drift).
QUANTITY_EPSILON = 1e-6
# On-hand quantities are reported with this many decimals.
QUANTITY_DIGITS = 6
# Errors of a company's data (a date out of range, a value that cannot be read), which the
# job would meet again at every call; any other error (a worker stopped by its time or
# memory limit) leaves the company queued and the job resumes after its watermark.
DATA_ERRORS = (ArithmeticError, LookupError, TypeError, ValueError, psycopg2.DataError, UserError)


class LotFefoComplianceReport(models.Model):
    """Deliveries that broke First Expired, First Out.

    A row is a done move line that shipped lot L of product P from warehouse W to a
    customer at time D (a line of ``DELIVERY_KINDS`` out of W, to the customer of
    ``move_kinds.classify_lines``: the move's partner, else the sale order's delivery
    address, else the transfer's) while another lot of P, expiring on an earlier day than L, was
    still on hand in W's internal locations right after the delivery and eligible for
    it: not expired at D, with the customer's minimum remaining shelf life (days read in
    W's time zone, as ``tools.expiry`` and the reservation read them), and in a usable
    status for the customer and the delivery's operation type. The row names the
    earliest-expiring such lot.

    Rows are written when deliveries are validated (``_lot_fefo_check_deliveries``,
    with the stock and the lot statuses of that moment) and rebuilt from the whole
    history by the background job ``_lot_fefo_compliance_job`` (queued at installation,
    or by a stock manager), which replays the done lot move lines in the order they were
    done and reads the lots' current statuses.
    """

    _name = "lot.fefo.compliance.report"
    _description = "FEFO Compliance"
    _order = "date desc, id desc"
    _rec_name = "lot_id"

    company_id = fields.Many2one("res.company", readonly=True, index=True, ondelete="cascade")
    warehouse_id = fields.Many2one("stock.warehouse", readonly=True, ondelete="cascade")
    move_line_id = fields.Many2one("stock.move.line", readonly=True, index=True, ondelete="cascade")
    picking_id = fields.Many2one("stock.picking", string="Delivery", readonly=True)
    date = fields.Datetime(readonly=True, help="When the delivery was done.")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True, ondelete="cascade")
    lot_id = fields.Many2one("stock.lot", string="Shipped Lot", readonly=True, ondelete="cascade")
    expiration_date = fields.Datetime(string="Shipped Lot Expiration", readonly=True)
    quantity = fields.Float(
        string="Shipped Quantity", readonly=True, digits="Product Unit of Measure"
    )
    uom_id = fields.Many2one("uom.uom", string="Unit", readonly=True)
    earlier_lot_id = fields.Many2one(
        "stock.lot",
        readonly=True,
        ondelete="cascade",
        help="The earliest-expiring lot that was on hand and eligible for this delivery.",
    )
    earlier_expiration_date = fields.Datetime(string="Earlier Lot Expiration", readonly=True)
    earlier_quantity = fields.Float(
        string="Earlier Lot On Hand",
        readonly=True,
        digits="Product Unit of Measure",
        help="Quantity of the earlier lot left in the warehouse's internal locations right "
        "after the delivery.",
    )
    days_difference = fields.Integer(
        string="Days Earlier",
        readonly=True,
        aggregator="max",
        help="Days between the earlier lot's last day of use and the shipped lot's.",
    )

    # ------------------------------------------------------------------ actions

    def action_recompute(self):
        """Queue the rebuild of the report from the whole history, with the lots' current
        statuses, for the current companies (stock managers). The background job
        ``_lot_fefo_compliance_job`` does it in batches (about a minute per million move
        lines): the button answers at once."""
        if not self.env.user.has_group("stock.group_stock_manager"):
            raise AccessError(
                self.env._("Only inventory administrators can recompute the FEFO compliance.")
            )
        self._lot_fefo_queue(self.env.companies)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._(
                    "The FEFO compliance is being recomputed in the background; reload the "
                    "report in a few minutes."
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _lot_fefo_queue(self, companies=None):
        """Queue the rebuild of these companies' rows (default: every active company) and
        wake the background job up."""
        if companies is None:
            companies = self.env["res.company"].sudo().search([("active", "=", True)])
        companies.sudo().write(
            {"lot_fefo_compliance_queued": True, "lot_fefo_compliance_done_product_id": 0}
        )
        self.env.ref("lot_fefo.ir_cron_lot_fefo_compliance").sudo()._trigger()

    @api.model
    def _lot_fefo_refresh(self):
        """Rebuild the rows of every company now, as the background job does."""
        self._lot_fefo_queue()
        queued = [("lot_fefo_compliance_queued", "=", True)]
        while self.env["res.company"].sudo().search_count(queued):
            self._lot_fefo_compliance_job()

    @api.model
    def _lot_fefo_compliance_job(self, max_batches=BATCHES_PER_CALL):
        """Background job: rebuild the rows of the queued companies from the whole history,
        at most ``max_batches`` batches of products per call (``_lot_fefo_rebuild_batch``),
        each committed with its company's watermark (the last product done). The cron
        calls it again while companies stay queued (Odoo 18 ``ir.cron`` batches). After a
        crash the job resumes after the watermark; a batch replaces its products' rows, so
        nothing is counted twice. A company whose rebuild fails on its data
        (``DATA_ERRORS``) is logged and taken out of the queue, so that it never holds up
        the others."""
        Company = self.env["res.company"].sudo()
        done = 0
        for company in Company.search([("lot_fefo_compliance_queued", "=", True)]):
            if done >= max_batches:
                break
            report = self.sudo().with_company(company).with_context(allowed_company_ids=company.ids)
            try:
                done += report._lot_fefo_rebuild_company(company, max_batches - done)
            except DATA_ERRORS:
                jobs.rollback_batch(self.env)
                _logger.exception(
                    "FEFO compliance of company %s could not be recomputed; skipped.",
                    company.name,
                )
                company.write(
                    {"lot_fefo_compliance_queued": False, "lot_fefo_compliance_done_product_id": 0}
                )
                done += 1
        remaining = Company.search_count([("lot_fefo_compliance_queued", "=", True)])
        jobs.commit_batch(self.env, done, remaining)

    @api.model
    def _lot_fefo_rebuild_company(self, company, max_batches):
        """Rebuild the rows of ``company``'s warehouses after its watermark, at most
        ``max_batches`` batches; once none is left, remove the rows of products that no
        longer have dated lot moves and take the company out of the queue. Returns the
        number of batches done."""
        self.env.flush_all()
        self.env.cr.execute("SELECT id FROM stock_warehouse WHERE company_id = %s", [company.id])
        warehouses = self.env["stock.warehouse"].browse(row[0] for row in self.env.cr.fetchall())
        context = self._lot_fefo_context(warehouses)
        batches = self._lot_fefo_product_batches(
            company, company.lot_fefo_compliance_done_product_id
        )
        for done, product_ids in enumerate(batches[:max_batches], 1):
            with self.env.cr.savepoint():
                self._lot_fefo_rebuild_batch(company, warehouses, product_ids, context)
            jobs.commit_batch(self.env, done, len(batches) - done)
        if len(batches) > max_batches:
            return max_batches
        products = [pid for batch in self._lot_fefo_product_batches(company) for pid in batch]
        self._lot_fefo_delete(warehouses, SQL("product_id <> ALL(%s)", products))
        company.write(
            {"lot_fefo_compliance_queued": False, "lot_fefo_compliance_done_product_id": 0}
        )
        return len(batches)

    @api.model
    def _lot_fefo_rebuild_batch(self, company, warehouses, product_ids, context):
        """Replace the rows of these products in ``company``'s warehouses by the violations
        of their whole history, and move the company's watermark past them."""
        self._lot_fefo_delete(warehouses, SQL("product_id = ANY(%s)", product_ids))
        self._lot_fefo_store(self._lot_fefo_sweep(product_ids, context))
        company.lot_fefo_compliance_done_product_id = product_ids[-1]
        company.flush_recordset(["lot_fefo_compliance_done_product_id"])

    @api.model
    def _lot_fefo_delete(self, warehouses, products_condition):
        """Delete the rows of these warehouses whose product meets ``products_condition``
        (SQL)."""
        self.env.cr.execute(
            SQL(
                "DELETE FROM %s WHERE warehouse_id = ANY(%s) AND %s",
                SQL.identifier(self._table),
                warehouses.ids,
                products_condition,
            )
        )

    @api.model
    def _lot_fefo_check_deliveries(self, lines):
        """Add the rows of these move lines, just done: the deliveries to customers of
        dated lots from a warehouse, checked against the stock on hand now."""
        lines = lines.filtered(
            lambda line: (
                line.state == "done"
                and line.lot_id.expiration_date
                and line.product_id.use_expiration_date
                and line.location_id.usage == "internal"
                and line.location_id.warehouse_id
            )
        )
        if not lines:
            return
        report = self.sudo()
        report.env.flush_all()
        customers = report._lot_fefo_customers(lines.ids)
        lines = lines.filtered(lambda line: line.id in customers)
        if not lines:
            return
        warehouses = lines.location_id.warehouse_id
        products = lines.product_id
        report.env.cr.execute(
            """
            SELECT quant.product_id, location.warehouse_id, quant.lot_id, SUM(quant.quantity)
              FROM stock_quant quant
              JOIN stock_location location
                ON location.id = quant.location_id AND location.usage = 'internal'
             WHERE quant.product_id = ANY(%s)
               AND location.warehouse_id = ANY(%s)
               AND quant.lot_id IS NOT NULL
          GROUP BY quant.product_id, location.warehouse_id, quant.lot_id
            HAVING SUM(quant.quantity) > 0
            """,
            [products.ids, warehouses.ids],
        )
        on_hand = report.env.cr.fetchall()
        lots = report._lot_fefo_lots(
            products.ids, {row[2] for row in on_hand} | set(lines.lot_id.ids)
        )
        context = report._lot_fefo_context(warehouses)
        timelines = {}
        for product_id, warehouse_id, lot_id, quantity in on_hand:
            key = (product_id, warehouse_id)
            if key not in timelines:
                timelines[key] = StockTimeline(lots, context["tz_by_warehouse"][warehouse_id])
            timelines[key].apply(lot_id, quantity)
        violations = []
        for line in lines:
            warehouse = line.location_id.warehouse_id
            timeline = timelines.get((line.product_id.id, warehouse.id))
            if not timeline:
                continue
            partner = report.env["res.partner"].browse(customers[line.id])
            day = expiry.local_date(line.date, timeline.tz).toordinal()
            day += report._lot_fefo_min_days(
                line.product_id.id, partner.commercial_partner_id.id, context
            )
            found = timeline.earlier_lot(
                line.lot_id.id,
                day,
                partner.id,
                partner.commercial_partner_id.id,
                line.picking_id.picking_type_id.id,
            )
            if found:
                violations.append((line.id, warehouse.id, partner.id, *found))
        report._lot_fefo_store(violations)

    @api.model
    def _lot_fefo_customers(self, line_ids):
        """{move line id: customer id} of the deliveries among these done move lines (see
        ``move_kinds``)."""
        self.env.cr.execute(
            f"""
            SELECT line.id, line.move_id, {kind_sql("line", "src", "dest")} AS kind
              FROM stock_move_line line
              JOIN stock_location src ON src.id = line.location_id
              JOIN stock_location dest ON dest.id = line.location_dest_id
             WHERE line.id = ANY(%s)
            """,
            [list(line_ids)],
        )
        rows = [
            {"id": line_id, "move_id": move_id, "kind": kind}
            for line_id, move_id, kind in self.env.cr.fetchall()
            if kind in DELIVERY_KINDS
        ]
        return {row["id"]: row["customer_id"] for row in classify_lines(self.env, rows)}

    # ------------------------------------------------------------------ computation

    @api.model
    def _lot_fefo_context(self, warehouses):
        """What a check needs besides the stock: the warehouses' time zones and the
        minimum shelf life rules (cached as they are read)."""
        return {
            "tz_by_warehouse": {
                warehouse.id: timezones.warehouse_tz(warehouse) for warehouse in warehouses
            },
            "partners_with_rule": self._lot_fefo_partners_with_shelf_life_rule(),
            "min_days": {},
        }

    @api.model
    def _lot_fefo_product_batches(self, company, after=0):
        """Ids of the products with expiration dates that have done lot move lines in
        ``company``, above ``after``, in ascending lists of about ``BATCH_LINES`` lines."""
        self.env.cr.execute(
            """
            SELECT line.product_id, COUNT(*)
              FROM stock_move_line line
              JOIN product_product product ON product.id = line.product_id
              JOIN product_template template
                ON template.id = product.product_tmpl_id AND template.use_expiration_date
             WHERE line.state = 'done' AND line.lot_id IS NOT NULL
               AND line.company_id = %s AND line.product_id > %s
          GROUP BY line.product_id
          ORDER BY line.product_id
            """,
            [company.id, after],
        )
        batches, batch, size = [], [], 0
        for product_id, count in self.env.cr.fetchall():
            if batch and size + count > BATCH_LINES:
                batches.append(batch)
                batch, size = [], 0
            batch.append(product_id)
            size += count
        if batch:
            batches.append(batch)
        return batches

    @api.model
    def _lot_fefo_partners_with_shelf_life_rule(self):
        """Commercial partners with their own minimum remaining shelf life."""
        partners = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("lot_min_shelf_life", ">", 0)])
        )
        return set(partners.commercial_partner_id.ids)

    @api.model
    def _lot_fefo_min_days(self, product_id, partner_id, context):
        """Whole days of shelf life a lot needs to be delivered: the minimum remaining
        shelf life for this product and customer, rounded up as the reservation does."""
        if partner_id not in context["partners_with_rule"]:
            partner_id = None
        key = (product_id, partner_id)
        if key not in context["min_days"]:
            product = self.env["product.product"].browse(product_id)
            partner = self.env["res.partner"].browse(partner_id) if partner_id else None
            days = product._lot_min_shelf_life_days(partner)
            context["min_days"][key] = math.ceil(round(days, 6))
        return context["min_days"][key]

    @api.model
    def _lot_fefo_lots(self, product_ids, lot_ids=None):
        """{lot id: [expiration date, status, restricted partner ids, restricted operation
        type ids]} for the dated lots of these products (among ``lot_ids`` if given)."""
        query = SQL(
            "SELECT id, expiration_date, lot_status FROM stock_lot"
            " WHERE product_id = ANY(%s) AND expiration_date IS NOT NULL",
            list(product_ids),
        )
        if lot_ids is not None:
            query = SQL("%s AND id = ANY(%s)", query, list(lot_ids))
        self.env.cr.execute(query)
        lots = {lot_id: [date, status, (), ()] for lot_id, date, status in self.env.cr.fetchall()}
        restricted = self.env["stock.lot"].browse(
            [lot_id for lot_id, values in lots.items() if values[1] == "restricted"]
        )
        for lot in restricted:
            lots[lot.id][2] = set(lot.lot_restricted_partner_ids.ids)
            lots[lot.id][3] = set(lot.lot_restricted_picking_type_ids.ids)
        return lots

    @api.model
    def _lot_fefo_events(self, product_ids, tz_by_warehouse):
        """Done lot move lines of these products as stock changes of warehouses, ordered by
        product, warehouse, date and id: (product, warehouse, date, line, lot, quantity
        change, and for deliveries out of the warehouse the local day of the delivery as an
        ordinal, the customer (``move_kinds.classify_lines``), its commercial partner and
        the operation type)."""
        self.env.cr.execute(
            f"""
            SELECT line.product_id, stock.warehouse_id, line.date, line.id, line.lot_id,
                   stock.change,
                   CASE WHEN kind.name = ANY(%(delivery_kinds)s) AND stock.change < 0 THEN
                       ((line.date AT TIME ZONE 'UTC') AT TIME ZONE zone.name)::date
                           - DATE '0001-01-01' + 1
                   END,
                   line.move_id, kind.name, picking.picking_type_id
              FROM stock_move_line line
              JOIN stock_location src ON src.id = line.location_id
              JOIN stock_location dest ON dest.id = line.location_dest_id
              -- a line leaves the source's warehouse and enters the destination's
             CROSS JOIN LATERAL (
                    VALUES (CASE WHEN src.usage = 'internal' THEN src.warehouse_id END,
                            -line.quantity_product_uom::float8),
                           (CASE WHEN dest.usage = 'internal' THEN dest.warehouse_id END,
                            line.quantity_product_uom::float8)
                   ) AS stock(warehouse_id, change)
              JOIN unnest(%(warehouse_ids)s::int[], %(tz_names)s::text[])
                   AS zone(warehouse_id, name)
                ON zone.warehouse_id = stock.warehouse_id
             CROSS JOIN LATERAL (SELECT {kind_sql("line", "src", "dest")} AS name) AS kind
         LEFT JOIN stock_picking picking ON picking.id = line.picking_id
             WHERE line.state = 'done'
               AND line.lot_id IS NOT NULL
               AND line.product_id = ANY(%(product_ids)s)
               AND (CASE WHEN src.usage = 'internal' THEN src.warehouse_id END)
                   IS DISTINCT FROM (CASE WHEN dest.usage = 'internal' THEN dest.warehouse_id END)
          ORDER BY 1, 2, 3, 4
            """,
            {
                "warehouse_ids": list(tz_by_warehouse),
                "tz_names": list(tz_by_warehouse.values()),
                "product_ids": product_ids,
                "delivery_kinds": list(DELIVERY_KINDS),
            },
        )
        events = self.env.cr.fetchall()
        deliveries = classify_lines(
            self.env,
            [{"move_id": row[7], "kind": row[8]} for row in events if row[6] is not None],
        )
        self.env.cr.execute(
            "SELECT id, commercial_partner_id FROM res_partner WHERE id = ANY(%s)",
            [list({row["customer_id"] for row in deliveries if row["customer_id"]})],
        )
        commercial = dict(self.env.cr.fetchall())
        customers = iter(deliveries)
        result = []
        for row in events:
            customer_id = commercial_id = None
            if row[6] is not None:
                customer_id = next(customers)["customer_id"] or None
                commercial_id = commercial.get(customer_id)
            result.append((*row[:7], customer_id, commercial_id, row[9]))
        return result

    @api.model
    def _lot_fefo_sweep(self, product_ids, context):
        """Violations among the deliveries of these products (see the class docstring):
        [(move line id, warehouse id, customer id, earlier lot id, its quantity, days
        difference)].

        Per product and warehouse, the lines are replayed in the order they were done
        (``StockTimeline``); after the lines of one moment, each delivery of that moment
        looks for an eligible lot on hand expiring on an earlier day.
        """
        lots = self._lot_fefo_lots(product_ids)
        events = self._lot_fefo_events(product_ids, context["tz_by_warehouse"])
        violations = []
        for (product_id, warehouse_id), rows in groupby(events, itemgetter(0, 1)):
            timeline = StockTimeline(lots, context["tz_by_warehouse"][warehouse_id])
            for _date, moment in groupby(rows, itemgetter(2)):
                deliveries = []
                for row in moment:
                    line_id, lot_id, change, day, partner_id, commercial_id, picking_type = row[3:]
                    timeline.apply(lot_id, change)
                    if day is not None and lot_id in lots:
                        day += self._lot_fefo_min_days(product_id, commercial_id, context)
                        deliveries.append(
                            (line_id, lot_id, day, partner_id, commercial_id, picking_type)
                        )
                for line_id, *delivery in deliveries:
                    found = timeline.earlier_lot(*delivery)
                    if found:
                        violations.append((line_id, warehouse_id, delivery[2], *found))
        return violations

    @api.model
    def _lot_fefo_store(self, violations):
        """Insert the rows of these violations (see ``_lot_fefo_sweep``)."""
        cr = self.env.cr
        if violations:
            line_ids, warehouse_ids, partner_ids, lot_ids, quantities, differences = map(
                list, zip(*violations, strict=True)
            )
            cr.execute(
                SQL(
                    """
                    INSERT INTO %(table)s (
                        company_id, warehouse_id, move_line_id, picking_id, date, partner_id,
                        product_id, lot_id, expiration_date, quantity, uom_id, earlier_lot_id,
                        earlier_expiration_date, earlier_quantity, days_difference,
                        create_uid, create_date, write_uid, write_date
                    )
                    SELECT line.company_id, found.warehouse_id, line.id, line.picking_id,
                           line.date, found.partner_id,
                           line.product_id, line.lot_id, lot.expiration_date,
                           line.quantity_product_uom, template.uom_id, found.earlier_lot_id,
                           earlier.expiration_date, found.earlier_quantity,
                           found.days_difference,
                           %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                      FROM unnest(%(line_ids)s::int[], %(warehouse_ids)s::int[],
                                  %(partner_ids)s::int[], %(lot_ids)s::int[],
                                  %(quantities)s::float8[], %(differences)s::int[])
                           AS found(line_id, warehouse_id, partner_id, earlier_lot_id,
                                    earlier_quantity, days_difference)
                      JOIN stock_move_line line ON line.id = found.line_id
                      JOIN stock_lot lot ON lot.id = line.lot_id
                      JOIN stock_lot earlier ON earlier.id = found.earlier_lot_id
                      JOIN product_product product ON product.id = line.product_id
                      JOIN product_template template ON template.id = product.product_tmpl_id
                    """,
                    table=SQL.identifier(self._table),
                    uid=self.env.uid,
                    line_ids=line_ids,
                    warehouse_ids=warehouse_ids,
                    partner_ids=partner_ids,
                    lot_ids=lot_ids,
                    quantities=quantities,
                    differences=differences,
                )
            )
        self.invalidate_model()


class StockTimeline:
    """Stock of one product in one warehouse, replayed move line by move line: the
    balance of every lot, and the dated lots on hand in a usable status sorted by last
    day of use (local calendar day in the warehouse's time zone, as an ordinal)."""

    def __init__(self, lots, tz):
        self.lots = lots  # {lot id: [expiration date, status, partner ids, type ids]}
        self.tz = tz
        self.balance = defaultdict(float)
        self.on_hand = []  # sorted (last day, expiration date, lot id)
        self.last_days = {}

    def last_day(self, lot_id):
        if lot_id not in self.last_days:
            self.last_days[lot_id] = expiry.local_date(self.lots[lot_id][0], self.tz).toordinal()
        return self.last_days[lot_id]

    def apply(self, lot_id, change):
        """Add ``change`` to the lot's quantity in the warehouse."""
        before = self.balance[lot_id] > QUANTITY_EPSILON
        self.balance[lot_id] += change
        after = self.balance[lot_id] > QUANTITY_EPSILON
        lot = self.lots.get(lot_id)
        if before != after and lot and lot[1] in USABLE_STATUSES:
            key = (self.last_day(lot_id), lot[0], lot_id)
            if after:
                insort(self.on_hand, key)
            else:
                del self.on_hand[bisect_left(self.on_hand, key)]

    def earlier_lot(self, lot_id, threshold_day, partner_id, commercial_id, picking_type_id):
        """(lot id, quantity on hand, days earlier) of the earliest-expiring lot on hand
        that is usable for this partner and operation type, has its last day of use on or
        after ``threshold_day`` and before the last day of ``lot_id``; None if none."""
        shipped_day = self.last_day(lot_id)
        index = bisect_left(self.on_hand, (threshold_day,))
        while index < len(self.on_hand) and self.on_hand[index][0] < shipped_day:
            other_day, _expiration, other_id = self.on_hand[index]
            status, partners, picking_types = self.lots[other_id][1:]
            if status in OPEN_STATUSES or (
                partner_id in partners
                or commercial_id in partners
                or picking_type_id in picking_types
            ):
                quantity = round(self.balance[other_id], QUANTITY_DIGITS)
                return other_id, quantity, shipped_day - other_day
            index += 1
        return None
