//! Classification of decoded scans (being built)
