"""docker-compose.yml, checked without starting it: the Compose Specification's schema, the services
and published ports that docs/DEPLOY.md documents, pinned images, what docker-compose 1.29 accepts,
and that the members get the settings of scripts/hazelcast.yaml. The expected services and ports
are read from the table in docs/DEPLOY.md, so the documentation is the one place they are written.

scripts/compose-test.sh runs the file for real, in a Docker engine; these tests are the quick check
that runs everywhere."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_FILE = ROOT / ".env"
SCHEMA_FILE = ROOT / "scripts" / "docker" / "compose-spec.json"
DEPLOY_DOC = ROOT / "docs" / "DEPLOY.md"
MEMBER_CONFIG = ROOT / "scripts" / "hazelcast.yaml"
MEMBER_CONFIG_SCRIPT = ROOT / "scripts" / "docker" / "member-config.py"
DOCKERIGNORE = ROOT / ".dockerignore"

CLUSTER_NAME = "fraud-detection"
# ${NAME:-default}: the only interpolation the file may use, for the variables its header documents.
VARIABLE = re.compile(r"\$\{([A-Z_]+):-([^}]+)\}")


@pytest.fixture(scope="module")
def compose():
    # PyYAML resolves the `<<: *anchor` merges as Compose does.
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def default_of(value):
    """A value with each ${NAME:-default} replaced by its default: what runs without variables set."""
    return VARIABLE.sub(lambda m: m.group(2), value)


def documented_variables():
    """The variables the header comment of docker-compose.yml lists, with their defaults."""
    header = []
    for line in COMPOSE_FILE.read_text().splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    return dict(re.findall(r"^#\s+([A-Z][A-Z_]+)\s+(\S+)", "\n".join(header), re.MULTILINE))


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


def volumes_of(service):
    """(source, target) of each volume entry in short syntax."""
    for volume in service.get("volumes", []):
        source, target = str(volume).split(":")[:2]
        yield source, target


def dockerfiles(services):
    seen = set()
    for service in services.values():
        build = service.get("build")
        if build:
            context = ROOT / build.get("context", ".")
            dockerfile = context / build.get("dockerfile", "Dockerfile")
            if dockerfile not in seen:
                seen.add(dockerfile)
                yield context, dockerfile, build.get("args", {})


def instructions(dockerfile, keyword):
    """The arguments of every `keyword` instruction, with continuation lines joined."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    return [line.split(None, 1)[1] for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#") and line.split(None, 1)[0].upper() == keyword]


def arg_defaults(dockerfile):
    return dict(arg.split("=", 1) for arg in instructions(dockerfile, "ARG") if "=" in arg)


def member_environment(services):
    return services["hz-1"]["environment"]


def test_compose_file_follows_the_compose_specification(compose):
    schema = json.loads(SCHEMA_FILE.read_text())
    # The schema declares draft-07 by a URI jsonschema does not recognise; name the draft here.
    jsonschema.Draft7Validator.check_schema(schema)

    jsonschema.Draft7Validator(schema).validate(compose)


def test_docker_compose_1_29_accepts_the_file_and_the_project_name_comes_from_dot_env(compose):
    # 1.29 (Debian's) rejects a top-level `name:`; COMPOSE_PROJECT_NAME in .env works in v1 and v2.
    assert "name" not in compose
    assert "version" not in compose
    assert re.search(rf"^COMPOSE_PROJECT_NAME={CLUSTER_NAME}$", ENV_FILE.read_text(), re.MULTILINE)


def test_services_are_the_documented_ones(services):
    assert sorted(services) == sorted(documented_services())


@pytest.mark.parametrize("name", sorted(documented_services()))
def test_each_service_runs_the_documented_image_and_publishes_the_documented_ports(services, name):
    image, ports = documented_services()[name]

    assert default_of(services[name]["image"]) == image
    assert host_ports(services[name]) == ports


def test_every_image_is_pinned_to_a_version(services):
    for name, service in services.items():
        image = default_of(service["image"])
        assert "@sha256:" in image or re.fullmatch(r"[^:]+(:\d[\w.-]*)", image.rsplit("/", 1)[-1]) is not None, \
            f"{name}: image {image!r} is not pinned to a version"
        assert not image.endswith(":latest"), f"{name}: {image!r}"


