"""Where capture bytes come from: local files and fsspec URLs, decompression, byte ranges and line pieces."""
