from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    lot_expired_loss_account_id = fields.Many2one(
        "account.account",
        string="Expired Stock Loss Account",
        check_company=True,
        help="Debited with the value of expired lots when they are scrapped (automated "
        "valuation). Empty: Odoo's account of the scrap location, or the stock output account.",
    )
    lot_recall_cost_account_id = fields.Many2one(
        "account.account",
        string="Recall Cost Account",
        check_company=True,
        help="Debited with the value of recalled lots when they are scrapped (automated "
        "valuation). Empty: Odoo's account of the scrap location, or the stock output account.",
    )
