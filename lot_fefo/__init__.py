from . import models
from . import reports
from . import tools
from . import wizards
from . import demo
