#!/usr/bin/env python3
"""Reads a Prometheus text exposition on stdin with prometheus_client's own parser and prints its samples
as JSON: [{"name": ..., "labels": {...}, "value": ...}, ...], plus each family's type and help under
"families". Used by the tests to read /metrics the way Prometheus does; a malformed exposition exits 1.
"""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

try:
    families = list(text_string_to_metric_families(sys.stdin.read()))
except Exception as error:  # the parser's own message names the bad line
    print(f"prom-samples: {error}", file=sys.stderr)
    sys.exit(1)
print(json.dumps({
    "families": [{"name": f.name, "type": f.type, "help": f.documentation} for f in families],
    "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for f in families for s in f.samples],
}))
