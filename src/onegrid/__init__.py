"""onegrid: the grid-based closed loop (一网统管) for a city district."""

__version__ = "0.1.0"

# Where the JSON API is mounted; pages and the app both read it from here.
API_PREFIX = "/api/v1"
