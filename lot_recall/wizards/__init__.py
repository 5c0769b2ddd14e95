from . import lot_recall_start
from . import lot_regulator_export
from . import lot_eu_trace_report
