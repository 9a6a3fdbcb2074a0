"""Reading and cleaning AIS reports (core: numpy and the standard library; pyarrow and pyais when installed)."""
