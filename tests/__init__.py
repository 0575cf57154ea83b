"""The test suite, one package: shared helpers are imported by their full name
(tests.sync.push_support), never found through sys.path."""
