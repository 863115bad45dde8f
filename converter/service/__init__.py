"""`convert serve`: the staff web service for requesting, previewing and downloading copies."""
