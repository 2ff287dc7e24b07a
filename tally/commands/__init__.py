"""CLI commands beyond the core ones in `tally.cli`, one module per command group; registered in `tally.cli`."""
