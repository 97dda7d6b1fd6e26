#!/usr/bin/env python3
"""Validates the deployment artifacts offline.

    python3 tools/validate-deploy.py [KUBERNETES_FOLDER] [--systemd UNIT] [--binary LIVELADDER]
                                     [--kubernetes-version 1.29]

- Every manifest under KUBERNETES_FOLDER (default deploy/kubernetes) against the Kubernetes OpenAPI
  schemas that the PyPI package kubernetes-validate bundles (strict: unknown fields are refused).
  PodMonitor is a CRD those schemas do not know: it is checked against the small JSON schema below,
  which covers only the fields these manifests use. kustomization.yaml: its resources must exist.
- Cross-references: the Deployment's Secret, ConfigMap, probe and Service/PodMonitor ports and labels.
- The ConfigMap's ladder YAML: with --binary (or $LIVELADDER), the real binary loads it
  (`liveladder run --config LADDER --input <missing file>`: exit 3 means the config was refused, exit 4
  means the config was accepted and the missing input stopped it; no command only loads a config).
  Without a binary, only PyYAML and a check of the keys.
- The systemd unit (default deploy/systemd/liveladder@.service): `systemd-analyze verify` when it is
  installed (with ExecStart's binary swapped for a stub, since verify wants it to exist), and a
  structural check of the settings the restart policy depends on.

Exits 0 when everything passes; otherwise 1 with one line per problem: `FILE: problem`.
Needs: python3 -m pip install kubernetes-validate pyyaml (tools/setup.sh does it).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import jsonschema
import kubernetes_validate
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Exit codes (README "Exit codes") a restart would only repeat, and those it can cure.
NO_RESTART = {3, 5, 6, 7, 64}
RESTART = {4, 8, 9, 10}

# The PodMonitor fields used here (monitoring.coreos.com/v1), typed as the operator's CRD types them.
PODMONITOR_SCHEMA = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "monitoring.coreos.com/v1"},
        "kind": {"const": "PodMonitor"},
        "metadata": {
            "type": "object", "required": ["name"],
            "properties": {"name": {"type": "string", "minLength": 1},
                           "namespace": {"type": "string"},
                           "labels": {"type": "object", "additionalProperties": {"type": "string"}}},
        },
        "spec": {
            "type": "object",
            "required": ["selector", "podMetricsEndpoints"],
            "additionalProperties": False,
            "properties": {
                "selector": {
                    "type": "object", "additionalProperties": False,
                    "properties": {"matchLabels": {"type": "object", "additionalProperties": {"type": "string"}}},
                },
                "namespaceSelector": {"type": "object"},
                "podMetricsEndpoints": {
                    "type": "array", "minItems": 1,
                    "items": {
                        "type": "object", "required": ["port"], "additionalProperties": False,
                        "properties": {
                            "port": {"type": "string", "minLength": 1},
                            "path": {"type": "string", "pattern": "^/"},
                            "scheme": {"enum": ["http", "https"]},
                            "interval": {"type": "string", "pattern": "^([0-9]+(ms|s|m|h))+$"},
                            "scrapeTimeout": {"type": "string", "pattern": "^([0-9]+(ms|s|m|h))+$"},
                        },
                    },
                },
            },
        },
    },
}

# The ladder config's keys (README "Ladder config"); the binary is the real judge.
LADDER_KEYS = {"segmentDuration", "segmentFormat", "allowUpscale", "renditions", "audio"}
RENDITION_KEYS = {"name", "width", "height", "videoBitrate", "maxBitrate", "preset", "profile", "tune"}
AUDIO_KEYS = {"bitrate", "sampleRate", "channels"}


class Problems:
    def __init__(self):
        self.lines = []

    def add(self, path, message):
        self.lines.append(f"{shown(path)}: {message}")


def shown(path):
    """A path relative to the current folder when it is inside it, else absolute."""
    relative = os.path.relpath(path)
    return os.path.abspath(path) if relative.startswith("..") else relative


def where(error):
    """A jsonschema error's location as a dotted path, e.g. spec.replicas."""
    return ".".join(str(part) for part in error.absolute_path) or "(top level)"


def load_documents(path, problems):
    try:
        with open(path) as file:
            return [doc for doc in yaml.safe_load_all(file) if doc is not None]
    except yaml.YAMLError as error:
        problems.add(path, f"not valid YAML: {' '.join(str(error).split())}")
        return []


