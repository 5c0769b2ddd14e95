from . import demo_scenario
