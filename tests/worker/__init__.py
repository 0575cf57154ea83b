"""Tests of the RQ worker processes (xeroapp/worker.py, xeroapp/thread_worker.py)."""