def check_kubernetes(folder, version, binary, problems):
    names = sorted(n for n in os.listdir(folder) if n.endswith((".yaml", ".yml")))
    if not names:
        problems.add(folder, "no manifests (*.yaml)")
        return
    objects = []  # (path, document)
    for name in names:
        path = os.path.join(folder, name)
        for doc in load_documents(path, problems):
            if not isinstance(doc, dict) or "kind" not in doc or "apiVersion" not in doc:
                problems.add(path, "a document without kind/apiVersion")
                continue
            objects.append((path, doc))
            kind = doc["kind"]
            if kind == "Kustomization":
                for resource in doc.get("resources") or []:
                    if not os.path.exists(os.path.join(folder, str(resource))):
                        problems.add(path, f"resources: {resource} does not exist")
            elif kind == "PodMonitor":
                for error in jsonschema.Draft202012Validator(PODMONITOR_SCHEMA).iter_errors(doc):
                    problems.add(path, f"PodMonitor {where(error)}: {error.message}")
            else:
                try:
                    kubernetes_validate.validate(doc, version, strict=True)
                except kubernetes_validate.ValidationError as error:
                    problems.add(path, f"{kind} {where(error)}: {error.message}")
                except kubernetes_validate.SchemaNotFoundError as error:
                    problems.add(path, error.message)
    # Cross-references assume the shapes the schemas promise: only check them on valid manifests.
    if not problems.lines:
        check_references(objects, binary, problems)


