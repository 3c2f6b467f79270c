"""Package data (jixiao.data.shapes): read through jixiao.data, never imported for code."""
