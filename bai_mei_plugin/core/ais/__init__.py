"""Reading and cleaning AIS reports (core: numpy and the standard library, pyarrow when installed; NMEA decoded with
numpy)."""
