"""docker-compose.yml, checked without starting it: the Compose Specification's schema, the
services and published ports that docs/DEPLOY.md documents, pinned images, and paths that
exist. The expected services and ports are read from the table in docs/DEPLOY.md, so the
documentation is the one place they are written."""
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
SCHEMA_FILE = ROOT / "scripts" / "docker" / "compose-spec.json"
DEPLOY_DOC = ROOT / "docs" / "DEPLOY.md"
MEMBER_CONFIG = ROOT / "scripts" / "docker" / "hazelcast.yaml"

# Mounted, but produced by the build rather than committed (docs/DEPLOY.md says how):
# the job JAR by `mvn package`, the data set by python/generate_data.py.
BUILD_OUTPUTS = {"deploy-jobs/target", "scripts/tools/target", "python/data"}

CLUSTER_NAME = "fraud-detection"


@pytest.fixture(scope="module")
def compose():
    # PyYAML resolves the `<<: *anchor` merges as Compose does.
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def documented_services():
    """The rows of the services table in docs/DEPLOY.md: name -> (image, published host ports)."""
    rows = {}
    in_table = False
    for line in DEPLOY_DOC.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else None
        if cells and [c.lower() for c in cells[:3]] == ["service", "image", "published port"]:
            in_table = True
            continue
        if not in_table:
            continue
        if cells is None:
            break
        if set(cells[0]) <= set("-: "):
            continue
        name, image, ports = (c.strip("`") for c in cells[:3])
        host_ports = sorted(int(p) for p in re.findall(r"\d+", ports))
        rows[name] = (image, host_ports)
    assert rows, f"no table with columns 'service | image | published port' in {DEPLOY_DOC}"
    return rows


def host_ports(service):
    ports = []
    for port in service.get("ports", []):
        if isinstance(port, dict):
            ports.append(int(port["published"]))
        else:
            # "HOST:CONTAINER" or "IP:HOST:CONTAINER"; a bare "CONTAINER" publishes nothing fixed.
            parts = str(port).split("/")[0].split(":")
            assert len(parts) >= 2, f"port {port!r} has no fixed host port"
            ports.append(int(parts[-2]))
    return sorted(ports)


def bind_mount_sources(service):
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            if volume.get("type") == "bind":
                yield volume["source"]
        elif str(volume).startswith((".", "/")):
            yield str(volume).split(":")[0]


def is_build_output(relative):
    return any(relative == out or relative.startswith(out + "/") for out in BUILD_OUTPUTS)


def dockerfiles(services):
    seen = set()
    for service in services.values():
        build = service.get("build")
        if build:
            context = ROOT / build.get("context", ".")
            dockerfile = context / build.get("dockerfile", "Dockerfile")
            if dockerfile not in seen:
                seen.add(dockerfile)
                yield context, dockerfile


