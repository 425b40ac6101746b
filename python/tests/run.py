"""Runs the Python package's tests; the last line is "python package: N passed, M failed, K skipped"."""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

suite = unittest.defaultTestLoader.discover(HERE, pattern="test_*.py")
result = unittest.TextTestRunner(verbosity=2).run(suite)
failed = len(result.failures) + len(result.errors)
skipped = len(result.skipped)
for test, reason in result.skipped:
    print("skipped: %s: %s" % (test.id(), reason))
print("python package: %d passed, %d failed, %d skipped" % (result.testsRun - failed - skipped, failed, skipped))
sys.exit(1 if failed else 0)
