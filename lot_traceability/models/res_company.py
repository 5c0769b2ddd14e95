import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import gs1

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class ResCompany(models.Model):
    _inherit = "res.company"

    lot_code = fields.Char(
        size=5,
        help="Short code of the company in lot names (token {company} of lot numbering rules).",
    )
    lot_numbering_rule_id = fields.Many2one(
        "lot.numbering.rule",
        string="Default Lot Numbering",
        help="Rule naming the new lots of the products that have none, neither on the product "
        "nor on its category.",
    )
    lot_gs1_company_prefix = fields.Char(
        string="GS1 Company Prefix",
        size=12,
        help="The company prefix GS1 gave the company (6 to 12 digits). The GTINs and GLNs "
        "that start with it are written as EPC URIs (urn:epc:...) in EPCIS exports; other "
        "GS1 keys are written as GS1 Digital Link URIs.",
    )
    lot_identifier_domain = fields.Char(
        string="Private Identifier Domain",
        help="Internet domain the company controls (e.g. trace.example.com). EPCIS exports "
        "name the products without GTIN and the places and parties without GLN with URIs "
        "under it (https://<domain>/...). Without it, such exports are refused.",
    )

    @api.constrains("lot_gs1_company_prefix")
    def _check_lot_gs1_company_prefix(self):
        for company in self:
            prefix = company.lot_gs1_company_prefix
            if prefix and not gs1.is_valid_company_prefix(prefix):
                raise ValidationError(
                    self.env._("A GS1 company prefix has 6 to 12 digits, got “%s”.", prefix)
                )

    @api.constrains("lot_identifier_domain")
    def _check_lot_identifier_domain(self):
        for company in self:
            domain = company.lot_identifier_domain
            if domain and not _DOMAIN.match(domain):
                raise ValidationError(
                    self.env._(
                        "The private identifier domain must be an internet domain name in "
                        "lower case, such as trace.example.com, got “%s”.",
                        gs1.shorten(domain),
                    )
                )
