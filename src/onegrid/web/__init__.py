"""Server-rendered pages and their self-hosted assets."""
