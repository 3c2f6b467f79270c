"""ingest: reads Chinese budget-performance reports and emits typed, sourced RDF triples."""
