"""The criteria engine: pure Python, no Django, so it can be tested exhaustively and fast."""
