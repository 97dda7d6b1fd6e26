#!/usr/bin/env python3
"""Checks that every metric a Grafana dashboard queries is exposed by a Prometheus text exposition.

    python3 tools/dashboard-metrics.py deploy/grafana/liveladder.json metrics.txt   # e.g. curl .../metrics

Reads the PromQL of every panel target (rows' nested panels included) and of every query template
variable, takes out the metric names, and looks each up in the exposition, parsed with
prometheus_client.parser.text_string_to_metric_families. A histogram X counts as exposing X_bucket,
X_sum and X_count (and a counter X_total) from its # TYPE line alone, so a labelled metric with no
series yet still counts. Exits 0 when all are found, 1 naming every missing metric, 2 on bad input.
Needs: python3 -m pip install prometheus-client (tools/setup.sh does it).
"""
import json
import re
import sys

from prometheus_client.parser import text_string_to_metric_families

# PromQL words that look like names but are not metrics.
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "and", "or",
            "unless", "atan2", "inf", "nan", "start", "end"}
# Exposed sample names per metric type (OpenMetrics suffixes included).
SUFFIXES = {"counter": ["_total", "_created"], "histogram": ["_bucket", "_sum", "_count", "_created"],
            "gaugehistogram": ["_bucket", "_gsum", "_gcount"], "summary": ["", "_sum", "_count", "_created"],
            "info": ["_info"], "stateset": [""], "gauge": [""], "unknown": [""], "untyped": [""]}


def metric_names(expr):
    """Metric names in one PromQL expression (Grafana variables and label matchers removed)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)     # strings
    text = re.sub(r"\{[^}]*\}", "{}", text)                                          # label matchers
    text = re.sub(r"\[[^\]]*\]", "[]", text)                                         # ranges, subqueries
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)  # label lists
    text = re.sub(r"\$\{[^}]*\}|\$\w+", " ", text)                                   # Grafana variables
    names = set()
    for match in re.finditer(r"(?<![\w:.])([A-Za-z_:][\w:]*)(\s*\()?", text):
        name, call = match.group(1), match.group(2)
        if call or name.lower() in KEYWORDS or re.fullmatch(r"\d+[smhdwy]", name):
            continue                       # a function, a keyword, or a duration like 5m after offset
        names.add(name)
    return names


def dashboard_queries(dashboard):
    def panels(items):
        for panel in items or []:
            yield panel
            yield from panels(panel.get("panels"))
    for panel in panels(dashboard.get("panels")):
        for target in panel.get("targets") or []:
            if target.get("expr"):
                yield panel.get("title", "?"), target["expr"]
    for variable in (dashboard.get("templating") or {}).get("list") or []:
        query = variable.get("query")
        query = query.get("query") if isinstance(query, dict) else query
        if variable.get("type") == "query" and isinstance(query, str):
            # label_values(metric, label) / query_result(expr): the metric inside is what counts.
            inner = re.fullmatch(r"\s*(?:label_values|query_result)\((.*?)(?:,\s*\w+)?\)\s*", query)
            yield f"variable {variable.get('name')}", inner.group(1) if inner else query


def exposed(text):
    names = set()
    for family in text_string_to_metric_families(text):
        names.update(family.name + suffix for suffix in SUFFIXES.get(family.type, [""]))
        names.update(sample.name for sample in family.samples)
    return names


def main(argv):
    if len(argv) != 3:
        print("usage: dashboard-metrics.py DASHBOARD.json METRICS.txt", file=sys.stderr)
        return 2
    try:
        with open(argv[1]) as file:
            dashboard = json.load(file)
        with open(argv[2]) as file:
            available = exposed(file.read())
    except (OSError, ValueError) as error:
        print(f"dashboard-metrics: {error}", file=sys.stderr)
        return 2
    wanted = {}
    for where, expr in dashboard_queries(dashboard):
        for name in metric_names(expr):
            wanted.setdefault(name, set()).add(where)
    if not wanted:
        print(f"dashboard-metrics: {argv[1]}: no PromQL queries found", file=sys.stderr)
        return 1
    missing = sorted(name for name in wanted if name not in available)
    for name in missing:
        print(f"dashboard-metrics: {argv[2]}: missing {name} (used by {', '.join(sorted(wanted[name]))})", file=sys.stderr)
    if missing:
        return 1
    print(f"dashboard-metrics: all {len(wanted)} metrics of {argv[1]} found in {argv[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
