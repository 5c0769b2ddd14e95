from . import models, reports, wizards
from . import demo
from .hooks import post_init_hook
