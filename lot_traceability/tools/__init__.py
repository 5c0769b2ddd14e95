from . import gs1, move_kinds, spreadsheet, sql, timezones
