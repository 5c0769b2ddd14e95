import logging
from collections import defaultdict
from datetime import datetime, timedelta

from markupsafe import Markup
from odoo import Command, api, fields, models
from odoo.addons.lot_traceability.tools import timezones
from odoo.addons.lot_traceability.tools.protected import code_defaults
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, float_compare, float_is_zero, split_every
from odoo.tools.misc import clean_context

from ..tools import expiry, jobs
from ..tools.status import LOT_STATUSES, OPEN_STATUSES, USABLE_STATUSES

_logger = logging.getLogger(__name__)

# Fields the daily expiry alert job alone writes (section "expiry alerts").
EXPIRY_ALERT_FIELDS = {"lot_expiry_alert_horizon", "lot_expiry_alert_expiration_date"}
# Fields of a lot's status: written only in superuser mode, i.e. by _lot_set_status once
# its caller checked who may change the status, or by the suite's own processes.
STATUS_FIELDS = (
    "lot_status",
    "lot_restricted_partner_ids",
    "lot_restricted_picking_type_ids",
    "lot_status_reason",
    "lot_status_date",
)
QUALITY_MANAGER_GROUP = "lot_fefo.group_lot_quality_manager"
# at most this many lots are named in one error message
MAX_LOTS_IN_MESSAGE = 10
# The expiry job expires this many lots per transaction,
EXPIRY_BATCH = 200
# and at most this many per call (the cron calls it again while lots are due).
EXPIRY_LOTS_PER_CALL = 10_000
# Expiration dates end before this: a lot's day is read in any time zone, and the day after
# it, which Python's dates cannot do at the very end of year 9999.
EXPIRATION_DATE_END = datetime(9999, 12, 29)


