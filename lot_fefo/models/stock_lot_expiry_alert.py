import logging
import threading
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup
from odoo import fields, models
from odoo.addons.lot_traceability.tools import timezones
from odoo.osv import expression
from odoo.tools import SQL, float_is_zero, split_every

from ..tools import expiry
from ..tools.status import USABLE_STATUSES

_logger = logging.getLogger(__name__)

# The expiry job expires this many lots per transaction.
EXPIRY_BATCH = 200


class StockLot(models.Model):
    _inherit = "stock.lot"

    lot_expiry_alert_horizon = fields.Integer(
        string="Expiry Alert Sent",
        readonly=True,
        copy=False,
        help="Smallest alert horizon (days) already notified for the current expiration date; "
        "0 when none.",
    )
    lot_expiry_alert_expiration_date = fields.Datetime(
        string="Expiry Alert For",
        readonly=True,
        copy=False,
        help="Expiration date the alert horizon above was notified for. A lot whose "
        "expiration date changes is alerted again from its new date.",
    )

    # ---------------------------------------------------------------- cron

    def _lot_expiry_cron(self, now=None):
        """Daily job, company by company: expire the lots whose expiration date has passed
        (in batches, each committed), then send each company's expiry alerts. A lot or a
        company that fails is logged and skipped; the others are done. ``now`` (naive UTC
        datetime) defaults to the current time."""
        now = now or fields.Datetime.now()
        companies = self.env["res.company"].sudo().search([("active", "=", True)])
        groups = self._lot_expire_due_groups(now)
        total = sum(len(lots) for lots in groups) + len(companies)
        done = 0
        for lots in groups:
            for batch in split_every(EXPIRY_BATCH, lots.ids, lots.browse):
                batch._lot_expire_batch()
                done += len(batch)
                self._lot_expiry_commit(done, total - done)
        for company in companies:
            try:
                with self.env.cr.savepoint():
                    self.with_company(company)._lot_expiry_alert(now=now, companies=company)
            except Exception:
                _logger.exception("Expiry alerts of company %s failed; skipped.", company.name)
            done += 1
            self._lot_expiry_commit(done, total - done)

    def _lot_expiry_commit(self, done, remaining):
        """Report the job's progress and commit the work done so far (not in tests), so
        that a later failure or time-out does not undo it."""
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        if not getattr(threading.current_thread(), "testing", False):
            self.env.cr.commit()  # pylint: disable=invalid-commit

    # ---------------------------------------------------------------- expiry

    def _lot_expire_due_groups(self, now):
        """The lots with a usable status whose expiration date has passed at ``now`` (all
        lots, or only those of ``self`` when not empty), each read in its time zone
        (``_lot_filter_expired``), as one recordset per company in that company's
        environment: each company's lots, then the lots without company with every active
        company allowed (their stock may be in any of them)."""
        companies = self.env["res.company"].sudo().search([("active", "=", True)])
        domain = [("lot_status", "in", USABLE_STATUSES)]
        if self:
            domain.append(("id", "in", self.ids))
        # the suite expires lots for every company, whoever runs the job
        Lot = self.env["stock.lot"].sudo()
        groups = []
        for company in companies:
            lots = Lot.with_context(allowed_company_ids=company.ids).search(
                [*domain, ("company_id", "=", company.id), ("expiration_date", "<", now)],
                order="id",
            )
            groups.append(lots._lot_filter_expired(now))
        current = self.env.company
        shared = Lot.with_context(allowed_company_ids=(current | companies).ids)
        lots = shared.search(
            [*domain, ("company_id", "=", False), ("expiration_date", "<", now)], order="id"
        )
        groups.append(lots._lot_filter_expired(now))
        return [lots for lots in groups if lots]

    def _lot_expire_due(self, now=None):
        """Set the status "expired" on the lots with a usable status whose expiration date
        has passed at ``now`` (all lots, or only those of ``self`` when not empty), then move
        their stock to the warehouses' expiry locations in the companies that ask for it.
        Returns the lots expired."""
        now = now or fields.Datetime.now()
        expired = self.env["stock.lot"]
        for lots in self._lot_expire_due_groups(now):
            expired |= lots._lot_expire_batch()
        return expired

    def _lot_expire_batch(self):
        """Expire these lots in a savepoint; when that fails, each lot is tried alone and
        the lots that fail again are logged and skipped. Returns the lots expired."""
        try:
            with self.env.cr.savepoint():
                self._lot_set_status(
                    "expired", self.env._("Expiration date passed: the lot expired automatically.")
                )
                self._lot_expiry_relocate()
        except Exception:
            if len(self) == 1:
                _logger.exception(
                    "Lot %s (id %s) could not be expired; skipped.", self.name, self.id
                )
                return self.browse()
            return self.browse().union(*(lot._lot_expire_batch() for lot in self))
        return self

    def _lot_expiry_relocate(self):
        """Move the internal stock of these expired lots, in the current companies that
        move expired stock, to their warehouses' expiry locations (one validated transfer
        per warehouse), noting the transfer in each lot's chatter. A lot with stock in a
        warehouse that has no expiry location stays where it is, with a note saying which
        warehouse to configure. Returns the transfers."""
        companies = self.env.companies.filtered("lot_expiry_move_expired")
        if not companies:
            return self.env["stock.picking"]
        quants = self.env["stock.quant"].search(
            [
                ("lot_id", "in", self.ids),
                ("location_id.usage", "=", "internal"),
                ("quantity", ">", 0),
                ("company_id", "in", companies.ids),
            ]
        )
        unconfigured = defaultdict(lambda: self.env["stock.warehouse"])
        for quant in quants:
            warehouse = quant.location_id.warehouse_id
            if warehouse and not warehouse.lot_expiry_location_id:
                unconfigured[quant.lot_id] |= warehouse
        movable = quants.lot_id.filtered(lambda lot: lot not in unconfigured)
        pickings = movable.with_context(allowed_company_ids=companies.ids)._lot_relocate_stock(
            "lot_expiry_location_id"
        )
        bodies = {}
        for lot in movable:
            moved = pickings.filtered(lambda picking, lot=lot: lot in picking.move_ids.lot_ids)
            if moved:
                bodies[lot.id] = Markup("<p>%s</p>") % self.env._(
                    "Expired stock moved to the expiry location by %(transfers)s.",
                    transfers=", ".join(moved.mapped("name")),
                )
        for lot, warehouses in unconfigured.items():
            bodies[lot.id] = Markup("<p>%s</p>") % self.env._(
                "Expired stock not moved: warehouse %(warehouses)s has no expiry location "
                "(Inventory > Configuration > Warehouses).",
                warehouses=", ".join(warehouses.mapped("name")),
            )
        if bodies:
            self.browse(list(bodies))._message_log_batch(bodies=bodies)
        return pickings

    # ---------------------------------------------------------------- alerts

    def _lot_expiry_stock(self, domain):
        """On-hand stock in internal locations of the lots matching ``domain`` (on
        stock.quant), per (lot, company): ``{(lot, company): (quantity, value)}`` with only
        positive quantities. The value follows core's quant valuation
        (``stock.quant._compute_value``: average cost of the lot's layers for lots valued
        by lot, of the product's layers otherwise; stock owned by others is not valued),
        computed in batch."""
        groups = (
            self.env["stock.quant"]
            .sudo()
            ._read_group(
                expression.AND([domain, [("location_id.usage", "=", "internal")]]),
                groupby=["lot_id", "company_id", "owner_id"],
                aggregates=["quantity:sum"],
            )
        )
        quantities = defaultdict(float)
        valued = defaultdict(float)
        for lot, company, owner, quantity in groups:
            quantities[lot, company] += quantity
            if not owner or owner == company.partner_id:
                valued[lot, company] += quantity
        result = {}
        by_company = defaultdict(lambda: self.env["stock.lot"])
        for (lot, company), quantity in quantities.items():
            rounding = lot.product_id.uom_id.rounding
            if quantity > 0 and not float_is_zero(quantity, precision_rounding=rounding):
                by_company[company] |= lot
        for company, lots in by_company.items():
            lots = lots.with_company(company).sudo()
            lot_valued = lots.filtered(lambda lot: lot.product_id.lot_valuated)
            products = (lots - lot_valued).product_id
            # one read_group per company for each, as core's compute does per recordset
            lot_valued.mapped("value_svl")
            products.mapped("value_svl")
            for lot in lots:
                source = lot if lot.product_id.lot_valuated else lot.product_id
                rounding = lot.product_id.uom_id.rounding
                value = 0.0
                if not float_is_zero(source.quantity_svl, precision_rounding=rounding):
                    value = company.currency_id.round(
                        valued[lot, company] * source.value_svl / source.quantity_svl
                    )
                result[lot, company] = (quantities[lot, company], value)
        return result

    def _lot_expiry_responsible(self, company):
        """``{lot: user}``: who receives the alerts of the lots in ``self`` for ``company``:
        the product's responsible user when active and internal, else the company's
        fallback (see ``res.company._lot_expiry_fallback_responsible``)."""
        fallback = None
        result = {}
        for lot in self:
            user = lot.product_id.with_company(company).sudo().responsible_id
            if not user.active or user.share or company not in user.company_ids:
                fallback = fallback or company._lot_expiry_fallback_responsible()
                user = fallback
            result[lot] = user
        return result

    def _lot_expiry_alert(self, now=None, companies=None):
        """Send one digest (an activity and an email) per company (``companies``, else
        every active one) and responsible user listing the lots with internal stock, not
        expired, that entered an alert horizon since the last notification for their
        current expiration date. Running it twice sends nothing more; a lot is notified
        again when it enters a smaller horizon or when its expiration date changes.
        Returns the digests created."""
        now = now or fields.Datetime.now()
        Digest = self.env["lot.expiry.digest"].sudo()
        if companies is None:
            companies = self.env["res.company"].sudo().search([("active", "=", True)])
        horizons = {company: company._lot_expiry_horizons() for company in companies}
        max_horizon = max((h[0] for h in horizons.values() if h), default=0)
        if not max_horizon:
            return Digest
        # coarse UTC window, one day of margin each side for any time zone; exact check below
        stock = self._lot_expiry_stock(
            [
                ("company_id", "in", companies.ids),
                ("lot_id.lot_status", "!=", "expired"),
                ("lot_id.expiration_date", ">=", now - timedelta(days=2)),
                ("lot_id.expiration_date", "<", now + timedelta(days=max_horizon + 2)),
            ]
        )
        lines = defaultdict(list)  # company -> [(lot, horizon, days left, day, quantity, value)]
        notified = {}  # lot -> smallest horizon notified now
        tzs = (
            self.env["stock.lot"]
            .sudo()
            .with_context(allowed_company_ids=companies.ids)
            .browse({lot.id for lot, _company in stock})
            ._lot_tzs()
        )
        for (lot, company), (quantity, value) in stock.items():
            tz = tzs[lot.id]
            days = expiry.days_left(lot.expiration_date, now, tz)
            entered = [h for h in horizons[company] if h >= days]
            if days < 0 or not entered:
                continue
            horizon = entered[-1]
            previous = (
                lot.lot_expiry_alert_horizon
                if lot.lot_expiry_alert_expiration_date == lot.expiration_date
                else 0
            )
            if previous and previous <= horizon:
                continue
            day = expiry.local_date(lot.expiration_date, tz)
            lines[company].append((lot, horizon, days, day, quantity, value))
            notified[lot] = min(horizon, notified.get(lot, horizon))
        digest_values = []
        for company, company_lines in lines.items():
            lots = self.env["stock.lot"].browse([line[0].id for line in company_lines])
            users = lots._lot_expiry_responsible(company)
            by_user = defaultdict(list)
            for line in company_lines:
                by_user[users[line[0]]].append(line)
            date = expiry.local_date(now, timezones.company_tz(company))
            for user, user_lines in by_user.items():
                digest_values.append(
                    {
                        "company_id": company.id,
                        "user_id": user.id,
                        "date": date,
                        "line_ids": [
                            fields.Command.create(
                                {
                                    "lot_id": lot.id,
                                    "product_id": lot.product_id.id,
                                    "horizon": horizon,
                                    "days_left": days,
                                    "expiration_date": day,
                                    "quantity": quantity,
                                    "uom_id": lot.product_id.uom_id.id,
                                    "value": value,
                                }
                            )
                            for lot, horizon, days, day, quantity, value in user_lines
                        ],
                    }
                )
        if not digest_values:
            return Digest
        digests = Digest.create(digest_values)
        self._lot_expiry_mark_notified(notified)
        digests._send()
        return digests

    def _lot_expiry_mark_notified(self, notified):
        """Store, in one statement per horizon, the horizon notified for each lot of
        ``notified`` ({lot: horizon}) and the expiration date it was computed for."""
        by_horizon = defaultdict(list)
        for lot, horizon in notified.items():
            by_horizon[horizon].append(lot.id)
        self.env["stock.lot"].flush_model(["expiration_date"])
        for horizon, lot_ids in by_horizon.items():
            self.env.cr.execute(
                SQL(
                    """UPDATE stock_lot
                          SET lot_expiry_alert_horizon = %s,
                              lot_expiry_alert_expiration_date = expiration_date
                        WHERE id IN %s""",
                    horizon,
                    tuple(lot_ids),
                )
            )
        self.env["stock.lot"].browse([lot.id for lot in notified]).invalidate_recordset(
            ["lot_expiry_alert_horizon", "lot_expiry_alert_expiration_date"]
        )
