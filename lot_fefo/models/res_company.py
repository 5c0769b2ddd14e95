from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

DEFAULT_EXPIRY_ALERT_HORIZONS = "90,30,7"
# written only by the FEFO compliance job and its queue (superuser)
COMPLIANCE_JOB_FIELDS = {"lot_fefo_compliance_queued", "lot_fefo_compliance_done_product_id"}


def parse_horizons(text):
    """Alert horizons in days, largest first, from a comma-separated text such as "90,30,7".

    Raises ``ValueError`` when an item is not a positive whole number.
    """
    horizons = set()
    for item in (text or "").split(","):
        item = item.strip()
        if not item:
            continue
        if not item.isdigit() or int(item) <= 0:
            raise ValueError(item)
        horizons.add(int(item))
    return sorted(horizons, reverse=True)


class ResCompany(models.Model):
    _inherit = "res.company"

    lot_expiry_alert_horizons = fields.Char(
        string="Expiry Alert Horizons",
        default=DEFAULT_EXPIRY_ALERT_HORIZONS,
        help="Days before the expiration date at which the responsible users are told, "
        "comma-separated (e.g. 90,30,7). Empty: no expiry alerts.",
    )
    lot_expiry_responsible_id = fields.Many2one(
        "res.users",
        string="Expiry Alert Responsible",
        domain="[('share', '=', False), ('company_ids', 'in', id)]",
        help="Receives the expiry alerts of the products that have no active responsible "
        "user. When empty, the company's first Lot Quality Manager receives them.",
    )
    lot_expiry_move_expired = fields.Boolean(
        string="Move Expired Stock",
        help="When a lot expires, move its stock to the expiry location of each warehouse "
        "that has one.",
    )

    # the FEFO compliance rebuild queued for this company (lot.fefo.compliance.report)
    lot_fefo_compliance_queued = fields.Boolean(
        string="FEFO Compliance Recompute Queued", readonly=True, copy=False
    )
    lot_fefo_compliance_done_product_id = fields.Integer(
        string="FEFO Compliance Recomputed up to Product",
        readonly=True,
        copy=False,
        help="Watermark of the queued recompute: the rows of the products up to this id "
        "are rebuilt; the job resumes after it.",
    )

    def write(self, vals):
        if COMPLIANCE_JOB_FIELDS & set(vals) and not self.env.su:
            raise UserError(
                self.env._(
                    "The FEFO compliance recompute is queued with the Recompute button of the "
                    "report, and its progress is recorded by the job only."
                )
            )
        return super().write(vals)

    @api.constrains("lot_expiry_alert_horizons")
    def _check_lot_expiry_alert_horizons(self):
        for company in self:
            try:
                parse_horizons(company.lot_expiry_alert_horizons)
            except ValueError as error:
                raise ValidationError(
                    self.env._(
                        "Expiry alert horizons must be whole numbers of days above zero, "
                        'separated by commas (e.g. 90,30,7); "%(item)s" is not.',
                        item=error.args[0],
                    )
                ) from error

    def _lot_expiry_horizons(self):
        """This company's alert horizons in days, largest first."""
        self.ensure_one()
        return parse_horizons(self.lot_expiry_alert_horizons)

    def _lot_expiry_fallback_responsible(self):
        """User receiving the alerts of products without an active responsible user:
        the company's setting, else its first Lot Quality Manager, else the administrator."""
        self.ensure_one()
        if self.lot_expiry_responsible_id.active:
            return self.lot_expiry_responsible_id
        managers = (
            self.env.ref("lot_fefo.group_lot_quality_manager")
            .sudo()
            .users.filtered(lambda user: not user.share and self in user.company_ids)
            .sorted("id")
        )
        return managers[:1] or self.env.ref("base.user_admin")
