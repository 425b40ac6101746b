#!/usr/bin/env python3
"""Package.swift states exactly the real imports: for every target, the modules its Swift files
import (system modules aside) must equal the dependencies Package.swift declares. Prints every
difference and exits 1 when there is one. Usage: tools/check-imports.py (from the repository root);
tools/check-imports.py --self-test checks the import parser on every import form.

Every form of an import declaration is read: attributes (`@testable`, `@_implementationOnly`,
`@_exported`, `@preconcurrency`, `@_spi(Name)`), access levels (`public import`, `package import`,
`internal`, `fileprivate`, `private`), kinds (`import struct M.T`, `func`, `class`, `enum`,
`protocol`, `typealias`, `let`, `var`), submodules (`import M.Sub` is M), indentation, several
declarations on one line (`import A; import B`), and imports inside `#if` blocks. Comments and string
literals (including multi-line and raw strings) are removed first, so text that only looks like an
import does not count."""
import json, pathlib, re, subprocess, sys

SYSTEM = {"Foundation", "FoundationXML", "Dispatch", "Synchronization", "Glibc", "Darwin", "Testing", "XCTest", "PackageDescription"}

IMPORT = re.compile(
    r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*"                                  # attributes
    r"(?:(?:public|package|internal|fileprivate|private|open)\s+)?"      # access level
    r"import\s+(?:(?:typealias|struct|class|enum|protocol|let|var|func)\s+)?"
    r"([A-Za-z_]\w*)")


def strip_comments_and_strings(text):
    """The source with comments (nested block comments too) and string literals blanked out."""
    out, i, n, depth = [], 0, len(text), 0
    while i < n:
        if depth:
            if text.startswith("/*", i):
                depth += 1; i += 2
            elif text.startswith("*/", i):
                depth -= 1; i += 2
            else:
                if text[i] == "\n":
                    out.append("\n")
                i += 1
            continue
        if text.startswith("/*", i):
            depth = 1; i += 2; continue
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        m = re.match(r'(#*)("""|")', text[i:])
        if m:
            hashes, quote = m.group(1), m.group(2)
            close = quote + hashes
            j = i + len(m.group(0))
            while j < n:
                if text[j] == "\\" and not hashes:
                    j += 2; continue
                if text.startswith(close, j):
                    j += len(close); break
                if quote == '"' and text[j] == "\n":
                    break
                j += 1
            out.append("\n" * text.count("\n", i, j) + '""')
            i = j
            continue
        out.append(text[i]); i += 1
    return "".join(out)


def imports_of(text):
    """The modules a Swift source imports."""
    found = set()
    for line in strip_comments_and_strings(text).splitlines():
        for statement in line.split(";"):
            m = IMPORT.match(statement)
            if m:
                found.add(m.group(1))
    return found


def self_test():
    cases = {
        "import A": {"A"},
        "  import B": {"B"},
        "@testable import C": {"C"},
        "@_implementationOnly import D": {"D"},
        "@_exported import E": {"E"},
        "@preconcurrency import F": {"F"},
        "@_spi(Internal) import G": {"G"},
        "public import H": {"H"},
        "package import I": {"I"},
        "internal import J": {"J"},
        "@testable public import K": {"K"},
        "import struct L.Type1": {"L"},
        "import func M.f": {"M"},
        "import N.Sub": {"N"},
        "import O; import P": {"O", "P"},
        "#if canImport(Q)\nimport Q\n#endif": {"Q"},
        "// import R": set(),
        "/* import S */": set(),
        "/* outer /* import T */ still comment */ import U": {"U"},
        'let s = "import V"': set(),
        'let s = """\nimport W\n"""': set(),
        'let s = #"import X"#': set(),
        "let important = 1\nimporter()": set(),
    }
    bad = 0
    for source, want in cases.items():
        got = imports_of(source)
        if got != want:
            bad += 1
            print("self-test: %r parsed as %s, expected %s" % (source, sorted(got), sorted(want)))
    print("check-imports self-test: %d passed, %d failed" % (len(cases) - bad, bad))
    return bad == 0


def main():
    if not self_test():
        sys.exit(1)
    if sys.argv[1:] == ["--self-test"]:
        return
    package = json.loads(subprocess.run(["swift", "package", "dump-package"], capture_output=True, text=True, check=True).stdout)
    failures = 0
    for target in package["targets"]:
        name, kind = target["name"], target["type"]
        if kind == "system":
            continue
        default = {"test": "Tests", "executable": "Sources", "regular": "Sources"}.get(kind, "Sources")
        path = pathlib.Path(target.get("path") or f"{default}/{name}")
        files = list(path.rglob("*.swift"))
        if not files:
            continue  # a C target: its headers say what it includes
        imports = set()
        for f in files:
            imports |= imports_of(f.read_text())
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


if __name__ == "__main__":
    main()
