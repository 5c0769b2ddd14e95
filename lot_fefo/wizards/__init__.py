from . import lot_unusable_scrap
from . import lot_status_change
