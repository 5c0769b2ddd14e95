from . import lot_label
