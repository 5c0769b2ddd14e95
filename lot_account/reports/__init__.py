from . import lot_cogs_report
from . import lot_valuation_reconciliation
