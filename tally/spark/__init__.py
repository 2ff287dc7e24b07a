"""Tally on Apache Spark (optional extra: pip install tally[spark]). See tally/spark/job.py."""
