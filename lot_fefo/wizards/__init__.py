from . import lot_expired_scrap
from . import lot_status_change
