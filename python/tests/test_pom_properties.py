"""scripts/lib/pom_properties.py, the scripts' way to the versions in a pom, and common.sh's use of it."""
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ROOT / "scripts" / "lib" / "pom_properties.py"
COMMON = ROOT / "scripts" / "lib" / "common.sh"

POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
    <!-- <hazelcast.version>4.0</hazelcast.version>: a comment is not a property -->
    <properties>
        <hazelcast.version>5.6.0</hazelcast.version>
        <picocli.version>
            4.7.7
        </picocli.version>
        <derived.version>${hazelcast.version}</derived.version>
        <empty.version></empty.version>
    </properties>
    <dependencies><dependency><version>9.9.9</version></dependency></dependencies>
</project>
"""


def run(*args):
    return subprocess.run([sys.executable, str(PROGRAM), *map(str, args)], capture_output=True, text=True)


def test_should_print_each_value_asked_for_in_order(tmp_path):
    pom = tmp_path / "pom.xml"
    pom.write_text(POM)

    done = run(pom, "picocli.version", "hazelcast.version")

    assert (done.returncode, done.stdout) == (0, "4.7.7\n5.6.0\n")


def test_should_refuse_a_missing_empty_or_derived_property(tmp_path):
    pom = tmp_path / "pom.xml"
    pom.write_text(POM)

    for name, problem in [("kafka.version", "not found"), ("empty.version", "not found"),
                          ("derived.version", "is an expression (${hazelcast.version})")]:
        done = run(pom, "hazelcast.version", name)
        assert done.returncode == 1 and done.stdout == "", name
        assert f"property <{name}>" in done.stderr and problem in done.stderr


def test_should_say_which_file_it_cannot_read(tmp_path):
    done = run(tmp_path / "nowhere.xml", "hazelcast.version")

    assert done.returncode == 1 and "cannot read " + str(tmp_path / "nowhere.xml") in done.stderr


def test_should_give_the_scripts_the_root_poms_versions():
    properties = ET.parse(ROOT / "pom.xml").getroot().find("{http://maven.apache.org/POM/4.0.0}properties")
    expected = [properties.findtext("{http://maven.apache.org/POM/4.0.0}" + name).strip()
                for name in ("hazelcast.version", "picocli.version")]

    done = subprocess.run(["bash", "-c", f'source "{COMMON}" && pom_properties "$ROOT_DIR/pom.xml" '
                                         'hazelcast.version picocli.version'],
                          capture_output=True, text=True)

    assert (done.returncode, done.stdout.split()) == (0, expected)
