from . import test_cogs_report
from . import test_demo_data
from . import test_lot_valuation
from . import test_production_cost
from . import test_reconciliation
from . import test_tours
from . import test_write_off
