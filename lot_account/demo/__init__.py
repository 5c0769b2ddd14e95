from . import demo_scenario, demo_expired_scrap
