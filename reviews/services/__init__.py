"""Services: every write and every state change, one function each (`<entity>_<verb>`)."""
