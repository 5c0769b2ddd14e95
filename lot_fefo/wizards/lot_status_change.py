from odoo import api, fields, models

from ..tools.status import LOT_STATUSES, RELOCATABLE_STATUSES


class LotStatusChange(models.TransientModel):
    """Change the status of one or many lots, with a reason (Lot Quality Managers)."""

    _name = "lot.status.change"
    _description = "Change Lot Status"

    lot_ids = fields.Many2many(
        "stock.lot",
        "lot_status_change_lot_rel",
        "wizard_id",
        "lot_id",
        string="Lots",
        required=True,
    )
    lot_count = fields.Integer(compute="_compute_lot_count")
    lot_status = fields.Selection(LOT_STATUSES, string="New Status", required=True)
    reason = fields.Text(
        required=True, help="Recorded in the chatter of every lot, with your name and the time."
    )
    partner_ids = fields.Many2many(
        "res.partner",
        "lot_status_change_partner_rel",
        "wizard_id",
        "partner_id",
        string="Restricted to Partners",
        help="The customers (or other partners) a restricted lot may go to.",
    )
    picking_type_ids = fields.Many2many(
        "stock.picking.type",
        "lot_status_change_picking_type_rel",
        "wizard_id",
        "picking_type_id",
        string="Restricted to Operations",
        help="The operation types that may use a restricted lot.",
    )
    relocate = fields.Boolean(
        string="Move Stock to Quarantine",
        help="Move the on-hand stock of the lots to the quarantine location of each "
        "warehouse, with a validated internal transfer.",
    )
    show_relocate = fields.Boolean(compute="_compute_show_relocate")

    @api.model
    def default_get(self, fields_list):
        self.env["stock.lot"]._lot_status_check_access()
        values = super().default_get(fields_list)
        context = self.env.context
        if (
            "lot_ids" in fields_list
            and not values.get("lot_ids")
            and context.get("active_model") == "stock.lot"
            and context.get("active_ids")
        ):
            values["lot_ids"] = [fields.Command.set(context["active_ids"])]
        return values

    @api.model_create_multi
    def create(self, vals_list):
        self.env["stock.lot"]._lot_status_check_access()
        return super().create(vals_list)

    @api.depends("lot_ids")
    def _compute_lot_count(self):
        for wizard in self:
            wizard.lot_count = len(wizard.lot_ids)

    @api.depends("lot_status")
    def _compute_show_relocate(self):
        for wizard in self:
            wizard.show_relocate = wizard.lot_status in RELOCATABLE_STATUSES

    def action_apply(self):
        """Set the new status on the lots (see ``stock.lot._lot_set_status``)."""
        self.ensure_one()
        self.env["stock.lot"]._lot_status_check_access()
        restricted = self.lot_status == "restricted"
        self.lot_ids._lot_set_status(
            self.lot_status,
            self.reason,
            relocate=self.relocate and self.show_relocate,
            partners=self.partner_ids if restricted else None,
            picking_types=self.picking_type_ids if restricted else None,
        )
        return {"type": "ir.actions.act_window_close"}
