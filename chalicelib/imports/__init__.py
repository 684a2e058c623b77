"""Imports: a bureau's own files (台区, customers, grids, staff) read, checked and applied.

Pure pieces: `columns` (headers and their aliases), `cells` (one cell's checks),
`reading` (CSV/XLSX as a stream of numbered rows), `rows` (one row per kind),
`issues` (the error codes and their Chinese wording), `error_file` (the fix-and-re-upload CSV).
"""
