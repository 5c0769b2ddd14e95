from . import demo_expired_scrap
