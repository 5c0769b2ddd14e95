from . import test_demo_data
from . import test_flows
from . import test_gs1
from . import test_lot_genealogy
from . import test_lot_numbering_rule
from . import test_spreadsheet
from . import test_tours
from . import test_read_replica
