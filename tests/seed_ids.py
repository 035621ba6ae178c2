"""The ids of the five seed articles, for tests that name passages."""

A000, A001, A002, A003, A004 = (
    "000_6f9472f48d466d8a",
    "001_6c41907e8ecef70d",
    "002_5304680d689b3a2e",
    "003_2ef0c382201d2834",
    "004_b987cb3fb497488e",
)
