"""The search engine: query parsing, postings, scoring and ranking, selections, spelling,
snippets, meaning and the live generation. It knows nothing of Flask (issue 23)."""
