"""English dates as an international reader writes them: 25 January 2027."""

DATE_FORMAT = "j F Y"