def test_the_only_interpolation_is_of_the_documented_image_variables(compose, services):
    used = {}
    for value in strings_in(compose):
        for name, default in VARIABLE.findall(value):
            used[name] = default
        # Anything else with a $ must be the escaped $$ (a literal $ for the container's shell).
        assert "$" not in VARIABLE.sub("", value).replace("$$", ""), f"unescaped $ in {value!r}"

    assert used == documented_variables()
    build_args = {value for s in services.values() for value in s.get("build", {}).get("args", {}).values()}
    image_variables = {VARIABLE.search(s["image"]).group(1) for s in services.values() if VARIABLE.search(s["image"])}
    assert image_variables | {VARIABLE.search(v).group(1) for v in build_args} == set(used)


def test_each_image_of_the_project_is_built_by_one_service_and_never_pulled(services):
    builders = {}
    for name, service in services.items():
        if "build" in service:
            builders.setdefault(service["image"], []).append(name)

    assert sorted(builders) == ["fraud-detection-member:5.6.0", "fraud-detection-page:5.6.0"]
    for image, names in builders.items():
        # Compose v2 would build an image once per service that declares its build.
        assert len(names) == 1, f"one service builds {image}: {names}"
        assert services[names[0]]["pull_policy"] == "build"
    for name, service in services.items():
        if service["image"] in builders and "build" not in service:
            builder = builders[service["image"]][0]
            assert service.get("pull_policy") == "never", \
                f"{name} uses the locally built {service['image']} and must not try to pull it"
            # docker-compose 1.29 ignores pull_policy and pulls a missing image: the builder must
            # come first, which a dependency on it (direct or not) guarantees.
            assert builder in dependencies_of(services, name), f"{name} may start before {builder} built its image"


def test_the_page_image_is_the_member_image_plus_the_page(services):
    dockerfile = ROOT / services["dashboard"]["build"]["dockerfile"]
    stages = [base.split() for base in instructions(dockerfile, "FROM")]

    assert services["generate-data"]["build"]["target"] == "member"
    assert services["dashboard"]["build"]["target"] == "page"
    assert ["member", "AS", "page"] in stages
    assert services["dashboard"]["build"]["args"] == services["generate-data"]["build"]["args"]
    # The page is served once there is a job to show, and answers its health check on its port.
    assert services["dashboard"]["depends_on"]["submit-job"]["condition"] == "service_healthy"
    assert "8501/_stcore/health" in " ".join(services["dashboard"]["healthcheck"]["test"])


def dependencies_of(services, name):
    found = set()
    todo = list(services[name].get("depends_on", {}))
    while todo:
        other = todo.pop()
        if other not in found:
            found.add(other)
            todo.extend(services[other].get("depends_on", {}))
    return found


def test_dockerfile_base_images_are_pinned(services):
    found = list(dockerfiles(services))
    assert found, "no service builds an image"
    for _, dockerfile, args in found:
        defaults = arg_defaults(dockerfile)
        stages = set()
        for base in instructions(dockerfile, "FROM"):
            words = base.split()
            image = re.sub(r"\$\{(\w+)\}", lambda m: defaults[m.group(1)], words[0])
            if image not in stages:
                assert re.fullmatch(r"[\w./-]+:\d[\w.-]*|[\w./-]+:[a-z]+-slim|[\w./-]+@sha256:[0-9a-f]{64}", image), \
                    f"{dockerfile.relative_to(ROOT)}: FROM {image} is not pinned"
            if len(words) == 3 and words[1].upper() == "AS":
                stages.add(words[2])
        for name, value in args.items():
            assert default_of(value) == defaults[name], \
                f"the compose file's default {name} differs from the Dockerfile's"


def dockerignore_allows(path):
    allowed = [line[1:].rstrip("/") for line in DOCKERIGNORE.read_text().splitlines() if line.startswith("!")]
    path = path.rstrip("/")
    return any(path == a or path.startswith(a + "/") for a in allowed)


def test_every_build_context_and_copied_file_exists_and_reaches_the_build(services):
    for context, dockerfile, _ in dockerfiles(services):
        assert context == ROOT, "the root .dockerignore applies to builds from the repository root only"
        assert context.is_dir() and dockerfile.is_file()
        for copy in instructions(dockerfile, "COPY"):
            if "--from=" in copy:
                continue
            *sources, _ = [arg for arg in copy.split() if not arg.startswith("--")]
            for source in sources:
                assert (context / source).exists(), f"{dockerfile.relative_to(ROOT)}: COPY {source}: no such file"
                assert dockerignore_allows(source), f".dockerignore keeps {source} out of the build"


