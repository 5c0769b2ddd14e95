from odoo import fields, models, tools
from odoo.addons.lot_traceability.tools import timezones
from odoo.tools import SQL

from ..tools.status import LOT_STATUSES


class LotNearExpiryReport(models.Model):
    """Stock of dated lots in internal locations, with its value and the days of use left.

    One row per company, location, product and lot (packages and owners summed). Days
    left follow ``tools.expiry.days_left``: the lot's last day of use and today, both
    read as calendar days in the time zone of the warehouse (else of the company), by
    the suite's one rule (``lot_traceability.tools.timezones``).
    Value at cost is Odoo's inventory value of the quantity (as on the stock quants):
    the quantity times the average unit cost of the remaining valuation layers, per lot
    for products valued by lot, else per product; stock owned by another partner has no
    value.
    """

    _name = "lot.near.expiry.report"
    _description = "Near-Expiry Stock"
    _auto = False
    _rec_name = "lot_id"
    _order = "days_left, warehouse_id, product_id, lot_id"

    company_id = fields.Many2one("res.company", readonly=True)
    warehouse_id = fields.Many2one("stock.warehouse", readonly=True)
    location_id = fields.Many2one("stock.location", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    product_categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial Number", readonly=True)
    lot_status = fields.Selection(LOT_STATUSES, readonly=True)
    expiration_date = fields.Datetime(readonly=True)
    days_left = fields.Integer(
        readonly=True,
        aggregator="min",
        help="Whole days of use left: 0 on the last day of use, negative once expired, "
        "counted in the warehouse's time zone.",
    )
    quantity = fields.Float(readonly=True, digits="Product Unit of Measure")
    uom_id = fields.Many2one("uom.uom", string="Unit", readonly=True)
    value = fields.Monetary(
        string="Value at Cost",
        readonly=True,
        currency_field="currency_id",
        groups="account.group_account_readonly,account.group_account_manager",
        help="Inventory value of the quantity: times the average unit cost of the remaining "
        "valuation layers of the lot (products valued by lot) or of the product.",
    )
    currency_id = fields.Many2one("res.currency", readonly=True)

    def init(self):
        res = super().init()
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )
        return res

    def _query(self):
        return SQL(
            """
            WITH stock AS (
                SELECT MIN(quant.id) AS id,
                       quant.company_id,
                       location.warehouse_id,
                       quant.location_id,
                       quant.product_id,
                       quant.lot_id,
                       SUM(quant.quantity) AS quantity,
                       COALESCE(SUM(quant.quantity) FILTER (
                           WHERE quant.owner_id IS NULL OR quant.owner_id = company.partner_id
                       ), 0) AS valued_quantity
                  FROM stock_quant quant
                  JOIN stock_location location
                    ON location.id = quant.location_id AND location.usage = 'internal'
                  JOIN stock_lot lot ON lot.id = quant.lot_id AND lot.expiration_date IS NOT NULL
                  JOIN res_company company ON company.id = quant.company_id
              GROUP BY quant.company_id, location.warehouse_id, quant.location_id,
                       quant.product_id, quant.lot_id
                HAVING SUM(quant.quantity) > 0
            ),
            unit_cost AS (
                SELECT layer.company_id,
                       layer.product_id,
                       COALESCE(CASE WHEN template.lot_valuated THEN layer.lot_id END, 0) AS lot_id,
                       SUM(layer.value) / NULLIF(SUM(layer.quantity), 0) AS cost
                  FROM stock_valuation_layer layer
                  JOIN product_product product ON product.id = layer.product_id
                  JOIN product_template template ON template.id = product.product_tmpl_id
                 WHERE layer.product_id IN (SELECT product_id FROM stock)
              GROUP BY layer.company_id, layer.product_id,
                       COALESCE(CASE WHEN template.lot_valuated THEN layer.lot_id END, 0)
            ),
            located AS (
                SELECT stock.*,
                       CASE WHEN warehouse.id IS NOT NULL THEN %(warehouse_tz)s
                            ELSE %(company_tz)s END AS tz
                  FROM stock
             LEFT JOIN stock_warehouse warehouse ON warehouse.id = stock.warehouse_id
            )
            SELECT located.id,
                   located.company_id,
                   located.warehouse_id,
                   located.location_id,
                   located.product_id,
                   template.categ_id AS product_categ_id,
                   located.lot_id,
                   lot.lot_status,
                   lot.expiration_date,
                   ((lot.expiration_date AT TIME ZONE 'UTC') AT TIME ZONE located.tz)::date
                       - (NOW() AT TIME ZONE located.tz)::date AS days_left,
                   located.quantity,
                   template.uom_id,
                   COALESCE(located.valued_quantity * unit_cost.cost, 0) AS value,
                   company.currency_id
              FROM located
              JOIN stock_lot lot ON lot.id = located.lot_id
              JOIN product_product product ON product.id = located.product_id
              JOIN product_template template ON template.id = product.product_tmpl_id
              JOIN res_company company ON company.id = located.company_id
         LEFT JOIN unit_cost
                ON unit_cost.company_id = located.company_id
               AND unit_cost.product_id = located.product_id
               AND unit_cost.lot_id = CASE WHEN template.lot_valuated THEN located.lot_id ELSE 0 END
            """,
            warehouse_tz=SQL(timezones.warehouse_tz_sql("warehouse")),
            company_tz=SQL(timezones.company_tz_sql("stock.company_id")),
        )