def instructions(dockerfile, keyword):
    """The arguments of every `keyword` instruction, with continuation lines joined."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    return [line.split(None, 1)[1] for line in text.splitlines()
            if line.strip() and line.split(None, 1)[0].upper() == keyword]


def test_compose_file_follows_the_compose_specification(compose):
    schema = json.loads(SCHEMA_FILE.read_text())
    # The schema declares draft-07 by a URI jsonschema does not recognise; name the draft here.
    jsonschema.Draft7Validator.check_schema(schema)

    jsonschema.Draft7Validator(schema).validate(compose)


def test_services_are_the_documented_ones(services):
    assert sorted(services) == sorted(documented_services())


@pytest.mark.parametrize("name", sorted(documented_services()))
def test_each_service_runs_the_documented_image_and_publishes_the_documented_ports(services, name):
    image, ports = documented_services()[name]

    assert services[name]["image"] == image
    assert host_ports(services[name]) == ports


def test_every_image_is_pinned_to_a_version(services):
    for name, service in services.items():
        image = service["image"]
        assert "@sha256:" in image or re.fullmatch(r"[^:]+(:\d[\w.-]*)", image.rsplit("/", 1)[-1]) is not None, \
            f"{name}: image {image!r} is not pinned to a version"
        assert not image.endswith(":latest"), f"{name}: {image!r}"


def test_images_built_here_are_never_pulled(services):
    built = {s["image"] for s in services.values() if "build" in s}
    for name, service in services.items():
        if service["image"] in built and "build" not in service:
            assert service.get("pull_policy") == "never", \
                f"{name} uses the locally built {service['image']} and must not try to pull it"


def test_dockerfile_base_images_are_pinned(services):
    found = list(dockerfiles(services))
    assert found, "no service builds an image"
    for _, dockerfile in found:
        for base in instructions(dockerfile, "FROM"):
            image = base.split()[0]
            assert re.fullmatch(r"[\w./-]+:\d[\w.-]*|[\w./-]+@sha256:[0-9a-f]{64}", image), \
                f"{dockerfile.relative_to(ROOT)}: FROM {image} is not pinned to a version"


def test_every_mounted_path_exists_or_is_a_documented_build_output(services):
    for name, service in services.items():
        for source in bind_mount_sources(service):
            relative = Path(source).as_posix().removeprefix("./")
            assert not Path(source).is_absolute(), f"{name}: mounts an absolute host path {source}"
            assert is_build_output(relative) or (ROOT / relative).exists(), \
                f"{name}: mounts {source}, which neither exists nor is a documented build output"


def test_every_build_context_and_copied_file_exists_and_reaches_the_build(services):
    for context, dockerfile in dockerfiles(services):
        assert context.is_dir() and dockerfile.is_file()
        ignore = Path(str(dockerfile) + ".dockerignore")
        allowed = {line[1:] for line in ignore.read_text().splitlines() if line.startswith("!")} \
            if ignore.exists() else None
        for copy in instructions(dockerfile, "COPY"):
            *sources, _ = [arg for arg in copy.split() if not arg.startswith("--")]
            for source in sources:
                assert (context / source).exists(), f"{dockerfile.relative_to(ROOT)}: COPY {source}: no such file"
                if allowed is not None:
                    assert source in allowed, f"{ignore.relative_to(ROOT)} keeps {source} out of the build"


def test_every_dependency_waits_on_a_condition_the_other_service_can_meet(services):
    for name, service in services.items():
        depends_on = service.get("depends_on", {})
        assert isinstance(depends_on, dict), f"{name}: depends_on without conditions"
        for other, spec in depends_on.items():
            condition = spec["condition"]
            if condition == "service_healthy":
                assert "healthcheck" in services[other], f"{name} waits for {other} to be healthy, it has no healthcheck"
            elif condition == "service_completed_successfully":
                assert services[other].get("restart") == "no", f"{name} waits for one-shot {other}, which restarts"
            else:
                pytest.fail(f"{name}: depends on {other} being merely started")


def test_members_management_center_and_clients_agree_on_the_cluster(services):
    members = sorted(n for n in services if re.fullmatch(r"hz-\d+", n))
    addresses = [f"{m}:5701" for m in members]
    config = yaml.safe_load(MEMBER_CONFIG.read_text())["hazelcast"]
    environment = services["management-center"]["environment"]

    assert len(members) == 3
    assert config["cluster-name"] == CLUSTER_NAME
    assert config["network"]["join"]["tcp-ip"]["member-list"] == addresses
    assert environment["MC_DEFAULT_CLUSTER"] == CLUSTER_NAME
    assert environment["MC_DEFAULT_CLUSTER_MEMBERS"].split(",") == addresses
    assert services["load-reference-data"]["environment"]["HZ_ADDRESSES"].split(",") == addresses
    assert f"{CLUSTER_NAME}@{','.join(addresses)}" in services["submit-job"]["command"]
    for member in members:
        # Healthy means the member sees all of them.
        assert f'= {len(members)} ]' in services[member]["healthcheck"]["test"][1]


def test_the_topic_is_created_with_a_partition_for_every_source_processor(services):
    command = services["kafka-init"]["command"]

    assert command[command.index("--topic") + 1] == "transactions"
    assert int(command[command.index("--partitions") + 1]) >= 12


def strings_in(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(key)
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)
    elif isinstance(value, str):
        yield value


def test_no_value_uses_compose_interpolation_by_accident(compose):
    # Nothing here is meant to be substituted: every $ must be the escaped $$.
    unescaped = [s for s in strings_in(compose) if "$" in s.replace("$$", "")]

    assert unescaped == []
