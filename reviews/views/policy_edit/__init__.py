"""The policy editor: pages of the app where a policy admin writes a draft version.

One module per area (outline, details, indications, lists, drugs, test cases, preview,
publishing), each with its own `urlpatterns`, gathered in `urls.py`. Views stay thin: the
selector fetches the version (403/404), a form validates, one service writes inside
services.policy_edits.policy_edit (so every change can be undone), then a redirect.
"""
