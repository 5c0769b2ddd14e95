import math
from collections import defaultdict, namedtuple
from datetime import datetime
from functools import lru_cache, partial

from odoo import api, fields, models
from odoo.addons.lot_traceability.tools import timezones
from odoo.addons.lot_traceability.tools.protected import code_defaults
from odoo.exceptions import AccessError
from odoo.tools import format_date

from ..tools import expiry
from .product_removal import SUITE_METHODS

ReservationRule = namedtuple(
    "ReservationRule",
    "date tz partner picking_types min_days rule threshold",
)
# at most this many skipped lots are named in a move's unreserved reason
REASON_MAX_LOTS = 3
# a move chain (pick -> pack -> ship) is followed this many steps
MAX_CHAIN_STEPS = 10
# Context key set while Odoo reserves automatically: those lines are filtered by the
# reservation rules (stock_quant.py), not refused by the status check of the move lines
# (stock_move_line.py). Its value is a tuple, which no client can send (JSON-RPC and
# XML-RPC give lists).
AUTO_RESERVE_CONTEXT = "lot_status_auto_reserve"
AUTO_RESERVE = ("lot_fefo", "auto_reserve")


class StockMove(models.Model):
    _inherit = "stock.move"

    lot_fefo_unreserved_reason = fields.Char(
        string="Why Not Reserved",
        readonly=True,
        copy=False,
        help="Lots in stock that the last reservation skipped (status, expiry or minimum "
        "remaining shelf life) while this move stayed (partly) unreserved.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("lot_fefo_unreserved_reason") for vals in vals_list):
            self._lot_fefo_check_unreserved_reason()
        return super().create(code_defaults(self, vals_list, ["lot_fefo_unreserved_reason"]))

    def write(self, vals):
        if "lot_fefo_unreserved_reason" in vals:
            self._lot_fefo_check_unreserved_reason()
        return super().write(vals)

    def _lot_fefo_check_unreserved_reason(self):
        """Only the reservation writes why a move is not reserved."""
        if not self.env.su:
            raise AccessError(
                self.env._("Why a move is not reserved is written by the reservation only.")
            )

    # ------------------------------------------------------------------ move chain

    def _lot_move_chain(self):
        """``(last moves, operation types)`` of the chain this move feeds (pick -> pack ->
        ship), the one walker of move chains, used by the status check of move lines and
        by automatic reservation alike:

        * the last moves: the shipping moves, or the move itself when it feeds nothing;
        * the operation types a restricted lot of this move may be listed for: the move's,
          the warehouse's delivery type for its pick and pack steps (in Odoo 18 the next
          steps are only pushed once a step is done) and those of the moves it feeds.

        Cancelled moves are not followed; at most ``MAX_CHAIN_STEPS`` steps are.
        """
        self.ensure_one()
        final, picking_types = self, self.picking_type_id
        warehouse = picking_types.warehouse_id
        if picking_types and picking_types in (warehouse.pick_type_id | warehouse.pack_type_id):
            picking_types |= warehouse.out_type_id
        dests = self.move_dest_ids
        for _step in range(MAX_CHAIN_STEPS):
            dests = dests.filtered(lambda m: m.state != "cancel")
            if not dests:
                break
            final = dests
            picking_types |= dests.picking_type_id
            dests = dests.move_dest_ids
        return final, picking_types

    # ------------------------------------------------------------------ reservation rules

    def _lot_fefo_reservation_rule(self):
        """What an automatic reservation of this move may take.

        * ``date``: the scheduled date of the delivery (or manufacturing order) at the
          end of the move's chain, and never before now;
        * ``tz``: the time zone of the warehouse of the source location;
        * ``partner``: the partner of the move's transfer (else of the move, else of the
          last move's), none for manufacturing components;
        * ``picking_types``: the operation types a restricted lot must list (the move's
          and those of the moves it feeds);
        * ``min_days``/``rule``: minimum remaining shelf life in days and the record
          defining it (customer, product or category), for deliveries to customers and
          manufacturing components of products with expiration dates;
        * ``threshold``: the smallest usable ``expiration_date`` (``tools.expiry``), or
          None for products without expiration dates.
        """
        self.ensure_one()
        # within one _action_assign the rule is asked for several times per move (available
        # quantity, reservation, unreserved reason): computed once, like core's quants_cache
        memo = self.env.context.get("lot_fefo_rules")
        if memo is not None and self.id in memo:
            return memo[self.id]
        rule = self._lot_fefo_compute_reservation_rule()
        if memo is not None:
            memo[self.id] = rule
        return rule

    def _lot_fefo_compute_reservation_rule(self):
        final, picking_types = self._lot_move_chain()
        last = final[:1]
        date = max([fields.Datetime.now(), *final.mapped("date")])
        warehouse = (
            self.location_id.warehouse_id or self.warehouse_id or self.picking_type_id.warehouse_id
        )
        tz = (
            timezones.warehouse_tz(warehouse)
            if warehouse
            else timezones.company_tz(self.company_id)
        )
        production = last.raw_material_production_id
        partner = self.env["res.partner"]
        if not production:
            partner = (
                self.picking_id.partner_id
                or self.partner_id
                or last.picking_id.partner_id
                or last.partner_id
            )
        shelf_life = bool(production) or last.location_dest_id.usage == "customer"
        product = self.product_id
        min_days, rule, threshold = 0.0, None, None
        if product.use_expiration_date:
            if shelf_life:
                min_days, rule = product._lot_min_shelf_life_rule(partner or None)
            # a lot must have whole days left: 2.5 days needed means 3 days left
            threshold = expiry.usable_threshold(date, tz, math.ceil(round(min_days, 6)))
        return ReservationRule(date, tz, partner, picking_types, min_days, rule, threshold)

    def _lot_fefo_context(self):
        """Context value read by ``stock.quant._get_gather_domain``."""
        rule = self._lot_fefo_reservation_rule()
        partners = rule.partner | rule.partner.commercial_partner_id
        return (rule.threshold, tuple(partners.ids), tuple(rule.picking_types.ids))

    # ------------------------------------------------------------------ reservation

    def _update_reserved_quantity(
        self, need, location_id, lot_id=None, package_id=None, owner_id=None, strict=True
    ):
        # first the move's reservation rule (context ``lot_fefo_reserve``, read by
        # ``stock.quant._get_gather_domain``), then the mark that lets the lines created
        # pass the status check: they hold only quants the rule allows
        move = self.with_context(
            lot_fefo_reserve=self._lot_fefo_context(), **{AUTO_RESERVE_CONTEXT: AUTO_RESERVE}
        )
        return super(StockMove, move)._update_reserved_quantity(
            need, location_id, lot_id, package_id, owner_id, strict
        )

    def _get_available_quantity(
        self,
        location_id,
        lot_id=None,
        package_id=None,
        owner_id=None,
        strict=False,
        allow_negative=False,
    ):
        move = self.with_context(lot_fefo_reserve=self._lot_fefo_context())
        return super(StockMove, move)._get_available_quantity(
            location_id, lot_id, package_id, owner_id, strict, allow_negative
        )

    def _action_assign(self, force_qty=False):
        memo = {}
        moves = self.with_context(lot_fefo_rules=memo)
        try:
            result = super(StockMove, moves)._action_assign(force_qty=force_qty)
            moves._lot_fefo_update_unreserved_reason()
        finally:
            # records created meanwhile keep this context: no stale rule after this call
            memo.clear()
        return result

    def _action_done(self, cancel_backorder=False):
        """Record the deliveries that shipped a later-expiring lot than one on hand."""
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        self.env["lot.fefo.compliance.report"]._lot_fefo_check_deliveries(moves.move_line_ids)
        return moves

    def _do_unreserve(self):
        result = super()._do_unreserve()
        self.sudo().filtered("lot_fefo_unreserved_reason").lot_fefo_unreserved_reason = False
        return result

    # ------------------------------------------------------------------ unreserved reason

    def _lot_fefo_update_unreserved_reason(self):
        """Set or clear ``lot_fefo_unreserved_reason`` on these moves after a reservation:
        one query for the lots skipped by all the moves, one write per distinct reason."""
        moves = self.filtered(
            lambda m: m.product_id.tracking != "none" and m.state not in ("draft", "cancel")
        )
        missing = moves.filtered(
            lambda m: (
                m.state in ("confirmed", "partially_available")
                and not m.move_orig_ids
                and m.procure_method != "make_to_order"
                and not m._should_bypass_reservation()
            )
        )
        reasons = missing._lot_fefo_unreserved_reasons()
        by_reason = defaultdict(list)
        for move in moves:
            reason = reasons.get(move.id) or False
            if move.lot_fefo_unreserved_reason != reason:
                by_reason[reason].append(move.id)
        for reason, move_ids in by_reason.items():
            self.sudo().browse(move_ids).lot_fefo_unreserved_reason = reason

    def _lot_fefo_unreserved_reasons(self):
        """{move id: text} naming the lots in stock under each move's source location that
        the reservation skipped, and why (status, expiry, minimum remaining shelf life),
        after the name of the suite's removal strategy that reserved it, if any."""
        if not self:
            return {}
        self.env["stock.quant"].flush_model(
            ["product_id", "location_id", "lot_id", "quantity", "reserved_quantity"]
        )
        self.env["stock.location"].flush_model(["parent_path"])
        self.env.cr.execute(
            """
            SELECT q.product_id, loc.parent_path, q.lot_id,
                   SUM(q.quantity - q.reserved_quantity)
              FROM stock_quant q
              JOIN stock_location loc ON loc.id = q.location_id
             WHERE q.product_id = ANY(%s)
               AND q.lot_id IS NOT NULL
               AND loc.parent_path LIKE ANY(%s)
          GROUP BY q.product_id, loc.parent_path, q.lot_id
            HAVING SUM(q.quantity - q.reserved_quantity) > 0
            """,
            [
                self.product_id.ids,
                list({f"{path}%" for path in self.location_id.mapped("parent_path")}),
            ],
        )
        rows = defaultdict(list)
        for product_id, path, lot_id, quantity in self.env.cr.fetchall():
            rows[product_id].append((path, lot_id, quantity))
        lots = self.env["stock.lot"].browse({row[1] for group in rows.values() for row in group})
        lots.fetch(["name", "lot_status", "expiration_date"])
        # the restrictions are read only when a restricted lot is there
        lots.filtered(lambda lot: lot.lot_status == "restricted").fetch(
            ["lot_restricted_partner_ids", "lot_restricted_picking_type_ids"]
        )
        day_label = lru_cache(maxsize=None)(partial(format_date, self.env))
        reasons = {}
        for move in self:
            available = defaultdict(float)
            for path, lot_id, quantity in rows.get(move.product_id.id, ()):
                if path.startswith(move.location_id.parent_path):
                    available[lot_id] += quantity
            if not available:
                continue
            rule = move._lot_fefo_reservation_rule()
            skipped = (
                self.env["stock.lot"]
                .browse(list(available))
                .filtered(lambda lot, move=move, rule=rule: move._lot_fefo_skips(lot, rule))
            )
            if not skipped:
                continue
            # latest expiry first: the lots closest to qualifying
            skipped = skipped.sorted("name").sorted(
                lambda lot: (bool(lot.expiration_date), lot.expiration_date or datetime.min),
                reverse=True,
            )
            text = "; ".join(
                move._lot_fefo_skip_reason(lot, available[lot.id], rule, day_label)
                for lot in skipped[:REASON_MAX_LOTS]
            )
            if len(skipped) > REASON_MAX_LOTS:
                text = self.env._(
                    "%(text)s; and %(count)s more lots",
                    text=text,
                    count=len(skipped) - REASON_MAX_LOTS,
                )
            removal = self.env["stock.quant"]._lot_fefo_removal(move.product_id, move.location_id)
            if removal.with_context(lang=None).method in SUITE_METHODS:
                text = self.env._("%(strategy)s: %(text)s", strategy=removal.name, text=text)
            reasons[move.id] = text
        return reasons

    def _lot_fefo_skips(self, lot, rule):
        """True when the reservation ``rule`` does not take ``lot``: status not usable
        for the rule's partner and operation types, or expiring before the threshold."""
        if not lot._lot_usable_for(rule.partner, rule.picking_types):
            return True
        return bool(rule.threshold and lot.expiration_date and lot.expiration_date < rule.threshold)

    def _lot_fefo_skip_reason(self, lot, quantity, rule, day_label=None):
        """Why the reservation ``rule`` skips ``lot`` (``quantity`` available), in words;
        ``day_label`` formats a date (``format_date``)."""
        self.ensure_one()
        day_label = day_label or partial(format_date, self.env)
        label = self.env._(
            "Lot %(lot)s (%(qty)s)",
            lot=lot.name,
            qty=self._lot_fefo_quantity_label(quantity),
        )
        if lot.lot_status != "restricted" and not lot._lot_usable_for():
            return self.env._(
                "%(lot)s is %(status)s", lot=label, status=lot._lot_status_label().lower()
            )
        if not lot._lot_usable_for(rule.partner, rule.picking_types):
            return self.env._("%(lot)s is restricted to other partners or operations", lot=label)
        last_day = day_label(expiry.local_date(lot.expiration_date, rule.tz))
        if expiry.is_expired(lot.expiration_date, fields.Datetime.now(), rule.tz):
            return self.env._(
                "%(lot)s is expired (last day of use %(day)s)", lot=label, day=last_day
            )
        scheduled_day = day_label(expiry.local_date(rule.date, rule.tz))
        if expiry.is_expired(lot.expiration_date, rule.date, rule.tz):
            return self.env._(
                "%(lot)s expires on %(day)s, before the scheduled date %(date)s",
                lot=label,
                day=last_day,
                date=scheduled_day,
            )
        return self.env._(
            "%(lot)s has %(left)s days left on %(day)s, %(who)s needs %(need)s",
            lot=label,
            left=expiry.days_left(lot.expiration_date, rule.date, rule.tz),
            day=scheduled_day,
            who=self._lot_fefo_rule_owner(rule.rule),
            need=self._lot_fefo_need_label(rule),
        )

    def _lot_fefo_rule_owner(self, record):
        """'customer X', 'product Y' or 'category Z' for the record holding the rule."""
        if record._name == "res.partner":
            return self.env._("customer %(name)s", name=record.display_name)
        if record._name == "product.template":
            return self.env._("product %(name)s", name=record.display_name)
        return self.env._("category %(name)s", name=record.display_name)

    def _lot_fefo_need_label(self, rule):
        days = math.ceil(round(rule.min_days, 6))
        if rule.rule.lot_min_shelf_life_unit == "percent":
            return self.env._(
                "%(rule)s (%(days)s days)", rule=rule.rule._lot_shelf_life_label(), days=days
            )
        return self.env._("%(days)s days", days=days)

    def _lot_fefo_quantity_label(self, quantity):
        """'12 kg': ``quantity`` in the product's unit, without trailing zeros."""
        uom = self.product_id.uom_id
        digits = max(0, -math.floor(math.log10(uom.rounding))) if uom.rounding < 1 else 0
        number = f"{quantity:.{digits}f}"
        if "." in number:
            number = number.rstrip("0").rstrip(".")
        return f"{number} {uom.name}"
