from . import lot_recall_start
from . import lot_regulator_export
