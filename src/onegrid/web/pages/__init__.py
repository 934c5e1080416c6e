"""The web's pages: one module per page, each with its router and its strings."""
