from . import demo
from . import models
from . import reports
from . import tools
from . import wizards
from .hooks import pre_init_hook
