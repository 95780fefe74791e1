"""The serving snapshot: the only file the dashboard and exports read (see snapshot.py, serving.py)."""
