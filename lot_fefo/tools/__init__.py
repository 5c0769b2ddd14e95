from . import expiry
