"""The dashboard's small shared library: snapshot access, parameterised queries, filters, charts, formats."""
