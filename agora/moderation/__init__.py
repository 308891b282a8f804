"""Moderation: rules, reports, cases, decisions, statements of reasons, appeals and the audit log."""
