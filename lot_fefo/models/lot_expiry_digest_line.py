from odoo import fields, models


class LotExpiryDigestLine(models.Model):
    _name = "lot.expiry.digest.line"
    _description = "Lot Expiry Digest Line"
    _order = "digest_id, days_left, expiration_date, id"

    digest_id = fields.Many2one("lot.expiry.digest", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="digest_id.company_id", store=True)
    lot_id = fields.Many2one("stock.lot", required=True, ondelete="cascade", index=True)
    product_id = fields.Many2one("product.product", required=True)
    horizon = fields.Integer(string="Horizon (days)", help="The alert horizon the lot entered.")
    days_left = fields.Integer(help="Days of use left, the expiration day included as 0.")
    expiration_date = fields.Date(help="Last day of use, in the time zone of the lot's company.")
    quantity = fields.Float(digits="Product Unit of Measure", help="On hand in internal locations.")
    uom_id = fields.Many2one("uom.uom", string="Unit")
    currency_id = fields.Many2one(related="digest_id.currency_id")
    value = fields.Monetary(
        groups="account.group_account_readonly,account.group_account_manager",
        help="Stock value of the quantity, as Odoo values the stock.",
    )