def test_the_checks_that_drive_a_stack_from_the_host_stay_out_of_every_image():
    checks = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "python" / "checks").glob("*.py"))

    assert "python/checks/check_page.py" in checks
    assert [c for c in checks if dockerignore_allows(c)] == []


def test_the_member_image_takes_the_whole_member_classpath_and_the_local_clusters_settings():
    copies = instructions(ROOT / "scripts" / "docker" / "Dockerfile", "COPY")

    # Whatever lands in scripts/member-classpath/ (the init script, a fixed gRPC server) is in the image.
    assert any(c.split()[0] == "scripts/member-classpath/" for c in copies)
    assert any("scripts/hazelcast.yaml" in c.split()[:-1] for c in copies)
    hz_start = (ROOT / "scripts" / "docker" / "hz-start").read_text()
    assert '-cp "/opt/fraud/scripts/member-classpath:/opt/hazelcast/lib/*"' in hz_start
    assert "member-config.py /opt/fraud/scripts/hazelcast.yaml" in hz_start


def test_no_volume_mounts_a_host_path(services):
    # Everything the stack needs is in its images or its named volumes: `up` works on a fresh clone.
    for name, service in services.items():
        for source, _ in volumes_of(service):
            assert not source.startswith((".", "/", "~")), f"{name} mounts the host path {source}"


def test_the_brokers_data_is_on_its_volume(compose, services):
    kafka = services["kafka"]
    log_dirs = kafka["environment"]["KAFKA_LOG_DIRS"]

    assert (("kafka-data", log_dirs) in set(volumes_of(kafka)))
    assert "kafka-data" in compose["volumes"]


def test_the_demo_data_is_generated_into_a_volume_the_loaders_read(services):
    assert ("demo-data", "/data") in set(volumes_of(services["generate-data"]))
    for loader in ("load-reference-data", "produce-transactions"):
        assert ("demo-data", "/data") in set(volumes_of(services[loader]))
        assert services[loader]["environment"]["DATA_DIR"] == "/data"
        assert "generate-data" in dependencies_of(services, loader)


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
    for member in members:
        assert services[member]["hostname"] == member
        assert member_environment(services)["HZ_MEMBER_LIST"].split(",") == addresses
        # Healthy means the member sees all of them.
        assert f'= {len(members)} ]' in services[member]["healthcheck"]["test"][1]
    assert environment["MC_DEFAULT_CLUSTER"] == CLUSTER_NAME
    assert environment["MC_DEFAULT_CLUSTER_MEMBERS"].split(",") == addresses
    for client in ("load-reference-data", "submit-job"):
        assert services[client]["environment"]["HZ_ADDRESSES"].split(",") == addresses
        assert services[client]["environment"]["HZ_CLUSTER_NAME"] == CLUSTER_NAME
    command = services["submit-job"]["command"]
    assert command[command.index("--members") + 1] == str(len(members))


def test_management_center_is_the_recommended_version_configured_with_hz_mc_conf(services):
    mc = services["management-center"]
    init = mc["environment"]["MC_INIT_CMD"]

    # Hazelcast recommends Management Center 5.9 for Platform 5.6.
    assert re.fullmatch(r"hazelcast/management-center:5\.9\.\d+", default_of(mc["image"]))
    assert "mc-conf.sh" not in init, "mc-conf.sh is the old name of hz-mc conf"
    assert "./bin/hz-mc conf dev-mode configure" in init


