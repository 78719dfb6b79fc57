#!/usr/bin/env python3
"""Runs schemathesis against a running meshcloud with the three upstream specs.

Only the operations meshcloud serves are tested: they are found by matching
each upstream operation (method and path template, parameter names ignored)
against the server's own /openapi.json. Failures are read from schemathesis'
JUnit report; those listed in exceptions.txt (the server follows the seed
text) are accepted, any other fails the run.

Usage: run.py --base URL --token TOKEN --seeds FILE --out DIR
The seeds file is JSON: {"headers": {..}, "keep": {param: value},
"spare": {param: value}}. "keep" values fill path and query parameters of
every operation; "spare" ones replace them in operations that delete, so the
resources the other operations read survive the run.
"""

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
SPECS = [
    ("layer5", "cloud_openapi.v1.0.0.yml"),
    ("meshery", "meshery_openapi.v1.0.3.yml"),
    ("identity", "server.spec.v1.4.0.bundled.yaml"),
]
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,ignored_auth"
# Schemathesis' failure codes and the check each belongs to.
CODES = {
    "ST101": "not_a_server_error",
    "ST102": "not_a_server_error",
    "ST103": "status_code_conformance",
    "ST104": "content_type_conformance",
    "ST105": "content_type_conformance",
    "ST106": "content_type_conformance",
    "ST107": "response_headers_conformance",
    "ST108": "response_schema_conformance",
    "ST109": "response_schema_conformance",
    "ST110": "response_schema_conformance",
    "ST111": "response_schema_conformance",
    "ST401": "ignored_auth",
}
METHODS = ("get", "post", "put", "delete", "patch")


def norm(path):
    return re.sub(r"\{[^}]*\}", "{}", path.rstrip("/") or "/")


def verify_sums():
    with open(os.path.join(HERE, "SHA256SUMS")) as f:
        for line in f:
            want, name = line.split()
            with open(os.path.join(HERE, name), "rb") as spec:
                got = hashlib.sha256(spec.read()).hexdigest()
            if got != want:
                sys.exit(f"{name}: SHA256 {got} is not the recorded {want}")


def check_pin():
    import schemathesis

    with open(os.path.join(HERE, "requirements.txt")) as f:
        pins = dict(line.strip().split("==") for line in f if "==" in line)
    want = pins["schemathesis"]
    if schemathesis.__version__ != want:
        sys.exit(f"schemathesis {schemathesis.__version__} is installed; the run is pinned to {want} "
                 "(pip install -r tests/conformance/requirements.txt)")


def token_alive(base, token):
    req = urllib.request.Request(base + "/api/identity/users/profile", headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status == 200
    except urllib.error.HTTPError:
        return False


def served_operations(base):
    with urllib.request.urlopen(base + "/openapi.json", timeout=30) as r:
        doc = json.load(r)
    return {(m.upper(), norm(p)) for p, item in doc["paths"].items() for m in item if m in METHODS}


def spec_operations(path):
    import yaml  # PyYAML comes with schemathesis.

    with open(path) as f:
        doc = yaml.safe_load(f)
    return [(m.upper(), p) for p, item in doc["paths"].items() for m in item if m in METHODS]


def entries(line):
    return [c.strip() for c in line.split(" | ")]


def read_exceptions():
    """{(operation, check): section} from exceptions.txt; each section needs a `seed:` line."""
    found, section, justified = {}, None, set()
    with open(os.path.join(HERE, "exceptions.txt")) as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1]
            elif line.startswith("seed:"):
                justified.add(section)
            elif line.startswith("why:"):
                pass
            elif section in justified and len(entries(line)) == 2:
                found[tuple(entries(line))] = section
            else:
                sys.exit(f"exceptions.txt:{n}: an entry `METHOD /path | check` must follow a [section] with a seed: line")
    return found


def toml_str(s):
    return json.dumps(s)  # a JSON string is a TOML basic string


