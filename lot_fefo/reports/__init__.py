from . import lot_near_expiry_report
from . import lot_fefo_compliance_report
