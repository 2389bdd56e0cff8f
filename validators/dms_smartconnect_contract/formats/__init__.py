"""What capture bytes are: body files, JSONL records and HAR entries, read into items to judge."""
