#!/bin/sh
# Installs python3 and the Python packages of the job into the image's system site-packages.
# Run by the Dockerfile as root; the argument is the handler's requirements.txt.
#
# The base image's distribution decides the package manager: Alpine (apk) for the open-source
# Hazelcast images, UBI (microdnf) for others. LightGBM publishes no musl wheels, so on Alpine it
# is built from source, with the compilers removed again afterwards.
set -eu

requirements=$1
# The gRPC versions Hazelcast 5.6.0's stock jet_to_python_init.sh installs: already present,
# they make its pip step a no-op instead of a download and a compile.
grpc_pins="protobuf==4.25.8 grpcio==1.73.0"
# The distribution's python3 is "externally managed" (PEP 668); this image is its only user.
export PIP_BREAK_SYSTEM_PACKAGES=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

if command -v apk >/dev/null 2>&1; then
    apk add --no-cache python3 py3-pip bash curl libgomp libstdc++ util-linux
    apk add --no-cache --virtual .build-deps build-base cmake python3-dev linux-headers
    python3 -m pip install $grpc_pins
    python3 -m pip install -r "$requirements"
    apk del .build-deps
elif command -v microdnf >/dev/null 2>&1; then
    microdnf install -y python3 python3-pip libgomp curl-minimal util-linux
    python3 -m pip install $grpc_pins
    python3 -m pip install -r "$requirements"
    microdnf clean all
else
    echo "install-python.sh: neither apk nor microdnf in the base image" >&2
    exit 1
fi

# Fail the build, not the first job, when an import is broken.
python3 -c 'import grpc, google.protobuf, lightgbm, numpy, orjson; print("python ok:", grpc.__version__, lightgbm.__version__)'
