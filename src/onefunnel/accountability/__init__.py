"""The monthly accountability pack (frozen numbers of a month against targets, today and restatements),
built from the published serving snapshot: used by the dashboard's accountability page and by the
month-close DAG that e-mails it."""
