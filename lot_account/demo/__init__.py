from . import demo_expired_scrap, demo_scenario
