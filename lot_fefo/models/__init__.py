from . import res_company
from . import stock_warehouse
from . import stock_lot_expiry
