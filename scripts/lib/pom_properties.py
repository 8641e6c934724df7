"""Properties of a Maven pom, read with an XML parser, for the scripts: one value a line, in the
order asked. Run by scripts/lib/common.sh (root_pom_properties) where versions are needed outside
Maven, and in the member image's build stage, so it needs nothing but python3's standard library.

  pom_properties.py POM NAME...       e.g. pom.xml hazelcast.version picocli.version

Only a literal value is read: a property that is missing, empty or an expression (${...}) is an
error (exit 1) naming it, so that a script never passes Maven a version it did not mean.
"""
from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

NAMESPACE = {"pom": "http://maven.apache.org/POM/4.0.0"}


class PomError(Exception):
    pass


def properties(pom: Path, names: list[str]) -> list[str]:
    try:
        project = ET.parse(pom).getroot()
    except (OSError, ET.ParseError) as e:
        raise PomError(f"cannot read {pom}: {e}") from e
    declared = project.find("pom:properties", NAMESPACE)
    values = []
    for name in names:
        element = None if declared is None else declared.find(f"pom:{name}", NAMESPACE)
        value = None if element is None or element.text is None else element.text.strip()
        if not value:
            raise PomError(f"property <{name}> not found in {pom}")
        if "${" in value:
            raise PomError(f"property <{name}> of {pom} is an expression ({value}), not a literal value")
        values.append(value)
    return values


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] in ("-h", "--help"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        print("\n".join(properties(Path(argv[0]), argv[1:])))
    except PomError as e:
        print(f"pom_properties.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
