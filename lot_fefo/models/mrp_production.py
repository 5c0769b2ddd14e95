from collections import defaultdict
from datetime import timedelta

from odoo import models
from odoo.addons.lot_traceability.tools import timezones

from ..tools import expiry

# An expiry computed from a day is stored at noon, local time: its local calendar day
# survives the product's day offsets across daylight saving changes.
NOON = timedelta(hours=12)


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    def _post_inventory(self, cancel_backorder=False):
        result = super()._post_inventory(cancel_backorder=cancel_backorder)
        self._lot_set_produced_expiry()
        return result

    def _lot_set_produced_expiry(self):
        """Date the lots these orders have produced (done finished lines of products with
        expiration dates), once core has posted the inventory and linked the consumed lines.

        * Products with *Expiry from Components*: the earliest expiration date among the
          component lots consumed into the lot (by every order that produced it), never
          later than the product's own expiration time from the production date, nor than
          a date entered on the lot. Without any dated component lot: the product's
          expiration time from the production date.
        * Other products: the product's expiration time from the production date, unless
          the lot carries a date that is not Odoo's default (the lot's creation plus the
          expiration time), i.e. one entered by a user or a supplier label: that one stays.

        Best before, removal and alert dates follow from the product's offsets, as core
        computes them for a new lot. The production date is the lot's (``lot_traceability``),
        else the local day of the line; days are read in the warehouse's time zone.
        """
        lines = self.move_finished_ids.move_line_ids.filtered(
            lambda ml: ml.state == "done" and ml.lot_id and ml.product_id.use_expiration_date
        )
        if not lines:
            return
        earliest = self._lot_component_expiry(lines.lot_id)
        line_by_lot = {}
        for line in lines:
            line_by_lot.setdefault(line.lot_id, line)
        lots_by_vals = defaultdict(lambda: self.env["stock.lot"])
        for lot, line in line_by_lot.items():
            expiration = self._lot_produced_expiration(line, earliest.get(lot.id))
            if not expiration or expiration == lot.expiration_date:
                continue
            template = lot.product_id.product_tmpl_id
            vals = (
                ("expiration_date", expiration),
                ("use_date", expiration - timedelta(days=template.use_time)),
                ("removal_date", expiration - timedelta(days=template.removal_time)),
                ("alert_date", expiration - timedelta(days=template.alert_time)),
            )
            lots_by_vals[vals] |= lot
        for vals, lots in lots_by_vals.items():
            lots.write(dict(vals))

    def _lot_produced_expiration(self, line, component_expiration):
        """Expiration date of the lot of the done finished ``line`` (see
        ``_lot_set_produced_expiry``); None to keep the lot's."""
        lot = line.lot_id
        template = lot.product_id.product_tmpl_id
        production = line.move_id.production_id
        warehouse = production.picking_type_id.warehouse_id
        tz = (
            timezones.warehouse_tz(warehouse)
            if warehouse
            else timezones.company_tz(production.company_id)
        )
        production_day = lot.production_date or expiry.local_date(line.date, tz)
        shelf_life_end = (
            expiry.day_start_utc(production_day + timedelta(days=template.expiration_time), tz)
            + NOON
        )
        entered = lot.expiration_date and not self._lot_is_default_expiration(lot)
        if not template.lot_expiry_from_components:
            return None if entered else shelf_life_end
        candidates = [lot.expiration_date] if entered else []
        if component_expiration:
            candidates.append(component_expiration)
        if not component_expiration or template.expiration_time:
            candidates.append(shelf_life_end)
        return min(candidates)

    def _lot_is_default_expiration(self, lot):
        """True when the lot's expiration date is the one core gave it: the UTC day of its
        creation plus the product's expiration time."""
        default_day = (lot.create_date + timedelta(days=lot.product_id.expiration_time)).date()
        return lot.expiration_date.date() == default_day

    def _lot_component_expiry(self, lots):
        """{lot id: earliest expiration date of the component lots (of products with
        expiration dates) consumed into the lot by any manufacturing order}."""
        self.env["stock.move.line"].flush_model(["lot_id", "state", "move_id"])
        self.env["stock.move"].flush_model(["production_id"])
        self.env["stock.lot"].flush_model(["expiration_date", "product_id"])
        self.env.cr.execute(
            """
            SELECT finished.lot_id, MIN(component_lot.expiration_date)
              FROM stock_move_line finished
              JOIN stock_move finished_move
                ON finished_move.id = finished.move_id
               AND finished_move.production_id IS NOT NULL
              -- consume_line_id is the finished line, produce_line_id the consumed one
              JOIN stock_move_line_consume_rel rel ON rel.consume_line_id = finished.id
              JOIN stock_move_line component
                ON component.id = rel.produce_line_id
               AND component.state = 'done'
              JOIN stock_lot component_lot ON component_lot.id = component.lot_id
              JOIN product_product product ON product.id = component_lot.product_id
              JOIN product_template template
                ON template.id = product.product_tmpl_id
               AND template.use_expiration_date
             WHERE finished.lot_id = ANY(%s)
               AND finished.state = 'done'
               AND component_lot.expiration_date IS NOT NULL
          GROUP BY finished.lot_id
            """,
            [lots.ids],
        )
        return dict(self.env.cr.fetchall())
