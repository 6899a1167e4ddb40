"""The service's bodies: what a command takes and answers (commands), what a query answers (queries), and the field
types and limits they share (fields)."""
