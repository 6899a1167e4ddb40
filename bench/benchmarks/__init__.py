"""Every module in this folder is imported by ``bench.registry.load_all`` and registers its benchmarks."""
