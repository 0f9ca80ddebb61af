"""Reports: redacted exports for publication and for partners (dashboards and briefings come later)."""
