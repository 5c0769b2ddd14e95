from .models.mrp_unbuild import LINK_UNBUILT_LINES_SQL


def post_init_hook(env):
    """Link the unbuild orders done before the module was installed, like new ones."""
    env.cr.execute(LINK_UNBUILT_LINES_SQL.format(where=""))
