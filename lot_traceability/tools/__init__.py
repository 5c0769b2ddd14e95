from . import gs1, spreadsheet
