from . import gs1, move_kinds, protected, spreadsheet, sql, timezones
