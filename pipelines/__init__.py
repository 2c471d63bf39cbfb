"""Everything that touches the outside: readers, data contracts, writers, the `eperf` CLI."""
