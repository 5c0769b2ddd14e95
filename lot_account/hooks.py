def post_init_hook(env):
    """Match the customer invoices posted before the module was installed with their lots."""
    env["lot.cogs.allocation"]._allocate_posted_invoices()
