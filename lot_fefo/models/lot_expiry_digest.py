from odoo import api, fields, models
from odoo.exceptions import AccessError

# The fields of an expiry alert, as it was sent.
DIGEST_FIELDS = (
    "name",
    "company_id",
    "user_id",
    "date",
    "line_ids",
    "lot_count",
    "min_horizon",
    "total_value",
)


class LotExpiryDigest(models.Model):
    """One expiry alert sent to one user: the lots that entered an alert horizon that day."""

    _name = "lot.expiry.digest"
    _description = "Lot Expiry Digest"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    user_id = fields.Many2one(
        "res.users", string="Responsible", required=True, readonly=True, index=True
    )
    date = fields.Date(
        required=True, readonly=True, help="Day of the alert, in the company's time zone."
    )
    line_ids = fields.One2many("lot.expiry.digest.line", "digest_id", string="Lots", readonly=True)
    lot_count = fields.Integer(compute="_compute_totals", store=True)
    min_horizon = fields.Integer(
        string="Smallest Horizon (days)",
        compute="_compute_totals",
        store=True,
        help="The most urgent horizon entered by a lot of this digest.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    total_value = fields.Monetary(
        compute="_compute_totals",
        store=True,
        groups="account.group_account_readonly,account.group_account_manager",
    )

    def write(self, vals):
        # A digest records an alert the suite sent: its managers only discuss it (notes,
        # activities, followers, which need write access to it).
        if not self.env.su and set(vals) & set(DIGEST_FIELDS):
            raise AccessError(
                self.env._("An expiry alert is kept as it was sent: add a note instead.")
            )
        return super().write(vals)

    @api.depends("user_id.name", "date")
    def _compute_name(self):
        for digest in self:
            digest.name = self.env._(
                "Expiry alert %(date)s: %(user)s",
                date=digest.date,
                user=digest.user_id.name,
            )

    @api.depends("line_ids.value", "line_ids.horizon")
    def _compute_totals(self):
        for digest in self:
            digest.lot_count = len(digest.line_ids)
            digest.min_horizon = min(digest.line_ids.mapped("horizon"), default=0)
            digest.total_value = sum(digest.line_ids.mapped("value"))

    def _send(self):
        """Give each digest's user an "Expiry Alert" activity on it and email them the
        digest (mail template ``lot_fefo.mail_template_lot_expiry_digest``)."""
        for digest in self.with_context(mail_activity_quick_update=True):
            digest.activity_schedule(
                "lot_fefo.mail_activity_type_lot_expiry",
                date_deadline=digest.date,
                user_id=digest.user_id.id,
                summary=self.env._(
                    "%(count)s lot(s) entering expiry horizons", count=digest.lot_count
                ),
                note=self.env._(
                    "Sell, use or scrap these lots before they expire; the first one has "
                    "%(days)s day(s) of use left.",
                    days=min(digest.line_ids.mapped("days_left")),
                ),
            )
        template = self.env.ref("lot_fefo.mail_template_lot_expiry_digest")
        template.send_mail_batch(self.ids, email_layout_xmlid="mail.mail_notification_light")
