from odoo import api, models


class LotTraceabilityDemo(models.AbstractModel):
    """Lot statuses and expiry handling of the demo bakery, as they are days later.

    After the walkthrough's operations: a milk lot blocked after a temperature excursion,
    the expired lots expired by the daily job (their stock moved to the expiry location),
    the expiry digest of the week sent to the quality manager, and a delivery that
    shipped a later-expiring cake lot while an earlier one was on hand (a FEFO compliance
    exception).
    """

    _inherit = "lot.traceability.demo"

    @api.model
    def _run_fefo_states(self):
        """Block, expire, alert and ship the lots that show lot_fefo at work."""
        ref = self._demo_ref
        ref("walkthrough_lot_milk")._lot_set_status(
            "blocked",
            self.env._(
                "The truck's temperature log shows 9 °C for three hours: blocked until Green "
                "Valley Dairy's investigation."
            ),
            relocate=True,
        )
        self.env["stock.lot"]._lot_expire_due()
        self.env["stock.lot"]._lot_expiry_alert(companies=self.env.ref("base.main_company"))
        main = self.env.ref("stock.warehouse0")
        self._transfer(
            main.out_type_id,
            ref("cust_green_grocer"),
            main.lot_stock_id,
            self.env.ref("stock.stock_location_customers"),
            [(ref("walkthrough_lot_cake"), 30)],
            0,
        )
