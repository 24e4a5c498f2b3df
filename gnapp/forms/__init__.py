"""Official forms and reports (DESIGN.md §5), rendered to PDF and XLSX. No Qt."""
