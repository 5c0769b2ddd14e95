from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from .stock_move import AUTO_RESERVE, AUTO_RESERVE_CONTEXT


class StockMoveLine(models.Model):
    """Refuse picking, consuming or shipping lots whose status does not allow it."""

    _inherit = "stock.move.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        if self.env.context.get(AUTO_RESERVE_CONTEXT) != AUTO_RESERVE:
            lines._lot_status_check()
        return lines

    def write(self, vals):
        res = super().write(vals)
        if self.env.context.get(AUTO_RESERVE_CONTEXT) != AUTO_RESERVE and (
            "lot_id" in vals or "quant_id" in vals or vals.get("picked")
        ):
            self._lot_status_check()
        return res

    def _action_done(self):
        # lots may have been blocked after they were picked
        self._lot_status_check()
        return super()._action_done()

    def _lot_status_operation(self):
        """What this line does with its lot ("shipped", "consumed"...), or None when it
        does not take the lot out of stock. Returns to vendors, scraps, inventory
        adjustments, internal moves (e.g. to quarantine) and unbuilds are allowed."""
        self.ensure_one()
        if self.location_id.usage not in ("internal", "transit") or self.move_id.unbuild_id:
            return None
        usage = self.location_dest_id.usage
        if usage == "customer":
            return self.env._("shipped")
        if usage == "production":
            return self.env._("consumed")
        if usage == "transit":
            return self.env._("sent in transit")
        picking_type = self.move_id.picking_type_id or self.picking_id.picking_type_id
        warehouse = picking_type.warehouse_id
        if picking_type and picking_type in (warehouse.pick_type_id | warehouse.pack_type_id):
            return self.env._("picked for delivery")
        return None

    def _lot_status_refused(self):
        """The lines of ``self`` whose lot may not be used by their operation (see
        ``stock.lot._lot_usable_for``): picked, consumed or shipped lines, with a done
        quantity or a reservation, of lots not released nor restricted to the operation's
        partner or operation types."""
        lines = self.filtered(
            lambda ml: (
                ml.lot_id
                and ml.lot_id.lot_status != "released"
                and float_compare(ml.quantity, 0, precision_rounding=ml.product_uom_id.rounding) > 0
            )
        )
        return lines.filtered(
            lambda ml: (
                ml._lot_status_operation()
                and not ml.lot_id._lot_usable_for(
                    ml._lot_status_partner(),
                    ml.move_id._lot_move_chain()[1]
                    if ml.move_id
                    else ml.picking_id.picking_type_id,
                )
            )
        )

    def _lot_status_partner(self):
        self.ensure_one()
        return self.picking_id.partner_id or self.move_id.partner_id

    def _lot_status_check(self):
        """Raise a UserError naming each lot, product, status and operation refused."""
        refused = self._lot_status_refused()
        if not refused:
            return
        messages = []
        for line in refused:
            lot = line.lot_id
            document = (
                line.picking_id.name
                or line.move_id.raw_material_production_id.name
                or line.move_id.reference
                or line.move_id.name
            )
            if lot.lot_status == "restricted":
                allowed = ", ".join(
                    lot.lot_restricted_partner_ids.mapped("display_name")
                    + lot.lot_restricted_picking_type_ids.mapped("display_name")
                )
                message = self.env._(
                    "Lot %(lot)s of %(product)s is Restricted to %(allowed)s: it cannot be "
                    "%(operation)s in %(document)s.",
                    lot=lot.name,
                    product=lot.product_id.display_name,
                    allowed=allowed,
                    operation=line._lot_status_operation(),
                    document=document,
                )
            else:
                message = self.env._(
                    "Lot %(lot)s of %(product)s is %(status)s: it cannot be %(operation)s "
                    "in %(document)s.",
                    lot=lot.name,
                    product=lot.product_id.display_name,
                    status=lot._lot_status_label(),
                    operation=line._lot_status_operation(),
                    document=document,
                )
            if message not in messages:
                messages.append(message)
        raise UserError(
            "\n".join(messages)
            + "\n"
            + self.env._(
                "Choose another lot, or ask a Lot Quality Manager to change the lot's status."
            )
        )

    def _lot_status_unreserve(self):
        """Remove these reserved lines and reserve their moves again (automatic reservation
        takes usable lots only)."""
        moves = self.move_id
        self.unlink()
        moves.filtered(
            lambda move: move.state in ("confirmed", "partially_available", "assigned")
        )._action_assign()
        return True
