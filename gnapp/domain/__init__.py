"""Pure rules and values: no Qt, no SQL (DESIGN.md §2)."""