class StockLot(models.Model):
    """A lot's quality status (whether it may be reserved, picked, consumed or shipped),
    its expiry (the suite's "expired", the daily expiry job and alerts) and the moves of
    its stock to a warehouse's quarantine or expiry location."""

    _inherit = "stock.lot"

    lot_status = fields.Selection(
        LOT_STATUSES,
        string="Status",
        required=True,
        readonly=True,
        default="released",
        index=True,
        tracking=True,
        copy=False,
        help="Quarantine: waiting for release. Released: usable everywhere. Restricted: "
        "usable only for the partners or operation types listed on the lot. Blocked, "
        "Recalled, Expired: cannot be reserved, picked, consumed or shipped. Only a Lot "
        "Quality Manager changes it, with a reason recorded in the chatter.",
    )
    lot_restricted_partner_ids = fields.Many2many(
        "res.partner",
        "stock_lot_restricted_partner_rel",
        "lot_id",
        "partner_id",
        string="Restricted to Partners",
        readonly=True,
        copy=False,
        help="A restricted lot may go to these partners (a company covers its contacts).",
    )
    lot_restricted_picking_type_ids = fields.Many2many(
        "stock.picking.type",
        "stock_lot_restricted_picking_type_rel",
        "lot_id",
        "picking_type_id",
        string="Restricted to Operations",
        readonly=True,
        copy=False,
        help="A restricted lot may be used by these operation types (e.g. a manufacturing "
        "operation for rework, or one warehouse's deliveries).",
    )
    lot_status_reason = fields.Char(
        string="Status Reason", readonly=True, copy=False, help="Reason of the last status change."
    )
    lot_status_date = fields.Datetime(
        string="Status Since", readonly=True, copy=False, help="When the status last changed."
    )
    product_expiry_alert = fields.Boolean(search="_search_product_expiry_alert")
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

    # ------------------------------------------------------------------ creation and writes

    @api.model_create_multi
    def create(self, vals_list):
        """A new lot starts in quarantine when its product requires release, released
        otherwise, with no expiry alert sent. Only the superuser (the suite's own
        processes) creates a lot in another status; anyone else changes it afterwards,
        with a reason."""
        product_ids = [
            vals.get("product_id") or self.env.context.get("default_product_id")
            for vals in vals_list
        ]
        products = self.env["product.product"].browse([pid for pid in product_ids if pid])
        for vals, product_id in zip(vals_list, product_ids, strict=True):
            product = self.env["product.product"].browse(product_id).with_prefetch(products.ids)
            initial = "quarantine" if product.lot_release_required else "released"
            if not self.env.su:
                self._lot_expiry_alert_check_write(
                    {name: value for name, value in vals.items() if value}
                )
                if (vals.get("lot_status") or initial) != initial or any(
                    vals.get(fname) for fname in STATUS_FIELDS[1:]
                ):
                    raise UserError(
                        self.env._(
                            "New lot %(lot)s starts in %(status)s. A Lot Quality Manager "
                            "changes its status afterwards, with a reason (status buttons of "
                            "the lot).",
                            lot=vals.get("name") or product.display_name,
                            status=dict(
                                self._fields["lot_status"]._description_selection(self.env)
                            )[initial],
                        )
                    )
            vals["lot_status"] = vals.get("lot_status") or initial
        # no default (context key, user default) applies to the other status fields
        code_defaults(self, vals_list, set(STATUS_FIELDS[1:]) | EXPIRY_ALERT_FIELDS)
        return super().create(vals_list)

    @api.constrains("expiration_date")
    def _lot_check_expiration_date(self):
        too_late = self.filtered(
            lambda lot: lot.expiration_date and lot.expiration_date >= EXPIRATION_DATE_END
        )
        if too_late:
            raise ValidationError(
                self.env._(
                    "%(lots)s: give an expiration date before %(date)s, or none when the "
                    "product does not expire.",
                    lots=too_late._lot_names(),
                    date=fields.Date.to_string(EXPIRATION_DATE_END.date()),
                )
            )

    def write(self, vals):
        if not self.env.su:
            self._lot_status_check_write(vals)
            self._lot_expiry_alert_check_write(vals)
        return super().write(vals)

    def _lot_expiry_alert_check_write(self, vals):
        """Refuse, to anyone but the superuser, writes of what the expiry alert job records
        (a user could otherwise silence the alerts of a lot)."""
        if EXPIRY_ALERT_FIELDS & set(vals):
            raise UserError(
                self.env._("Only the expiry alert job records which alerts a lot was sent.")
            )

    def _lot_status_check_write(self, vals):
        """Refuse, to anyone but the superuser, writes that change the status fields of
        these lots, or give a product requiring release to lots in use."""
        if any(fname in vals for fname in STATUS_FIELDS[1:]) or (
            "lot_status" in vals and any(lot.lot_status != vals["lot_status"] for lot in self)
        ):
            raise UserError(
                self.env._(
                    "The status of a lot is changed with the status buttons of the lot or the "
                    "Change Lot Status action of the lot list, which record a reason."
                )
            )
        if vals.get("product_id"):
            product = self.env["product.product"].browse(vals["product_id"])
            in_use = self.filtered(lambda lot: lot.lot_status in USABLE_STATUSES)
            if product.lot_release_required and in_use:
                raise UserError(
                    self.env._(
                        "%(product)s requires a quality release: put %(lots)s in quarantine "
                        "before giving it this product.",
                        product=product.display_name,
                        lots=in_use._lot_names(),
                    )
                )

    # ------------------------------------------------------------------ access

    def _lot_status_check_access(self):
        """Refuse users who are not Lot Quality Managers (the superuser may)."""
        if not self.env.su and not self.env.user.has_group(QUALITY_MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "Only a Lot Quality Manager can change the status of lots. Ask one of them, "
                    "or an administrator for the group (Settings > Users)."
                )
            )

    @api.readonly
    def action_lot_status_change(self):
        """Open the status change wizard on these lots; the target status may be given in
        the context key ``lot_status`` (buttons of the lot form)."""
        self._lot_status_check_access()
        context = {"default_lot_ids": [Command.set(self.ids)]}
        if self.env.context.get("lot_status"):
            context["default_lot_status"] = self.env.context["lot_status"]
        if len(self) == 1 and self.lot_status == "restricted":
            context["default_partner_ids"] = [Command.set(self.lot_restricted_partner_ids.ids)]
            context["default_picking_type_ids"] = [
                Command.set(self.lot_restricted_picking_type_ids.ids)
            ]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Change Lot Status"),
            "res_model": "lot.status.change",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": context,
        }

    # ------------------------------------------------------------------ usability

    @api.model
    def _lot_usable_domain(self, partner=None, picking_type=None):
        """Domain on stock.lot of the lots usable for this partner and operation type(s):
        released lots, and restricted lots listing the partner (or its company) or one of
        the operation types."""
        domain = [("lot_status", "in", OPEN_STATUSES)]
        restrictions = []
        if partner:
            partners = partner | partner.commercial_partner_id
            restrictions.append([("lot_restricted_partner_ids", "in", partners.ids)])
        if picking_type:
            restrictions.append([("lot_restricted_picking_type_ids", "in", picking_type.ids)])
        if not restrictions:
            return domain
        restricted = expression.AND(
            [[("lot_status", "=", "restricted")], expression.OR(restrictions)]
        )
        return expression.OR([domain, restricted])

    def _lot_usable_for(self, partner=None, picking_type=None):
        """The lots of ``self`` usable for this partner and operation type(s): released
        lots, and restricted lots listing the partner (or its company) or one of the
        operation types. Expiry is not looked at here (see tools/expiry)."""
        partners = (partner | partner.commercial_partner_id) if partner else None
        picking_types = picking_type or None

        def usable(lot):
            if lot.lot_status != "restricted":
                return lot.lot_status in USABLE_STATUSES
            return bool(
                (partners and partners & lot.lot_restricted_partner_ids)
                or (picking_types and picking_types & lot.lot_restricted_picking_type_ids)
            )

        return self.filtered(usable)

    def _lot_status_label(self):
        self.ensure_one()
        return dict(self._fields["lot_status"]._description_selection(self.env))[self.lot_status]

    # ------------------------------------------------------------------ status changes

    def _lot_set_status(self, status, reason, relocate=False, partners=None, picking_types=None):
        """Set the status of these lots, recording reason, user and time in the chatter.

        No group check here: the callers (wizard, recalls, crons) check who may, and the
        user needs write access to the lots; the status fields are then written in
        superuser mode, the only way they change. ``partners`` and
        ``picking_types`` (records or ids) are what a restricted lot is restricted to.
        Lots taken out of use lose their reservations; with ``relocate`` their stock goes
        to each warehouse's quarantine location. Returns the lots.
        """
        if not self:
            return self
        # default_* keys of the caller (e.g. a wizard's) must not reach the records created
        # on the way (chatter messages, relocation transfers)
        lots = self.with_context(clean_context(self.env.context))  # pylint: disable=context-overridden
        lots._lot_status_apply(status, reason, relocate, partners, picking_types)
        return self

    def _lot_status_apply(self, status, reason, relocate, partners, picking_types):
        reason = (reason or "").strip()
        # records, or ids (XML data files)
        partners = self.env["res.partner"].browse(getattr(partners, "ids", partners or []))
        picking_types = self.env["stock.picking.type"].browse(
            getattr(picking_types, "ids", picking_types or [])
        )
        self._lot_status_check_change(status, reason, relocate, partners, picking_types)
        if relocate:
            # refuses before anything changes when a warehouse has no quarantine location
            self._lot_relocation_quants("lot_quarantine_location_id")
        old_statuses = {lot.id: lot.lot_status for lot in self}
        vals = {
            "lot_status": status,
            "lot_status_reason": reason,
            "lot_status_date": fields.Datetime.now(),
            "lot_restricted_partner_ids": [Command.set(partners.ids)],
            "lot_restricted_picking_type_ids": [Command.set(picking_types.ids)],
        }
        # who may change the status was checked by the caller; the status fields are
        # written in superuser mode only. The chatter message below carries the tracking.
        self.check_access("write")
        self.sudo().with_context(mail_notrack=True).write(vals)
        if status in USABLE_STATUSES:
            # a restricted lot keeps only the reservations it is still allowed for
            self.env["stock.move.line"].search(
                self._lot_reserved_lines_domain()
            )._lot_status_refused()._lot_status_unreserve()
        else:
            self._lot_unreserve()
        pickings = self.env["stock.picking"]
        if relocate:
            pickings = self._lot_relocate_stock("lot_quarantine_location_id")
        self._lot_status_log(old_statuses, reason, pickings)

    def _lot_status_check_change(self, status, reason, relocate, partners, picking_types):
        """The rules of status changes, in one place; raises UserError."""
        labels = dict(self._fields["lot_status"]._description_selection(self.env))
        if status not in labels:
            raise UserError(self.env._("Unknown lot status: %s.", status))
        if not reason:
            raise UserError(
                self.env._(
                    "Give the reason for setting %(lots)s to %(status)s.",
                    lots=self._lot_names(),
                    status=labels[status],
                )
            )
        if status == "restricted" and not (partners or picking_types):
            raise UserError(
                self.env._(
                    "A restricted lot needs at least one partner or operation type it is "
                    "restricted to."
                )
            )
        if status != "restricted" and (partners or picking_types):
            raise UserError(
                self.env._("Only restricted lots are restricted to partners or operation types.")
            )
        if relocate and status in USABLE_STATUSES:
            raise UserError(
                self.env._(
                    "Only lots taken out of use are moved to the quarantine location, not %s lots.",
                    labels[status],
                )
            )
        unchanged = self.filtered(
            lambda lot: (
                lot.lot_status == status
                and lot.lot_restricted_partner_ids == partners
                and lot.lot_restricted_picking_type_ids == picking_types
            )
        )
        if unchanged:
            raise UserError(
                self.env._(
                    "%(lots)s: already %(status)s.",
                    lots=unchanged._lot_names(),
                    status=labels[status],
                )
            )
        if status in USABLE_STATUSES:
            expired = self._lot_filter_expired()
            if expired:
                raise UserError(
                    self.env._(
                        "%(lots)s: past the expiration date, cannot be %(status)s. Correct "
                        "the expiration date if it is wrong.",
                        lots=expired._lot_names(),
                        status=labels[status],
                    )
                )

    def _lot_names(self):
        """Lot numbers with their products for messages, the first few only."""
        names = [
            f"{lot.name} ({lot.product_id.display_name})" for lot in self[:MAX_LOTS_IN_MESSAGE]
        ]
        if len(self) > MAX_LOTS_IN_MESSAGE:
            names.append(self.env._("and %s more", len(self) - MAX_LOTS_IN_MESSAGE))
        return ", ".join(names)

    def _lot_status_log(self, old_statuses, reason, pickings):
        """One chatter note per lot: old -> new status (tracking), reason, restriction and
        relocation transfer; author and date are the user's and now. Two inserts in all."""
        bodies = {}
        for lot in self:
            body = Markup("<p>%s</p>") % self.env._("Reason: %s", reason)
            if lot.lot_status == "restricted":
                body += Markup("<p>%s</p>") % self.env._(
                    "Restricted to: %s",
                    ", ".join(
                        (lot.lot_restricted_partner_ids.mapped("display_name"))
                        + lot.lot_restricted_picking_type_ids.mapped("display_name")
                    ),
                )
            moved = pickings.filtered(lambda p, lot=lot: lot in p.move_line_ids.lot_id)
            if moved:
                body += Markup("<p>%s</p>") % self.env._(
                    "Stock moved to the quarantine location by %s",
                    ", ".join(moved.mapped("name")),
                )
            bodies[lot.id] = body
        messages = self._message_log_batch(bodies=bodies)
        col_info = self.fields_get(["lot_status"], attributes=("string", "type", "selection"))[
            "lot_status"
        ]
        tracking = self.env["mail.tracking.value"].sudo()
        tracking.create(
            [
                {
                    **tracking._create_tracking_values(
                        old_statuses[message.res_id],
                        self.browse(message.res_id).lot_status,
                        "lot_status",
                        col_info,
                        self.browse(message.res_id),
                    ),
                    "mail_message_id": message.id,
                }
                for message in messages
            ]
        )

    # ------------------------------------------------------------------ reservations

    def _lot_reserved_lines_domain(self):
        return [
            ("lot_id", "in", self.ids),
            ("state", "not in", ("done", "cancel")),
            ("picked", "=", False),
            ("location_id.usage", "in", ("internal", "transit")),
        ]

    def _lot_unreserve(self):
        """Unreserve the move lines reserved on these lots (not done, not picked yet), and
        reserve their moves again: automatic reservation takes other, usable lots."""
        lines = self.env["stock.move.line"].search(self._lot_reserved_lines_domain())
        lines._lot_status_unreserve()
        return True

    # ------------------------------------------------------------------ expired

    def _lot_filter_expired(self, now=None):
        """The lots of ``self`` expired at ``now`` (default: now), each read in its time
        zone (``_lot_tzs``), computed only for the lots near the day boundary."""
        now = now or fields.Datetime.now()
        near = self.filtered(
            lambda lot: lot.expiration_date and now - expiry.BOUNDARY <= lot.expiration_date < now
        )
        tzs = near._lot_tzs()
        return self.filtered(
            lambda lot: (
                lot.expiration_date
                and (
                    lot.expiration_date < now - expiry.BOUNDARY
                    or (lot.id in tzs and expiry.is_expired(lot.expiration_date, now, tzs[lot.id]))
                )
            )
        )

    @api.depends("expiration_date")
    def _compute_product_expiry_alert(self):
        """Core's "Expiration date reached", with the suite's definition of expired."""
        expired = set(self._lot_filter_expired()._ids)
        for lot in self:
            lot.product_expiry_alert = lot.id in expired

    @api.model
    def _lot_expired_domain(self, now=None):
        """Domain of the lots expired at ``now`` (default: now): the suite's one "expired"
        domain. Only the lots near the day boundary are read, in their time zones
        (``_lot_filter_expired``)."""
        now = now or fields.Datetime.now()
        near = self.search(
            [
                ("expiration_date", ">=", now - expiry.BOUNDARY),
                ("expiration_date", "<", now),
            ]
        )
        return expression.OR(
            [
                [("expiration_date", "<", now - expiry.BOUNDARY)],
                [("id", "in", near._lot_filter_expired(now).ids)],
            ]
        )

    def _search_product_expiry_alert(self, operator, value):
        if operator not in ("=", "!="):
            return NotImplemented
        expired = self._lot_expired_domain()
        if (operator == "=") == bool(value):
            return expired
        return expression.OR([[("expiration_date", "=", False)], ["!", *expired]])

    # ------------------------------------------------------------------ relocation

    def _lot_relocate_stock(self, warehouse_location_field):
        """Move the on-hand stock of these lots, warehouse by warehouse, to the location in
        the ``stock.warehouse`` field ``warehouse_location_field`` (e.g.
        "lot_quarantine_location_id") with one validated internal transfer per warehouse,
        in the warehouse's company. Only the stock of the current companies is moved.

        Stock already in (or under) that location, reserved by picked lines and outside any
        warehouse stays where it is. Raises UserError, before moving anything, when a
        warehouse holding stock has no such location. Returns the transfers.
        """
        Picking = self.env["stock.picking"]
        if not self:
            return Picking
        by_warehouse = self._lot_relocation_quants(warehouse_location_field)
        pickings = Picking
        for warehouse, wh_quants in by_warehouse.items():
            target = warehouse[warehouse_location_field]
            to_move = []
            for quant in wh_quants:
                quantity = quant.quantity - quant.reserved_quantity
                rounding = quant.product_uom_id.rounding
                if (
                    not quant.location_id._child_of(target)
                    and float_compare(quantity, 0, precision_rounding=rounding) > 0
                ):
                    to_move.append((quant, quantity))
            if to_move:
                lots = self.with_company(warehouse.company_id)
                picking = lots._lot_relocation_picking(warehouse, target, to_move)
                picking._action_done()
                pickings |= picking
        return pickings

    def _lot_relocation_quants(self, warehouse_location_field):
        """On-hand quants of these lots in the current companies, by warehouse; raises
        UserError when a warehouse holding some has no location in
        ``warehouse_location_field``."""
        quants = self.env["stock.quant"].search(
            [
                ("lot_id", "in", self.ids),
                ("location_id.usage", "=", "internal"),
                ("quantity", ">", 0),
                ("company_id", "in", self.env.companies.ids),
            ]
        )
        by_warehouse = defaultdict(lambda: self.env["stock.quant"])
        for quant in quants:
            if quant.location_id.warehouse_id:
                by_warehouse[quant.location_id.warehouse_id] |= quant
        missing = [wh for wh in by_warehouse if not wh[warehouse_location_field]]
        if missing:
            label = self.env["stock.warehouse"].fields_get([warehouse_location_field], ["string"])[
                warehouse_location_field
            ]["string"]
            raise UserError(
                self.env._(
                    "Set the %(location)s of warehouse %(warehouses)s first "
                    "(Inventory > Configuration > Warehouses): the stock of %(lots)s is "
                    "moved there.",
                    location=label,
                    warehouses=", ".join(wh.display_name for wh in missing),
                    lots=self._lot_names(),
                )
            )
        return by_warehouse

    def _lot_relocation_picking(self, warehouse, target, to_move):
        """Internal transfer of ``warehouse`` moving (quant, quantity) pairs to ``target``,
        one move per quant with its exact lot, location, package and owner, all in the
        warehouse's company."""
        sources = self.env["stock.location"].union(*(quant.location_id for quant, _qty in to_move))
        source = warehouse.lot_stock_id
        if not all(location._child_of(source) for location in sources):
            source = warehouse.view_location_id
        lots = self.env["stock.lot"].union(*(quant.lot_id for quant, _qty in to_move))
        company = warehouse.company_id
        picking = self.env["stock.picking"].create(
            {
                "company_id": company.id,
                "picking_type_id": warehouse.int_type_id.id,
                "location_id": source.id,
                "location_dest_id": target.id,
                "origin": lots._lot_names(),
            }
        )
        self.env["stock.move"].create(
            [
                {
                    "name": quant.product_id.display_name,
                    "company_id": company.id,
                    "picking_id": picking.id,
                    "product_id": quant.product_id.id,
                    "product_uom": quant.product_uom_id.id,
                    "product_uom_qty": quantity,
                    "location_id": quant.location_id.id,
                    "location_dest_id": target.id,
                    "picked": True,
                    "move_line_ids": [
                        Command.create(
                            {
                                "picking_id": picking.id,
                                "product_id": quant.product_id.id,
                                "product_uom_id": quant.product_uom_id.id,
                                "quantity": quantity,
                                "location_id": quant.location_id.id,
                                "location_dest_id": target.id,
                                "lot_id": quant.lot_id.id,
                                "package_id": quant.package_id.id,
                                "owner_id": quant.owner_id.id,
                                "picked": True,
                            }
                        )
                    ],
                }
                for quant, quantity in to_move
            ]
        )
        return picking

    # ------------------------------------------------------------------ expiry job

    def _lot_expiry_cron(self, now=None):
        """Daily job, company by company: expire the lots whose expiration date has passed
        (in batches, each committed), then send each company's expiry alerts. A call
        expires at most ``EXPIRY_LOTS_PER_CALL`` lots: with more due (the first run after
        installation), it returns and the cron calls it again at once (Odoo 18
        ``ir.cron`` batches); the alerts follow once no lot is left to expire. A lot or a
        company that fails is logged and skipped; the others are done. ``now`` (naive UTC
        datetime) defaults to the current time."""
        now = now or fields.Datetime.now()
        companies = self.env["res.company"].sudo().search([("active", "=", True)])
        groups = self._lot_expire_due_groups(now)
        total = sum(len(lots) for lots in groups) + len(companies)
        done = 0
        for lots in groups:
            for batch in split_every(EXPIRY_BATCH, lots.ids, lots.browse):
                if done >= EXPIRY_LOTS_PER_CALL:
                    return
                batch._lot_expire_batch()
                done += len(batch)
                jobs.commit_batch(self.env, done, total - done)
        for company in companies:
            try:
                with self.env.cr.savepoint():
                    self.with_company(company)._lot_expiry_alert(now=now, companies=company)
            except Exception:
                _logger.exception("Expiry alerts of company %s failed; skipped.", company.name)
            done += 1
            jobs.commit_batch(self.env, done, total - done)

    # ------------------------------------------------------------------ expiring lots

    def _lot_expire_due_groups(self, now):
        """The lots with a usable status whose expiration date has passed at ``now`` (all
        lots, or only those of ``self`` when not empty), each read in its time zone
        (``_lot_expired_domain``), as one recordset per company in that company's
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
            Company = Lot.with_context(allowed_company_ids=company.ids)
            groups.append(
                Company.search(
                    [*domain, ("company_id", "=", company.id), *Company._lot_expired_domain(now)],
                    order="id",
                )
            )
        current = self.env.company
        shared = Lot.with_context(allowed_company_ids=(current | companies).ids)
        groups.append(
            shared.search(
                [*domain, ("company_id", "=", False), *shared._lot_expired_domain(now)],
                order="id",
            )
        )
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

    # ------------------------------------------------------------------ expiry alerts

    def _lot_expiry_stock(self, domain):
        """On-hand stock in internal locations of the lots matching ``domain`` (on
        ``lot.near.expiry.report``), per (lot, company): ``{(lot, company): (quantity,
        value)}`` with only positive quantities. The value is the near-expiry report's,
        the suite's one computation of the stock value of lots (core's quant valuation
        done in SQL), rounded to the company's currency."""
        # the report is an SQL view on quants, lots and valuation layers
        self.env.flush_all()
        groups = (
            self.env["lot.near.expiry.report"]
            .sudo()
            ._read_group(
                domain, groupby=["lot_id", "company_id"], aggregates=["quantity:sum", "value:sum"]
            )
        )
        result = {}
        for lot, company, quantity, value in groups:
            rounding = lot.product_id.uom_id.rounding
            if quantity > 0 and not float_is_zero(quantity, precision_rounding=rounding):
                result[lot, company] = (quantity, company.currency_id.round(value))
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
                ("lot_id.expiration_date", ">=", now - expiry.BOUNDARY),
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