def pod_labels_match(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def check_references(objects, binary, problems):
    by_kind = {}
    for path, doc in objects:
        by_kind.setdefault(doc["kind"], []).append((path, doc))
    deployments = by_kind.get("Deployment", [])
    if len(deployments) != 1:
        problems.add(objects[0][0] if objects else ".", f"expected one Deployment, found {len(deployments)}")
        return
    path, deployment = deployments[0]
    spec = deployment.get("spec") or {}
    if spec.get("replicas") != 1:
        problems.add(path, f"spec.replicas: one process per channel, must be 1 (is {spec.get('replicas')!r})")
    if (spec.get("strategy") or {}).get("type") != "Recreate":
        problems.add(path, "spec.strategy.type: must be Recreate (two pods must never run one channel)")
    pod = (spec.get("template") or {}).get("spec") or {}
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    containers = pod.get("containers") or []
    if len(containers) < 1 or not isinstance(containers[0], dict):
        problems.add(path, "no container")
        return
    container = containers[0]
    ports = {p.get("name"): p.get("containerPort") for p in container.get("ports") or [] if isinstance(p, dict)}
    if "http" not in ports:
        problems.add(path, "containers[0].ports: no port named http")
    for probe, wanted in (("startupProbe", "/livez"), ("livenessProbe", "/livez"), ("readinessProbe", "/readyz")):
        get = (container.get(probe) or {}).get("httpGet")
        if not isinstance(get, dict):
            problems.add(path, f"containers[0].{probe}: missing (an httpGet on {wanted})")
            continue
        if get.get("path") != wanted:
            problems.add(path, f"containers[0].{probe}.httpGet.path: must be {wanted} (is {get.get('path')!r})")
        if get.get("port") not in ports and get.get("port") not in ports.values():
            problems.add(path, f"containers[0].{probe}.httpGet.port: {get.get('port')!r} is not a container port")
    env = {e.get("name"): e for e in container.get("env") or [] if isinstance(e, dict)}
    args = [str(a) for a in container.get("args") or []]
    http = args[args.index("--http") + 1] if "--http" in args[:-1] else None
    if http and not http.startswith(("127.", "localhost", "[::1]")) and ":" in http:
        if "LIVELADDER_HTTP_TOKEN" not in env:
            problems.add(path, f"--http {http} is not loopback: LIVELADDER_HTTP_TOKEN must be set")
    secrets = {doc["metadata"]["name"]: doc for _, doc in by_kind.get("Secret", [])}
    for name, variable in env.items():
        ref = ((variable.get("valueFrom") or {}).get("secretKeyRef")) or {}
        if ref:
            secret = secrets.get(ref.get("name"))
            if secret is None:
                problems.add(path, f"env {name}: no Secret {ref.get('name')!r} in this folder (not even an example)")
            elif ref.get("key") not in {**(secret.get("data") or {}), **(secret.get("stringData") or {})}:
                problems.add(path, f"env {name}: Secret {ref.get('name')!r} has no key {ref.get('key')!r}")
    # The ladder: the ConfigMap behind the volume mounted at --config.
    config_maps = {doc["metadata"]["name"]: (p, doc) for p, doc in by_kind.get("ConfigMap", [])}
    ladder_path = args[args.index("--config") + 1] if "--config" in args[:-1] else None
    segment = None
    if ladder_path:
        mounts = [m for m in container.get("volumeMounts") or [] if isinstance(m, dict)]
        mount = next((m for m in mounts if m.get("mountPath") == ladder_path
                      or ladder_path.startswith(str(m.get("mountPath")).rstrip("/") + "/")), None)
        volume = next((v for v in pod.get("volumes") or [] if mount and v.get("name") == mount.get("name")), None)
        if not volume or "configMap" not in volume:
            problems.add(path, f"--config {ladder_path}: no ConfigMap volume mounted there")
        else:
            key = mount.get("subPath") or os.path.basename(ladder_path)
            found = config_maps.get(volume["configMap"].get("name"))
            if not found:
                problems.add(path, f"--config {ladder_path}: no ConfigMap {volume['configMap'].get('name')!r} in this folder")
            elif key not in (found[1].get("data") or {}):
                problems.add(found[0], f"data: no key {key!r} (the ladder the Deployment mounts)")
            else:
                segment = check_ladder(found[0], key, found[1]["data"][key], binary, problems)
    grace = pod.get("terminationGracePeriodSeconds", 30)
    if segment is not None and isinstance(grace, int) and grace < segment + 10:
        problems.add(path, f"terminationGracePeriodSeconds: {grace} is less than a segment ({segment} s) + 10 s for the drain")
    for service_path, service in by_kind.get("Service", []):
        if not pod_labels_match((service.get("spec") or {}).get("selector"), labels):
            problems.add(service_path, "spec.selector does not select the Deployment's pods")
        for port in (service.get("spec") or {}).get("ports") or []:
            target = port.get("targetPort")
            if isinstance(target, str) and target not in ports:
                problems.add(service_path, f"ports {port.get('name')}: targetPort {target!r} is not a container port")
    for monitor_path, monitor in by_kind.get("PodMonitor", []):
        monitor_spec = monitor.get("spec") or {}
        if not pod_labels_match((monitor_spec.get("selector") or {}).get("matchLabels"), labels):
            problems.add(monitor_path, "spec.selector.matchLabels does not select the Deployment's pods")
        for endpoint in monitor_spec.get("podMetricsEndpoints") or []:
            if isinstance(endpoint, dict) and endpoint.get("port") not in ports:
                problems.add(monitor_path, f"podMetricsEndpoints: port {endpoint.get('port')!r} is not a container port")


def check_ladder(path, key, text, binary, problems):
    """Checks the ladder YAML; returns its segment duration (seconds) when it can be read."""
    label = f"data.{key}"
    try:
        ladder = yaml.safe_load(text)
    except yaml.YAMLError as error:
        problems.add(path, f"{label}: not valid YAML: {' '.join(str(error).split())}")
        return None
    if not isinstance(ladder, dict):
        problems.add(path, f"{label}: not a mapping")
        return None
    for unknown in sorted(set(ladder) - LADDER_KEYS):
        problems.add(path, f"{label}: unknown key {unknown!r}")
    renditions = ladder.get("renditions")
    if not isinstance(renditions, list) or not renditions:
        problems.add(path, f"{label}: renditions must list at least one rendition")
        renditions = []
    for index, rendition in enumerate(renditions):
        if not isinstance(rendition, dict):
            problems.add(path, f"{label}: renditions[{index}] is not a mapping")
            continue
        for unknown in sorted(set(rendition) - RENDITION_KEYS):
            problems.add(path, f"{label}: renditions[{index}]: unknown key {unknown!r}")
        for required in ("name", "videoBitrate"):
            if required not in rendition:
                problems.add(path, f"{label}: renditions[{index}].{required} missing")
        if "width" not in rendition and "height" not in rendition:
            problems.add(path, f"{label}: renditions[{index}]: give width or height")
    if isinstance(ladder.get("audio"), dict):
        for unknown in sorted(set(ladder["audio"]) - AUDIO_KEYS):
            problems.add(path, f"{label}: audio: unknown key {unknown!r}")
    if binary:
        with tempfile.TemporaryDirectory(prefix="validate-deploy-") as work:
            config = os.path.join(work, "ladder.yaml")
            with open(config, "w") as file:
                file.write(text)
            result = subprocess.run(
                [binary, "run", "--config", config, "--input", os.path.join(work, "no-such-input.mp4"),
                 "--output", os.path.join(work, "out")], capture_output=True, text=True, timeout=60)
            message = (result.stderr.strip().splitlines() or [""])[-1]
            message = message.removeprefix("liveladder: error: ").replace(config + ": ", "")
            if result.returncode == 3:
                problems.add(path, f"{label}: refused by {binary}: {message}")
            elif result.returncode != 4 or "input not found" not in message:
                problems.add(path, f"{label}: {binary} did not stop at the missing input (exit {result.returncode}): {message}")
    duration = ladder.get("segmentDuration", 2)
    return duration if isinstance(duration, (int, float)) and not isinstance(duration, bool) else None


def unit_settings(path):
    """[Section] Key=value lines of a unit file, with continuation lines joined; values in order."""
    settings, section, pending = {}, None, ""
    with open(path) as file:
        for raw in file:
            line = pending + raw.rstrip("\n")
            if line.endswith("\\"):
                pending = line[:-1] + " "
                continue
            pending = ""
            stripped = line.strip()
            if not stripped or stripped.startswith(("#", ";")):
                continue
            if stripped.startswith("["):
                section = stripped.strip("[]")
                continue
            key, _, value = stripped.partition("=")
            settings.setdefault((section, key.strip()), []).append(value.strip())
    return settings


def check_systemd(unit, problems):
    if not os.path.isfile(unit):
        problems.add(unit, "no such file")
        return
    settings = unit_settings(unit)

    def last(key):
        values = settings.get(("Service", key))
        return values[-1] if values else None

    if last("Type") != "notify":
        problems.add(unit, f"Type: must be notify (is {last('Type')!r})")
    if last("NotifyAccess") != "main":
        problems.add(unit, f"NotifyAccess: must be main (is {last('NotifyAccess')!r})")
    if not last("WatchdogSec"):
        problems.add(unit, "WatchdogSec: not set")
    if last("Restart") != "on-failure":
        problems.add(unit, f"Restart: must be on-failure (is {last('Restart')!r})")
    prevent = set()
    for value in settings.get(("Service", "RestartPreventExitStatus"), []):
        prevent = set() if not value else prevent | {int(v) for v in value.split() if v.isdigit()}
    if not NO_RESTART <= prevent:
        problems.add(unit, f"RestartPreventExitStatus: missing {' '.join(map(str, sorted(NO_RESTART - prevent)))}")
    if prevent & RESTART:
        problems.add(unit, f"RestartPreventExitStatus: {' '.join(map(str, sorted(prevent & RESTART)))} must be restarted")
    if not (last("User") or last("DynamicUser") == "yes"):
        problems.add(unit, "no User= or DynamicUser=yes: must not run as root")
    if not last("ExecStart"):
        problems.add(unit, "ExecStart: not set")
        return
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        print(f"validate-deploy: note: systemd-analyze not found; {shown(unit)} checked structurally only")
        return
    # verify refuses an ExecStart binary that does not exist: point it at a stub, change nothing else.
    binary = last("ExecStart").split()[0].lstrip("-@:+!")
    with tempfile.TemporaryDirectory(prefix="validate-unit-") as work:
        stub = os.path.join(work, "liveladder")
        with open(stub, "w") as file:
            file.write("#!/bin/sh\n")
        os.chmod(stub, 0o755)
        with open(unit) as file:
            text = file.read().replace(binary, stub)
        name = os.path.basename(unit)
        with open(os.path.join(work, name), "w") as file:
            file.write(text)
        instance = name.replace("@.", "@validate.") if "@." in name else name
        result = subprocess.run([analyze, "verify", "--man=no", os.path.join(work, instance)],
                                capture_output=True, text=True, timeout=60)
        # verify reports a bad setting on stderr and still exits 0 ("…, ignoring"): any output fails.
        output = " | ".join(line.replace(work + "/", "") for line in (result.stderr + result.stdout).splitlines() if line.strip())
        if result.returncode != 0 or output:
            problems.add(unit, f"systemd-analyze verify: {output or f'exit {result.returncode}'}")


def main():
    parser = argparse.ArgumentParser(description="Validate deploy/ offline.")
    parser.add_argument("folder", nargs="?", default=os.path.join(REPO, "deploy", "kubernetes"),
                        help="the Kubernetes manifests (default deploy/kubernetes)")
    parser.add_argument("--systemd", default=os.path.join(REPO, "deploy", "systemd", "liveladder@.service"),
                        help="the systemd unit to check ('' to skip)")
    parser.add_argument("--binary", default=os.environ.get("LIVELADDER"),
                        help="a built liveladder that loads the ladder (default $LIVELADDER)")
    parser.add_argument("--kubernetes-version", default="1.29")
    options = parser.parse_args()
    if options.binary and not os.access(options.binary, os.X_OK):
        print(f"validate-deploy: {options.binary}: not an executable", file=sys.stderr)
        return 2
    problems = Problems()
    if not os.path.isdir(options.folder):
        problems.add(options.folder, "not a folder")
    else:
        check_kubernetes(options.folder, options.kubernetes_version, options.binary, problems)
    if options.systemd:
        check_systemd(options.systemd, problems)
    for line in problems.lines:
        print(f"validate-deploy: {line}", file=sys.stderr)
    if problems.lines:
        return 1
    checked = "with " + options.binary if options.binary else "keys only, no --binary"
    print(f"validate-deploy: ok ({shown(options.folder)} against Kubernetes {options.kubernetes_version}, "
          f"ladder {checked}{', ' + shown(options.systemd) if options.systemd else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