def test_the_member_configuration_is_the_local_clusters_with_only_the_addresses_changed(tmp_path, services):
    output = tmp_path / "hazelcast.yaml"
    database = member_environment(services)["REFERENCE_DB_URL"]
    env = dict(os.environ, HZ_MEMBER_LIST="hz-1:5701,hz-2:5701,hz-3:5701", REFERENCE_DB_URL=database)

    subprocess.run([sys.executable, str(MEMBER_CONFIG_SCRIPT), str(MEMBER_CONFIG), str(output)], env=env, check=True)

    local = yaml.safe_load(MEMBER_CONFIG.read_text())["hazelcast"]
    container = yaml.safe_load(output.read_text())["hazelcast"]
    assert container["network"]["interfaces"] == {"enabled": False}
    assert container["network"]["join"]["tcp-ip"] == {**local["network"]["join"]["tcp-ip"],
                                                      "member-list": ["hz-1:5701", "hz-2:5701", "hz-3:5701"]}
    assert container["data-connection"]["reference-data"]["properties"]["jdbcUrl"] == database
    for config in (local, container):
        config["network"].pop("interfaces")
        config["network"]["join"]["tcp-ip"].pop("member-list")
        config["data-connection"]["reference-data"]["properties"].pop("jdbcUrl")
    assert container == local


def test_the_member_configuration_without_a_database_keeps_the_reference_maps_whole(tmp_path):
    output = tmp_path / "hazelcast.yaml"
    env = dict(os.environ, HZ_MEMBER_LIST="10.0.0.1:5701", REFERENCE_DB_URL="none")

    subprocess.run([sys.executable, str(MEMBER_CONFIG_SCRIPT), str(MEMBER_CONFIG), str(output)], env=env, check=True)

    local = yaml.safe_load(MEMBER_CONFIG.read_text())["hazelcast"]
    container = yaml.safe_load(output.read_text())["hazelcast"]
    assert "reference-data" in local["data-connection"]
    assert "reference-data" not in container.get("data-connection", {})
    for name in ("customers", "merchants"):
        assert "time-to-live-seconds" in local["map"][name], f"{name} expires in the file: the case this undoes"
        assert "time-to-live-seconds" not in container["map"][name]
        assert "eviction" not in container["map"][name]
        assert "time-to-live-seconds" not in container["map"][name]["near-cache"]
        assert container["map"][name]["split-brain-protection-ref"] == local["map"][name]["split-brain-protection-ref"]


def test_the_member_configuration_refuses_an_empty_member_list(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "HZ_MEMBER_LIST"}

    result = subprocess.run([sys.executable, str(MEMBER_CONFIG_SCRIPT), str(MEMBER_CONFIG), str(tmp_path / "out.yaml")],
                            env=env, capture_output=True, text=True)

    assert result.returncode != 0
    assert "HZ_MEMBER_LIST is empty" in result.stderr


def test_the_members_and_the_loader_use_the_reference_database_of_the_postgres_service(compose, services):
    postgres = services["postgres"]
    url = f"jdbc:postgresql://postgres:5432/{postgres['environment']['POSTGRES_DB']}"

    assert member_environment(services)["REFERENCE_DB_URL"] == url
    assert services["load-reference-data"]["environment"]["REFERENCE_DB_URL"] == url
    assert services["load-reference-data"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    # The account of scripts/hazelcast.yaml's data connection, which the members keep.
    properties = yaml.safe_load(MEMBER_CONFIG.read_text())["hazelcast"]["data-connection"]["reference-data"]["properties"]
    assert (postgres["environment"]["POSTGRES_USER"], postgres["environment"]["POSTGRES_PASSWORD"]) == \
        (properties["user"], properties["password"])
    # Its tables outlive a re-created container, as the topic does.
    assert ("postgres-data", "/var/lib/postgresql/data") in set(volumes_of(postgres))
    assert "postgres-data" in compose["volumes"]


def test_the_job_is_kept_submitted_by_a_service_that_outlives_a_restart_of_the_cluster(services):
    keeper = services["submit-job"]

    # Restarted with the host; healthy once it has submitted the job, which is when the data may flow.
    assert keeper["restart"] == "unless-stopped"
    assert keeper["healthcheck"]["test"] == ["CMD", "test", "-f", "/tmp/job-submitted"]
    assert keeper["command"][0] == "keep-job-submitted"
    for waiting in ("produce-transactions", "dashboard"):
        assert services[waiting]["depends_on"]["submit-job"]["condition"] == "service_healthy"


def test_the_topics_are_created_with_a_partition_for_every_source_processor(services):
    script = services["kafka-init"]["command"][0]

    topics = re.search(r"for topic in ([^;]+);", script).group(1).split()
    assert topics == ["transactions", "fraud-decisions", "fraud-dead-letters"]
    assert '--topic "$$topic"' in script
    assert int(re.search(r"--partitions (\d+)", script).group(1)) >= 12


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
