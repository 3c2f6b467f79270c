"""Package data (jixiao.data.queries): read through jixiao.data, never imported for code."""
