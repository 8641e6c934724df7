#!/bin/sh
# Run by Hazelcast's Python init script (jet_to_python_init.sh) in the job's runtime directory on
# every member, after Hazelcast copied its own scripts there and before any Python worker starts.
#
# Why: Hazelcast 5.6's jet_to_python_grpc_server.py binds 'localhost:0'. localhost resolves to two
# addresses; gRPC may take a free port on the first, fail to take the same port on the second when
# another socket holds it, and still report the port; the member then connects to 127.0.0.1 and is
# refused ("PythonService broke down ... UNAVAILABLE"), and the job is suspended. Binding the one
# address the member connects to removes the race. Members started from this repository run a
# fixed copy of the server already (scripts/member-classpath); there this changes nothing.
set -e
server=jet_to_python_grpc_server.py
if [ -f "$server" ] && grep -q "add_insecure_port('localhost:0')" "$server"; then
    sed -i "s/add_insecure_port('localhost:0')/add_insecure_port('127.0.0.1:0')/" "$server"
    echo "init.sh: $server binds 127.0.0.1"
fi
