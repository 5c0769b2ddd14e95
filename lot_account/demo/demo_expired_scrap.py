from odoo import api, models


class LotAccountDemo(models.AbstractModel):
    """Expired milk of the demo bakery scrapped, its value written off."""

    _inherit = "lot.account.demo"

    @api.model
    def _run_expired_scrap(self):
        """Scrap 40 L of the milk lot that expired after the walkthrough's receipt, from
        the expiry location, through the expired stock wizard (the rest waits there): the
        scrap's entry debits the Expired Stock Loss account."""
        lot = self.env.ref("lot_traceability.walkthrough_lot_milk_expired")
        wizard = (
            self.env["lot.unusable.scrap"]
            .with_context(active_model="stock.lot", active_ids=lot.ids)
            .create({"reason": self.env._("Expired milk destroyed by the waste contractor.")})
        )
        wizard.line_ids.quantity = 40
        return wizard.action_scrap()
