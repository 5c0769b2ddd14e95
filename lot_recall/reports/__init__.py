from . import lot_recall_summary
from . import lot_eu_trace_report
