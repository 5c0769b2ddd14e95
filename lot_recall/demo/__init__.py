from . import demo_mock_recall
