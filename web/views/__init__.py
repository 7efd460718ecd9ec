"""One blueprint per resource: search, reports, entities, about (stats) and the API docs."""
