"""Background jobs of lot_fefo: Odoo 18 ``ir.cron`` batches.

A job reports its progress after each batch and commits it, so that a crash or a time
out loses at most the batch under way; the cron runs again while work remains.
"""

import threading


def commit_batch(env, done, remaining):
    """Report the progress of the running cron job (``done`` and ``remaining`` units) and
    commit the work done so far; tests, which run in one transaction, do not commit."""
    env["ir.cron"]._notify_progress(done=done, remaining=remaining)
    if not getattr(threading.current_thread(), "testing", False):
        env.cr.commit()  # pylint: disable=invalid-commit


def rollback_batch(env):
    """Roll back the work of the batch under way (the batches committed stay); tests, which
    run in one transaction, do not roll back."""
    if not getattr(threading.current_thread(), "testing", False):
        env.cr.rollback()
