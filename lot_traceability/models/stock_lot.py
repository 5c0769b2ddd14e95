from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools import gs1, timezones

GS1_RESOLVER_PARAM = "lot_traceability.gs1_resolver_url"
GS1_RESOLVER_DEFAULT = "https://id.gs1.org"

# Name shown in a new lot's form while its number is not drawn yet; replaced in create().
LOT_NAME_PENDING = "/"

# Most lot names drawn from a numbering rule in one call. Every name consumes a number and
# checks that it is free (a few queries each): 5,000 names take seconds, well within a
# request, and cover the serial numbers of a large receipt line.
LOT_NAMES_MAX_COUNT = 5000


class StockLot(models.Model):
    """Lot attributes beyond core: where and when the lot was made or received, its
    name from a numbering rule, its GS1 Digital Link and its mass balance."""

    _inherit = "stock.lot"

    production_date = fields.Date(
        help="Day the lot was produced: the manufacturing order's end for lots made here, "
        "the supplier's production date (GS1 AI 11) for received lots.",
    )
    supplier_lot = fields.Char(
        index="trigram",
        help="The lot number the supplier printed on the goods.",
    )
    supplier_id = fields.Many2one(
        "res.partner",
        string="Supplier of Origin",
        index="btree_not_null",
        help="Partner of the first receipt of this lot from a vendor location.",
    )
    origin_country_id = fields.Many2one(
        "res.country",
        string="Country of Origin",
        help="Defaults to the supplier's country at the first receipt.",
    )
    receipt_date = fields.Datetime(
        help="When this lot was first received from a vendor location.",
    )
    lot_packaging_date = fields.Date(
        string="Packaging Date",
        help="Day the lot was packed, as printed by the supplier (GS1 AI 13).",
    )

    # Core's default draws a number of the 'stock.lot.serial' sequence as soon as the form
    # opens. When a numbering rule may apply, the default is a placeholder instead, and the
    # number is drawn by create(): opening (and discarding) a form consumes nothing.
    name = fields.Char(default=lambda self: self._default_lot_name())

    gs1_digital_link = fields.Char(
        string="GS1 Digital Link",
        compute="_compute_gs1_digital_link",
        help="Web address of this lot in GS1 Digital Link form (GTIN, lot and expiry "
        "date), printed as the QR code of the GS1 lot label. Empty when the product's "
        "barcode is not a valid GTIN (8, 12, 13 or 14 digits with a correct check digit), "
        "because a Digital Link needs a GTIN, or when the lot number has characters GS1 "
        "does not allow. The resolver is set by the system parameter "
        f"'{GS1_RESOLVER_PARAM}' (default {GS1_RESOLVER_DEFAULT}).",
    )

    balance_in = fields.Float(
        string="In",
        compute="_compute_mass_balance",
        digits="Product Unit of Measure",
        help="Received (drop-shipped included), produced, returned by customers and found at "
        "inventory.",
    )
    balance_consumed = fields.Float(
        string="Consumed", compute="_compute_mass_balance", digits="Product Unit of Measure"
    )
    balance_delivered = fields.Float(
        string="Delivered",
        compute="_compute_mass_balance",
        digits="Product Unit of Measure",
        help="Delivered and drop-shipped to customers, shipped to other companies.",
    )
    balance_returned = fields.Float(
        string="Returned",
        compute="_compute_mass_balance",
        digits="Product Unit of Measure",
        help="Returned by customers.",
    )
    balance_scrapped = fields.Float(
        string="Scrapped", compute="_compute_mass_balance", digits="Product Unit of Measure"
    )
    balance_on_hand = fields.Float(
        string="On Hand",
        compute="_compute_mass_balance",
        digits="Product Unit of Measure",
        help="In internal and transit locations.",
    )
    balance_unaccounted = fields.Float(
        string="Unaccounted",
        compute="_compute_mass_balance",
        digits="Product Unit of Measure",
        help="In, less everything that went out, less what is on hand.",
    )
    balance_reconciliation = fields.Float(
        string="Reconciliation (%)",
        compute="_compute_mass_balance",
        digits=(16, 2),
        help="(Out + on hand) / in: 100 % when every unit of the lot is accounted for.",
    )

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

    @api.model
    def _gs1_resolver_url(self):
        return (
            self.env["ir.config_parameter"].sudo().get_param(GS1_RESOLVER_PARAM)
            or GS1_RESOLVER_DEFAULT
        )

    @api.depends("name", "product_id.barcode", "expiration_date")
    def _compute_gs1_digital_link(self):
        resolver = self._gs1_resolver_url()
        tzs = self._lot_tzs()
        for lot in self:
            gtin = lot.product_id._gs1_gtin14() if lot.product_id else None
            link = False
            if gtin and lot.name:
                try:
                    link = gs1.digital_link(
                        gtin,
                        lot.name,
                        expiry=timezones.local_date(lot.expiration_date, tzs[lot.id]),
                        base_url=resolver,
                    )
                except gs1.GS1Error:
                    link = False
            lot.gs1_digital_link = link

    def _gs1_label_values(self):
        """Values of a GS1 lot label for this lot (see the lot label report)."""
        self.ensure_one()
        return {
            "product": self.product_id,
            "lot_name": self.name,
            "production_date": self.production_date or None,
            "expiry": timezones.local_date(self.expiration_date, self._lot_tz()),
            "company": self.company_id or self.env.company,
        }

    def _compute_mass_balance(self):
        # computed on lots the user reads: the companies of the user still apply
        balance = self.env["lot.genealogy"]._mass_balance([lot.id for lot in self if lot.id])
        for lot in self:
            values = balance.get(lot.id) or {}
            lot.balance_in = values.get("in", 0.0)
            lot.balance_consumed = values.get("consumption", 0.0)
            lot.balance_delivered = values.get("delivered", 0.0)
            lot.balance_returned = values.get("returned", 0.0)
            lot.balance_scrapped = values.get("scrap", 0.0)
            lot.balance_on_hand = values.get("on_hand", 0.0)
            lot.balance_unaccounted = values.get("unaccounted", 0.0)
            lot.balance_reconciliation = values.get("reconciliation") or 0.0

    def _lot_tzs(self):
        """{lot id: time zone} in which the dates of these lots are read (see
        ``tools.timezones``): the warehouse holding the lot's stock in internal locations
        of the user's companies (of several, the one where its expiration day ends first),
        else the lot's company's main warehouse, else that company's address, else UTC."""
        lots = self.filtered("id")
        held = {}
        if lots:
            self.env["stock.quant"].flush_model(["lot_id", "location_id", "company_id", "quantity"])
            self.env["stock.location"].flush_model(["usage", "warehouse_id"])
            self.env.cr.execute(
                """
                SELECT held.lot_id, ARRAY_AGG(held.warehouse_id)
                  FROM (
                        SELECT quant.lot_id, location.warehouse_id
                          FROM stock_quant quant
                          JOIN stock_location location
                            ON location.id = quant.location_id AND location.usage = 'internal'
                         WHERE quant.lot_id = ANY(%s)
                           AND quant.company_id = ANY(%s)
                           AND location.warehouse_id IS NOT NULL
                      GROUP BY quant.lot_id, location.warehouse_id
                        HAVING SUM(quant.quantity) > 0
                       ) AS held
              GROUP BY held.lot_id
                """,
                [lots.ids, self.env.companies.ids],
            )
            held = dict(self.env.cr.fetchall())
        Warehouse = self.env["stock.warehouse"].sudo()
        warehouse_tzs = {
            warehouse.id: timezones.warehouse_tz(warehouse)
            for warehouse in Warehouse.browse({wid for ids in held.values() for wid in ids})
        }
        company_tzs = {}
        result = {}
        for lot in self:
            if lot.id in held:
                result[lot.id] = timezones.earliest_day_end(
                    lot.expiration_date, [warehouse_tzs[wid] for wid in held[lot.id]]
                )
                continue
            company = lot.sudo().company_id or self.env.company
            if company not in company_tzs:
                company_tzs[company] = timezones.company_tz(company)
            result[lot.id] = company_tzs[company]
        return result

    def _lot_tz(self):
        """Time zone in which the dates of this lot are read (see ``_lot_tzs``)."""
        self.ensure_one()
        return self._lot_tzs()[self.id]

    def _open_trace(self, direction):
        trace = self.env["lot.trace"].create(
            {"lot_ids": [Command.set(self.ids)], "direction": direction}
        )
        return trace.action_compute()

    def action_trace_upstream(self):
        """Genealogy of these lots towards their components and suppliers."""
        return self._open_trace("upstream")

    def action_trace_downstream(self):
        """Genealogy of these lots towards what was made from them and its customers."""
        return self._open_trace("downstream")

    @api.readonly
    def action_lot_graph(self):
        """The genealogy graph of these lots, downstream (upstream from the graph)."""
        return self._lot_graph_action("downstream")

    def _lot_graph_action(self, direction):
        return {
            "type": "ir.actions.client",
            "tag": "lot_traceability.genealogy_graph",
            "name": self.env._("Graph of %(lots)s", lots=", ".join(self.mapped("name")))
            if len(self) <= 3
            else self.env._("Graph of %(count)s lots", count=len(self)),
            "params": {"lot_ids": self.ids, "direction": direction},
        }

    def action_trace_customers(self):
        """Every delivery of these lots, or of lots made from them, by customer."""
        trace = self.env["lot.trace"].create(
            {"lot_ids": [Command.set(self.ids)], "direction": "downstream"}
        )
        trace.action_compute()
        return trace.action_view_customers()

    @api.readonly
    def action_mass_balance(self):
        """These lots and every lot of their genealogy, with their mass balance."""
        genealogy = self.env["lot.genealogy"]
        lot_ids = {
            row["lot_id"]
            for direction in ("upstream", "downstream")
            for row in genealogy.trace(self.ids, direction)["lots"]
        }
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Mass Balance"),
            "res_model": "stock.lot",
            "view_mode": "list",
            "views": [
                (self.env.ref("lot_traceability.view_stock_lot_mass_balance_list").id, "list")
            ],
            "domain": [("id", "in", list(lot_ids))],
        }
