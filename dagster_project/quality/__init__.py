"""Quality gate: suites as asset checks, reviewers\x27 pages, feedback to senders."""
