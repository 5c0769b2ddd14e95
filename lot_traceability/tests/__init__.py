from . import test_demo_data
