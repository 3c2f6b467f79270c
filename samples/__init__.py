"""Package data (jixiao.data.samples): read through jixiao.data, never imported for code."""
