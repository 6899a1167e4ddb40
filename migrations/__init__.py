"""The read-model migrations (NNNN_name.sql), shipped as package data and read by store.migrations."""
