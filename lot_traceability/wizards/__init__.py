from . import lot_trace
from . import mrp_batch_produce
