from . import demo_scenario, demo_walkthrough
