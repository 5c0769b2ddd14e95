from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

from .models.lot_genealogy import drop_functions
from .models.mrp_unbuild import LINK_UNBUILT_LINES_SQL

# Columns of the move lines' stored trace inputs (``models.stock_move_line``) and the value
# each takes from the line's move, transfer and orders, as the ORM computes them; sale and
# purchase orders when their modules are installed (0 and NULL otherwise).
_TRACE_INPUTS = {
    "lot_trace_move_partner_id": "move.partner_id",
    "lot_trace_picking_partner_id": "picking.partner_id",
    "lot_trace_production_id": "COALESCE(move.production_id, move.raw_material_production_id)",
    "lot_trace_unbuild_id": "move.unbuild_id",
}
_SALE_INPUTS = {
    "lot_trace_sale_id": "COALESCE(so.id, 0)",
    "lot_trace_sale_partner_id": "so.partner_shipping_id",
}
_SALE_JOIN = """LEFT JOIN sale_order_line sol ON sol.id = move.sale_line_id
          LEFT JOIN sale_order so ON so.id = sol.order_id"""
_PURCHASE_INPUTS = {
    "lot_trace_purchase_id": "COALESCE(po.id, 0)",
    "lot_trace_purchase_partner_id": "po.partner_id",
}
_PURCHASE_JOIN = """LEFT JOIN purchase_order_line pol ON pol.id = move.purchase_line_id
          LEFT JOIN purchase_order po ON po.id = pol.order_id"""


def fill_trace_inputs(cr):
    """Create the stored trace inputs of the move lines and fill them with one statement
    (at install, and on update from 18.0.1.1.0), instead of the ORM computing them line by
    line on a large database."""
    values, joins = dict(_TRACE_INPUTS), []
    for line_column, inputs, join in (
        ("sale_line_id", _SALE_INPUTS, _SALE_JOIN),
        ("purchase_line_id", _PURCHASE_INPUTS, _PURCHASE_JOIN),
    ):
        if column_exists(cr, "stock_move", line_column):
            values.update(inputs)
            joins.append(join)
        else:
            values.update(dict.fromkeys(inputs, "NULL"))
    for column in values:
        if not column_exists(cr, "stock_move_line", column):
            create_column(cr, "stock_move_line", column, "int4")
    assignments = SQL(", ").join(
        SQL("%s = %s", SQL.identifier(column), SQL(value)) for column, value in values.items()
    )
    cr.execute(
        SQL(
            """UPDATE stock_move_line line
                  SET %s
                 FROM stock_move move
                 LEFT JOIN stock_picking picking ON picking.id = move.picking_id
                 %s
                WHERE move.id = line.move_id""",
            assignments,
            SQL(" ").join(SQL(join) for join in joins),
        )
    )


def pre_init_hook(env):
    """Fill the stored trace inputs of existing move lines by SQL."""
    fill_trace_inputs(env.cr)


def post_init_hook(env):
    """Link the unbuild orders done before the module was installed, like new ones."""
    env.cr.execute(LINK_UNBUILT_LINES_SQL.format(where=""))


def uninstall_hook(env):
    """Drop the genealogy engine's functions."""
    drop_functions(env.cr)
