#!/usr/bin/env python3
"""Extract the bits of GitHub's OpenAPI description that the faithfulness tests need.

Input: `generated/api.github.com.json` from the npm package `@octokit/openapi`
(`npm pack @octokit/openapi && tar xzf octokit-openapi-*.tgz`).

Output, next to this script:
- `pulls-list.schema.json`: the 200 response schema of `GET /repos/{owner}/{repo}/pulls`
  (an array of `pull-request-simple`) as one self-contained JSON Schema (draft 2020-12):
  every `#/components/schemas/X` it reaches is copied into `$defs`, OpenAPI 3.0's
  `nullable: true` becomes JSON Schema's `"null"` type, and examples, descriptions and
  `x-*` vendor keys are dropped to keep it small.
- `pull-request-simple-items.json`: `components.examples.pull-request-simple-items.value`,
  GitHub's own example response of that endpoint.

Usage: python3 extract_openapi.py path/to/api.github.com.json [package-version]
Standard library only.
"""

import json
import os
import sys

DROPPED_KEYS = {"example", "examples", "description", "deprecated", "readOnly", "title"}


def convert(node, schemas, needed):
    """Copy one OpenAPI schema node as JSON Schema, recording the components it references."""
    if isinstance(node, list):
        return [convert(item, schemas, needed) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in DROPPED_KEYS or key.startswith("x-") or key == "nullable":
            continue
        if key == "$ref":
            name = value.rsplit("/", 1)[-1]
            needed.add(name)
            out["$ref"] = "#/$defs/" + name
        elif key == "properties":
            # Property names are data, not keywords: never drop one called "description".
            out[key] = {name: convert(sub, schemas, needed) for name, sub in value.items()}
        else:
            out[key] = convert(value, schemas, needed)
    if node.get("nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = out["enum"] + [None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def main():
    source = sys.argv[1]
    version = sys.argv[2] if len(sys.argv) > 2 else "unknown"
    with open(source, encoding="utf-8") as f:
        api = json.load(f)
    schemas = api["components"]["schemas"]
    operation = api["paths"]["/repos/{owner}/{repo}/pulls"]["get"]
    response = operation["responses"]["200"]["content"]["application/json"]["schema"]

    needed = set()
    root = convert(response, schemas, needed)
    defs = {}
    while needed - defs.keys():
        for name in sorted(needed - defs.keys()):
            defs[name] = convert(schemas[name], schemas, needed)

    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": (
            "200 response of GET /repos/{owner}/{repo}/pulls, extracted from @octokit/openapi "
            + version
            + " generated/api.github.com.json by extract_openapi.py"
        ),
        **root,
        "$defs": dict(sorted(defs.items())),
    }
    example = api["components"]["examples"]["pull-request-simple-items"]["value"]

    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "pulls-list.schema.json"), "w", encoding="utf-8") as f:
        json.dump(schema, f, indent=1, ensure_ascii=False)
        f.write("\n")
    with open(os.path.join(here, "pull-request-simple-items.json"), "w", encoding="utf-8") as f:
        json.dump(example, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
