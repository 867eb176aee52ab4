"""File imports: plain parsing and validation of uploaded files (no Flask, no database).

The services (app.services.*) look up the database, apply the scope rules and write; the
pages show the preview these modules return.
"""
