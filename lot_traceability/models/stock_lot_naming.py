"""Lot numbering rules applied to lots created by hand or by Odoo without a name."""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

# Name shown in a new lot's form while its number is not drawn yet; replaced in create().
LOT_NAME_PENDING = "/"

# Most lot names drawn from a numbering rule in one call. Every name consumes a number and
# checks that it is free (a few queries each): 5,000 names take seconds, well within a
# request, and cover the serial numbers of a large receipt line.
LOT_NAMES_MAX_COUNT = 5000


class StockLot(models.Model):
    _inherit = "stock.lot"

    # Core's default draws a number of the 'stock.lot.serial' sequence as soon as the form
    # opens. When a numbering rule may apply, the default is a placeholder instead, and the
    # number is drawn by create(): opening (and discarding) a form consumes nothing.
    name = fields.Char(default=lambda self: self._default_lot_name())

    @api.model
    def _default_lot_name(self):
        if self._lot_numbering_may_apply():
            return LOT_NAME_PENDING
        return self.env["ir.sequence"].next_by_code("stock.lot.serial")

    @api.model
    def _lot_numbering_may_apply(self):
        """Whether the lot being created may get its name from a numbering rule."""
        context = self.env.context
        product = self.env["product.product"].browse(context.get("default_product_id"))
        if not product and context.get("default_product_tmpl_id"):
            template = self.env["product.template"].browse(context["default_product_tmpl_id"])
            product = template.product_variant_ids[:1]
        if product:
            return bool(product._get_lot_numbering_rule())
        # product chosen later in the form: any rule of the company may apply
        return bool(
            self.env["lot.numbering.rule"]
            .sudo()
            .search_count([("company_id", "in", [False, self.env.company.id])], limit=1)
        )

    @api.model_create_multi
    def create(self, vals_list):
        # before drawing numbers, which are never given back
        self.browse().check_access("create")
        for vals in vals_list:
            self._lot_numbering_fill_name(vals)
        return super().create(vals_list)

    @api.model
    def _lot_numbering_fill_name(self, vals):
        """Name a lot created without name (or with the placeholder) from its rule."""
        name = vals["name"] if "name" in vals else self.env.context.get("default_name")
        if name and name != LOT_NAME_PENDING:
            return
        product = self.env["product.product"].browse(
            vals.get("product_id") or self.env.context.get("default_product_id")
        )
        company = self.env["res.company"].browse(vals.get("company_id")) or product.company_id
        rule = product._get_lot_numbering_rule(company or None) if product else None
        if rule:
            vals["name"] = rule._next_lot_name(
                product, date=vals.get("production_date"), company=company or None
            )
        elif name == LOT_NAME_PENDING or "name" not in vals:
            # no rule after all: core's numbering
            vals["name"] = self.env["ir.sequence"].next_by_code("stock.lot.serial")

    @api.model
    def generate_lot_names(self, first_lot, count):
        """Names from the numbering rule when the caller gave no first lot name.

        The callers that may use a rule (see stock.move) put the rule and the operation's
        values in the context key ``lot_numbering_generate``. As any client can send it,
        names are drawn only for users who may create lots and read the rule, the product,
        the warehouse and the vendor, in their own companies, at most
        ``LOT_NAMES_MAX_COUNT`` at a time.
        """
        params = self.env.context.get("lot_numbering_generate")
        if first_lot or not params:
            return super().generate_lot_names(first_lot, count)
        values = self._lot_numbering_records(params)
        if (
            not isinstance(count, int)
            or isinstance(count, bool)
            or not 0 <= count <= LOT_NAMES_MAX_COUNT
        ):
            limit = f"{LOT_NAMES_MAX_COUNT:,}"
            raise UserError(self.env._("Generate at most %(max)s lot names at a time.", max=limit))
        names = values.pop("rule")._next_lot_names(values.pop("product"), count, **values)
        return [{"lot_name": name} for name in names]

    @api.model
    def _lot_numbering_records(self, params):
        """Records of the numbering context ``params``, checked for the current user.

        :raise AccessError: when the user may not create lots, or read one of the records
        """
        self.browse().check_access("create")
        invalid = UserError(self.env._("The lot numbering values are not valid."))
        if not isinstance(params, dict):
            raise invalid

        def record(model, key):
            value = params.get(key) or []
            if value and (not isinstance(value, int) or isinstance(value, bool)):
                raise invalid
            records = self.env[model].browse(value)
            records.check_access("read")
            return records

        company = record("res.company", "company_id")
        if company and not self.env.su and company not in self.env.companies:
            raise AccessError(self.env._("You may number lots of your own companies only."))
        rule = record("lot.numbering.rule", "rule_id")
        product = record("product.product", "product_id")
        if not (rule and product):
            raise invalid
        date = params.get("date")
        try:
            rule._lot_date(date)
        except (TypeError, ValueError):
            raise invalid from None
        return {
            "rule": rule,
            "product": product,
            "date": date,
            "warehouse": record("stock.warehouse", "warehouse_id"),
            "partner": record("res.partner", "partner_id"),
            "company": company or None,
        }
