"""Benchmarks for jixiao: a deterministic synthetic corpus (bench.generate) and its measurements."""
