"""Package data (jixiao.data.ontology): read through jixiao.data, never imported for code."""
