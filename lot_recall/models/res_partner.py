from odoo import api, fields, models
from odoo.addons.lot_traceability.tools.protected import code_defaults
from odoo.exceptions import AccessError


class ResPartner(models.Model):
    """Recalls that affect a customer, from the customer's form."""

    _inherit = "res.partner"

    lot_recall_count = fields.Integer(
        string="Recalls",
        compute="_compute_lot_recall_count",
        groups="lot_recall.group_recall_user",
    )
    # Set by the Recall Managers only (the lot codes sent to the FDA depend on it), tracked.
    lot_fsma_exempt = fields.Boolean(
        string="Not Subject to FSMA 204",
        groups="lot_recall.group_recall_manager",
        tracking=True,
        help="This supplier is not subject to the FDA food traceability rule (21 CFR 1.1345(b)): "
        "the lots received from it get their traceability lot code here, with this company "
        "as its source, instead of keeping the supplier's lot code.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        # Odoo checks the groups of the fields written, not of those given at creation,
        # nor of the defaults a client sends (``default_<field>``, personal defaults).
        if (
            any(vals.get("lot_fsma_exempt") for vals in vals_list)
            and not self.env.su
            and not self.env.user.has_group("lot_recall.group_recall_manager")
        ):
            raise AccessError(
                self.env._("Only Recall Managers mark a supplier as not subject to FSMA 204.")
            )
        return super().create(code_defaults(self, vals_list, ["lot_fsma_exempt"]))

    def _compute_lot_recall_count(self):
        groups = self.env["lot.recall.customer"]._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids)],
            ["partner_id"],
            ["recall_id:count_distinct"],
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.lot_recall_count = counts.get(partner.commercial_partner_id.id, 0)

    @api.readonly
    def action_view_lot_recalls(self):
        """Recalls in which this customer (or its company) received affected lots."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Recalls"),
            "res_model": "lot.recall",
            "view_mode": "list,form",
            "domain": [("customer_ids.partner_id", "=", self.commercial_partner_id.id)],
        }
