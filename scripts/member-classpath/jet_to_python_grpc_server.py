"""Replaces Hazelcast's jet_to_python_grpc_server.py on members started from this repository.

It sits on the member's classpath ahead of hazelcast-jet-python, so Hazelcast copies this one into
each job's Python runtime directory, as it does jet_to_python_init.sh.

Why: the stock server binds 'localhost:0'. localhost resolves to two addresses (127.0.0.1 and
::1, or ::ffff:127.0.0.1); gRPC takes a free port on the first, fails to take the same port on the
second when another socket holds it, and still reports the port. The member then connects to
127.0.0.1 on it and may be refused: "PythonService broke down ... UNAVAILABLE ... Connection
refused", and the job is suspended. Binding the one address the member connects to, and failing
loudly when even that cannot be had, removes the race. Everything else is the stock protocol:
the same arguments, the port phoned back to the member, 'stop' on stdin.
"""
import importlib
import logging
import os
import socket
import sys
from concurrent import futures

import grpc

import jet_to_python_pb2
import jet_to_python_pb2_grpc

# The address the member's PythonService connects to (PythonServiceContext uses 127.0.0.1).
LOOPBACK = '127.0.0.1'

logger = logging.getLogger('Python PID %d' % os.getpid())


class JetToPythonServicer(jet_to_python_pb2_grpc.JetToPythonServicer):

    def __init__(self, handler_function):
        self._handler_function = handler_function

    def streamingCall(self, request_iterator, context):
        for request in request_iterator:
            output_list = self._handler_function(request.inputValue)
            yield jet_to_python_pb2.OutputMessage(outputValue=output_list)
        logger.info('gRPC call completed')


def load_handler_function(handler_module_name, handler_function_name):
    try:
        handler_module = importlib.import_module(handler_module_name)
    except ImportError as e:
        raise RuntimeError("Cannot import module %s" % handler_module_name, e)
    if not hasattr(handler_module, handler_function_name):
        raise RuntimeError("Handler function %s.%s doesn't exist" % (handler_module_name, handler_function_name))
    return getattr(handler_module, handler_function_name)


def serve(phoneback_port, handler_module_name, handler_function_name):
    # Fail as soon as possible for any simple problem with the arguments.
    phoneback_port = int(phoneback_port)
    handler_function = load_handler_function(handler_module_name, handler_function_name)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1), options=[
        ('grpc.max_send_message_length', 100 * 1024 * 1024),
        ('grpc.max_receive_message_length', 100 * 1024 * 1024),
        ('grpc.so_reuseport', 0),
    ])
    jet_to_python_pb2_grpc.add_JetToPythonServicer_to_server(JetToPythonServicer(handler_function), server)
    listen_port = server.add_insecure_port('%s:0' % LOOPBACK)
    if listen_port == 0:
        # Exit non-zero: the member sees the process die and fails the job with this line in its log.
        logger.error("Couldn't bind a port on %s", LOOPBACK)
        sys.exit(1)
    server.start()
    logger.info('started listening on %s:%d', LOOPBACK, listen_port)
    with socket.create_connection((LOOPBACK, phoneback_port)) as phoneback:
        phoneback.sendall(('%d\n' % listen_port).encode('utf-8'))

    # Wait for a stop signal on stdin.
    stdin_message = input()
    if stdin_message == 'stop':
        logger.info('Received a "stop" message from stdin. Stopping the server.')
    else:
        logger.info('Received an unexpected message from stdin: "%s"', stdin_message)
    server.stop(0).wait()


if __name__ == '__main__':
    logging.basicConfig(stream=sys.stdout, level=logging.INFO,
                        format='%(asctime)s %(levelname)s [%(name)s] %(threadName)s - %(message)s')
    # $1: the port Jet listens on for the process to phone back its own port;
    # $2.$3: the handler's module and function.
    serve(phoneback_port=sys.argv[1], handler_module_name=sys.argv[2], handler_function_name=sys.argv[3])
