from .models.lot_genealogy import drop_functions
from .models.mrp_unbuild import LINK_UNBUILT_LINES_SQL
from .models.stock_move_line import fill_trace_inputs


def pre_init_hook(env):
    """Fill the stored trace inputs of existing move lines by SQL."""
    fill_trace_inputs(env.cr)


def post_init_hook(env):
    """Link the unbuild orders done before the module was installed, like new ones."""
    env.cr.execute(LINK_UNBUILT_LINES_SQL.format(where=""))


def uninstall_hook(env):
    """Drop the genealogy engine's functions."""
    drop_functions(env.cr)
