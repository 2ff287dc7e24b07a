"""Export formats beyond the JSON Lines and CSV of Tally 0.1, one module per format, each with
``render(rows, kind) -> bytes``; they are registered in ``tally.readout.formats.EXPORTS``."""
