"""The Bai Mei dock: one page per job, its map tools and settings."""
