"""Benchmark of Bai Mei's file -> gaps/tracks path against a plain numpy baseline (``make bench``)."""
