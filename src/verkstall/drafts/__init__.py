"""Drafts of long text fields, kept on the server while the user types (issue 17 item 1)."""
