from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column


def pre_init_hook(env):
    """Fill the stored ``stock.quant.lot_status`` with one SQL statement before the module's
    fields are created: Odoo then finds the column and does not compute it (measured on
    the bench database in bench/README.md)."""
    fill_quant_lot_status(env.cr)


def fill_quant_lot_status(cr):
    """Create ``stock_quant.lot_status`` when missing and copy into it the status of each
    quant's lot: the lot's column when it exists (a reinstall keeps none, but a repair
    may), else "released", the status every existing lot gets at installation."""
    if not column_exists(cr, "stock_quant", "lot_status"):
        create_column(cr, "stock_quant", "lot_status", "varchar", "Lot Status")
    if column_exists(cr, "stock_lot", "lot_status"):
        status = SQL("COALESCE(lot.lot_status, 'released')")
    else:
        status = SQL("'released'")
    cr.execute(
        SQL(
            """UPDATE stock_quant quant
                  SET lot_status = %s
                 FROM stock_lot lot
                WHERE lot.id = quant.lot_id
                  AND quant.lot_status IS DISTINCT FROM %s""",
            status,
            status,
        )
    )
