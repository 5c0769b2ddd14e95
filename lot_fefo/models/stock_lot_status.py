from markupsafe import Markup
from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools.misc import clean_context

from ..tools.status import LOT_STATUSES, USABLE_STATUSES

# Fields the daily expiry alert job alone writes (stock_lot_expiry_alert.py).
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


class StockLot(models.Model):
    """Quality status of a lot: whether it may be reserved, picked, consumed or shipped."""

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

    # ------------------------------------------------------------------ creation and writes

    @api.model_create_multi
    def create(self, vals_list):
        """A new lot starts in quarantine when its product requires release, released
        otherwise. Only the superuser (the suite's own processes) creates a lot in another
        status; anyone else changes it afterwards, with a reason."""
        context_status = self.env.context.get("default_lot_status")
        product_ids = [
            vals.get("product_id") or self.env.context.get("default_product_id")
            for vals in vals_list
        ]
        products = self.env["product.product"].browse([pid for pid in product_ids if pid])
        for vals, product_id in zip(vals_list, product_ids, strict=True):
            product = self.env["product.product"].browse(product_id).with_prefetch(products.ids)
            initial = "quarantine" if product.lot_release_required else "released"
            if self.env.su:
                vals["lot_status"] = vals.get("lot_status") or context_status or initial
                continue
            if (vals.get("lot_status") or initial) != initial or any(
                vals.get(fname) for fname in STATUS_FIELDS[1:]
            ):
                raise UserError(
                    self.env._(
                        "New lot %(lot)s starts in %(status)s. A Lot Quality Manager changes "
                        "its status afterwards, with a reason (status buttons of the lot).",
                        lot=vals.get("name") or product.display_name,
                        status=dict(self._fields["lot_status"]._description_selection(self.env))[
                            initial
                        ],
                    )
                )
            # every status field given: no default (context key, user default) applies
            vals.update(
                {
                    "lot_status": initial,
                    "lot_restricted_partner_ids": [],
                    "lot_restricted_picking_type_ids": [],
                    "lot_status_reason": False,
                    "lot_status_date": False,
                }
            )
        return super().create(vals_list)

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
        domain = [("lot_status", "in", [s for s in USABLE_STATUSES if s != "restricted"])]
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
