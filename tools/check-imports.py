#!/usr/bin/env python3
"""Package.swift states exactly the real imports: for every target, the modules its Swift files
import (system modules aside) must equal the dependencies Package.swift declares. Prints every
difference and exits 1 when there is one. Usage: tools/check-imports.py (from the repository root)."""
import json, pathlib, re, subprocess, sys

SYSTEM = {"Foundation", "FoundationXML", "Dispatch", "Glibc", "Darwin", "Testing", "XCTest", "PackageDescription"}
package = json.loads(subprocess.run(["swift", "package", "dump-package"], capture_output=True, text=True, check=True).stdout)
failures = 0
for target in package["targets"]:
    name, kind = target["name"], target["type"]
    if kind == "system":
        continue
    default = {"test": "Tests", "executable": "Sources", "regular": "Sources"}.get(kind, "Sources")
    path = pathlib.Path(target.get("path") or f"{default}/{name}")
    imports = set()
    for f in path.rglob("*.swift"):
        imports |= set(re.findall(r"^(?:@testable\s+)?import\s+(\w+)", f.read_text(), re.M))
    if not list(path.rglob("*.swift")):
        continue  # a C target: its headers say what it includes
    declared = set()
    for dep in target["dependencies"]:
        for key in ("byName", "target", "product"):
            if key in dep:
                declared.add(dep[key][0])
    imports -= SYSTEM
    if imports != declared:
        failures += 1
        print(f"{name}: imports but does not declare {sorted(imports - declared)}; declares but does not import {sorted(declared - imports)}")
print(f"check-imports: {len(package['targets'])} targets, {failures} differ from their imports")
sys.exit(1 if failures else 0)
