from . import demo_states
