from . import demo_walkthrough
