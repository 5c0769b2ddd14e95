from . import lot_recall_summary
