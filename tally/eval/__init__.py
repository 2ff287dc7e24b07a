"""The accuracy harness: ingest public gold-labelled sets into fresh databases, score, and write docs/ACCURACY.md.

`sets.py` finds the sets and their gold, `run.py` ingests and scores one set, `grouping.py` scores how reports
are grouped into incidents, `errors.py` sorts wrong figures into kinds, `report.py` writes the report and
`gate.py` compares figures with the committed baseline.
"""