def write_config(out, token, seeds, spec_name):
    """schemathesis.toml for one spec: seed, example count, the token and headers, and the
    parameter values ("spare" ones for operations that delete)."""
    lines = [
        f"seed = {seeds.get('seed', 20261207)}",
        "workers = 1",
        "request-timeout = 20.0",
        "[generation]",
        f"max-examples = {seeds.get('max_examples', 15)}",
        "deterministic = false",
        "database = \"none\"",
        "[headers]",
        f"Authorization = {toml_str('Bearer ' + token)}",
    ]
    for k, v in seeds.get("headers", {}).items():
        lines.append(f"{toml_str(k)} = {toml_str(v)}")
    lines.append("[parameters]")
    for k, v in seeds.get("keep", {}).items():
        lines.append(f"{toml_str(k)} = {toml_str(v)}")
    spare = seeds.get("spare", {})
    if spare:
        lines += ["[[operations]]", "include-method = \"DELETE\"", "parameters = {"
                  + ", ".join(f"{toml_str(k)} = {toml_str(v)}" for k, v in spare.items()) + "}"]
    path = os.path.join(out, f"{spec_name}.toml")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def failures_from_junit(path):
    """{(operation, check): first message} from schemathesis' JUnit report.

    An undocumented status is keyed by the status too
    (`status_code_conformance:415`), a schema violation by the field it is
    about where schemathesis names it (`response_schema_conformance:deleted_at`),
    so a listed failure hides no other.
    """
    found = {}
    tree = ET.parse(path)
    for case in tree.iter("testcase"):
        op = case.get("name")
        for fail in list(case.iter("failure")) + list(case.iter("error")):
            text = fail.text or fail.get("message") or ""
            blocks = re.split(r"\n(?=- ST\d{3} )", "\n" + text)
            keys = []
            for block in blocks:
                m = re.match(r"- (ST\d{3}) ", block)
                if not m:
                    continue
                check = CODES.get(m.group(1), m.group(1))
                if m.group(1) == "ST103":
                    got = re.search(r"Received: (\d+)", block)
                    keys.append(check + ":" + (got.group(1) if got else "?"))
                elif m.group(1) == "ST108":
                    # Each field (else named schema) whose schema rejected a value, where shown.
                    at = [a.rstrip(":") for a in re.findall(r"Schema at (\S*)", block)]
                    fields = [(re.findall(r"/properties/([^/]+)", a) or [a.rsplit("/", 1)[-1]])[-1] for a in at]
                    keys += [check + ":" + f for f in fields if f] or [check]
                else:
                    keys.append(check)
            if fail.tag == "error" or not keys:
                keys = ["error"]
            for check in keys:
                found.setdefault((op, check), text.strip()[:3000])
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--seeds", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", help="run one spec: layer5, meshery or identity")
    args = ap.parse_args()
    with open(args.seeds) as f:
        seeds = json.load(f)
    args.out = os.path.abspath(args.out)
    os.makedirs(args.out, exist_ok=True)
    verify_sums()
    check_pin()
    served = served_operations(args.base)
    exceptions = read_exceptions()

    unexpected, accepted, tested = {}, set(), 0
    for name, file in SPECS:
        if args.only and args.only != name:
            continue
        ops = [f"{m} {p}" for m, p in spec_operations(os.path.join(HERE, file)) if (m, norm(p)) in served]
        tested += len(ops)
        config = write_config(args.out, args.token, seeds, name)
        junit = os.path.join(args.out, f"{name}.junit.xml")
        cmd = [sys.executable, "-m", "schemathesis.cli", "--config-file", config, "--no-color", "run", os.path.join(HERE, file),
               "--url", args.base, "--checks", CHECKS, "--phases", "examples,coverage,fuzzing",
               "--report", "junit", "--report-junit-path", junit, "--suppress-health-check", "all",
               "--output-truncate", "true"]
        for op in ops:
            cmd += ["--include-name", op]
        print(f"== {name}: {len(ops)} operations meshcloud serves", flush=True)
        if os.path.exists(junit):
            os.remove(junit)
        # In the report dir, where schemathesis also keeps its cache.
        with open(os.path.join(args.out, f"{name}.log"), "w") as log:
            rc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=args.out).returncode
        if not os.path.exists(junit):
            sys.exit(f"schemathesis wrote no report for {name} (exit {rc}); see {args.out}/{name}.log")
        if not token_alive(args.base, args.token):
            sys.exit(f"the run's own token stopped working during the {name} run; see {args.out}/{name}.log")
        for (op, check), msg in failures_from_junit(junit).items():
            if (op, check) in exceptions:
                accepted.add((op, check))
            else:
                unexpected[(op, check)] = msg

    for key in sorted(exceptions):
        if key not in accepted and not args.only:
            print(f"note: listed but not seen in this run: {key[0]} | {key[1]}")
    for (op, check), msg in sorted(unexpected.items()):
        print(f"\n--- FAILED {op} | {check}\n{msg}")
    print(f"\n{tested} operations, {len(accepted)} listed failures accepted, {len(unexpected)} unexpected")
    summary = {"tested": tested, "accepted": sorted(map(list, accepted)), "unexpected": sorted(map(list, unexpected))}
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    sys.exit(1 if unexpected else 0)


if __name__ == "__main__":
    main()
