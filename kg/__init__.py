"""kg: knowledge graphs of bilateral relations between states, from news, with full provenance."""
