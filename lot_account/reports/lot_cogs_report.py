import io

import xlsxwriter
from odoo import api, fields, models
from odoo.addons.lot_traceability.tools import spreadsheet
from odoo.tools import SQL

# Accounts that receive the cost of goods sold side of Odoo's anglo-saxon COGS lines.
EXPENSE_ACCOUNT_TYPES = ("expense", "expense_direct_cost")


class LotCogsReport(models.Model):
    """Cost of goods sold, revenue and margin per invoiced sales line and lot.

    One row per posted customer invoice or credit note line and lot it is matched with
    (``lot.cogs.allocation``). The COGS of a row is the line's COGS journal item (Odoo's
    anglo-saxon accounting, automated valuation) shared among its lots by their cost
    (quantity x unit cost), so that the report adds up to the COGS accounts to the cent;
    products without a COGS journal item are valued at quantity x unit cost.

    Built with ``_table_query`` (see the lot_traceability readme, DEVELOP.md): a read-only list over
    the posted invoices, always current, filtered and grouped by the database.
    """

    _name = "lot.cogs.report"
    _description = "COGS by Lot"
    _auto = False
    _rec_name = "lot_id"
    _order = "date desc, move_id desc, id"

    date = fields.Date(string="Accounting Date", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    move_type = fields.Selection(
        [("out_invoice", "Invoice"), ("out_refund", "Credit Note")],
        string="Type",
        readonly=True,
    )
    invoice_line_id = fields.Many2one("account.move.line", readonly=True)
    sale_line_id = fields.Many2one("sale.order.line", string="Sales Order Line", readonly=True)
    order_id = fields.Many2one("sale.order", string="Sales Order", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    lot_id = fields.Many2one("stock.lot", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    uom_id = fields.Many2one("uom.uom", string="Unit", readonly=True)
    quantity = fields.Float(digits="Product Unit of Measure", readonly=True)
    unit_cost = fields.Float(digits="Product Price", readonly=True, aggregator="avg")
    cogs = fields.Monetary(string="COGS", readonly=True)
    revenue = fields.Monetary(readonly=True)
    margin = fields.Monetary(readonly=True)
    margin_percent = fields.Float(string="Margin (%)", readonly=True, aggregator="avg")
    in_ledger = fields.Boolean(
        string="COGS Posted",
        readonly=True,
        help="The COGS comes from the invoice's COGS journal item (automated valuation with "
        "anglo-saxon accounting); otherwise it is quantity x unit cost.",
    )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH ledger AS (
                SELECT cogs.cogs_origin_id AS line_id, SUM(cogs.balance) AS amount
                  FROM account_move_line cogs
                  JOIN account_account account ON account.id = cogs.account_id
                 WHERE cogs.display_type = 'cogs'
                   AND cogs.cogs_origin_id IS NOT NULL
                   AND account.account_type IN %(expense_types)s
                 GROUP BY cogs.cogs_origin_id
            ), allocation AS (
                SELECT alloc.*,
                       SUM(alloc.quantity) OVER line AS line_quantity,
                       SUM(alloc.quantity * alloc.unit_cost) OVER line AS line_cost
                  FROM lot_cogs_allocation alloc
                WINDOW line AS (PARTITION BY alloc.invoice_line_id)
            ), valued AS (
                SELECT alloc.id,
                       line.date,
                       line.move_id,
                       move.move_type,
                       line.id AS invoice_line_id,
                       alloc.sale_line_id,
                       sale_line.order_id,
                       move.commercial_partner_id AS partner_id,
                       line.product_id,
                       template.categ_id,
                       alloc.lot_id,
                       alloc.company_id,
                       line.company_currency_id AS currency_id,
                       template.uom_id,
                       alloc.quantity,
                       alloc.unit_cost,
                       ledger.line_id IS NOT NULL AS in_ledger,
                       CASE
                           WHEN ledger.line_id IS NULL THEN alloc.quantity * alloc.unit_cost
                           WHEN alloc.line_cost <> 0
                               THEN ledger.amount * alloc.quantity * alloc.unit_cost
                                    / alloc.line_cost
                           WHEN alloc.line_quantity <> 0
                               THEN ledger.amount * alloc.quantity / alloc.line_quantity
                           ELSE 0
                       END AS cogs,
                       CASE
                           WHEN alloc.line_quantity <> 0
                               THEN -line.balance * alloc.quantity / alloc.line_quantity
                           ELSE 0
                       END AS revenue
                  FROM allocation alloc
                  JOIN account_move_line line ON line.id = alloc.invoice_line_id
                  JOIN account_move move ON move.id = line.move_id
                  JOIN sale_order_line sale_line ON sale_line.id = alloc.sale_line_id
                  JOIN product_product product ON product.id = line.product_id
                  JOIN product_template template ON template.id = product.product_tmpl_id
                  LEFT JOIN ledger ON ledger.line_id = line.id
                 WHERE move.state = 'posted'
            )
            SELECT valued.*,
                   valued.revenue - valued.cogs AS margin,
                   CASE
                       WHEN valued.revenue <> 0
                           THEN 100 * (valued.revenue - valued.cogs) / ABS(valued.revenue)
                       ELSE 0
                   END AS margin_percent
              FROM valued
            """,
            expense_types=EXPENSE_ACCOUNT_TYPES,
        )

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        """Margin % of a group is its margin over its revenue, not an average of rows."""
        names = {spec.split(":")[0].split("(")[0].strip() for spec in fields}
        if "margin_percent" not in names:
            return super().read_group(domain, fields, groupby, offset, limit, orderby, lazy)
        extra = ["lot_cogs_margin:sum(margin)", "lot_cogs_revenue:sum(revenue)"]
        groups = super().read_group(domain, fields + extra, groupby, offset, limit, orderby, lazy)
        for group in groups:
            margin = group.pop("lot_cogs_margin", 0) or 0
            revenue = group.pop("lot_cogs_revenue", 0) or 0
            group["margin_percent"] = 100 * margin / abs(revenue) if revenue else 0
        return groups

    def action_export_xlsx(self):
        """Download the rows selected (or, with none selected, the rows of the current
        search) as an Excel workbook."""
        records = self
        if not records:
            records = self.search(self.env.context.get("active_domain") or [])
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"cogs-by-lot-{fields.Date.context_today(self)}.xlsx",
                "raw": records._xlsx_content(),
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    def _xlsx_rows(self):
        header = [
            self.env._("Accounting Date"),
            self.env._("Invoice"),
            self.env._("Sales Order"),
            self.env._("Customer"),
            self.env._("Product"),
            self.env._("Lot"),
            self.env._("Quantity"),
            self.env._("Unit"),
            self.env._("Unit Cost"),
            self.env._("COGS"),
            self.env._("Revenue"),
            self.env._("Margin"),
            self.env._("Margin (%)"),
            self.env._("COGS Posted"),
        ]
        rows = [
            [
                row.date,
                row.move_id.name,
                row.order_id.name,
                row.partner_id.display_name,
                row.product_id.display_name,
                row.lot_id.sudo().name or "",
                row.quantity,
                row.uom_id.name,
                row.unit_cost,
                row.cogs,
                row.revenue,
                row.margin,
                row.margin_percent / 100,
                bool(row.in_ledger),
            ]
            for row in self
        ]
        return header, rows

    def _xlsx_content(self):
        """The rows as an Excel workbook; names and references are written as texts, never
        as formulas, and only the totals are formulas."""
        header, rows = self._xlsx_rows()
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = workbook.add_worksheet(self.env._("COGS by Lot"))
        bold = workbook.add_format({"bold": True})
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        money = workbook.add_format({"num_format": "#,##0.00"})
        cost = workbook.add_format({"num_format": "#,##0.0000"})
        percent = workbook.add_format({"num_format": "0.0%"})
        # Column formats apply to the cells written without one.
        sheet.set_column(0, 0, 12, date_format)
        sheet.set_column(1, 5, 22)
        sheet.set_column(8, 8, None, cost)
        sheet.set_column(9, 11, None, money)
        sheet.set_column(12, 12, None, percent)
        spreadsheet.xlsx_write_row(sheet, 0, header, bold)
        for index, row in enumerate(rows, start=1):
            spreadsheet.xlsx_write_row(sheet, index, row)
        last = len(rows) + 1
        if rows:
            sheet.write_string(last, 0, self.env._("Total"), bold)
            for column in (9, 10, 11):
                letter = xlsxwriter.utility.xl_col_to_name(column)
                sheet.write_formula(last, column, f"=SUM({letter}2:{letter}{last})", money)
        sheet.autofilter(0, 0, max(len(rows), 1), len(header) - 1)
        sheet.freeze_panes(1, 0)
        workbook.close()
        return buffer.getvalue()
