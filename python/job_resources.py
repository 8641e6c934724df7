"""Where the job's Python resources live, and the scoring handler imported from there.

fraud_handler.py ships alone to the Hazelcast members, so it lives in the job's resources next
to the model and features.json rather than in this folder. Every Python tool of the project
imports it from here.
"""
import sys
from pathlib import Path

RESOURCES_DIR = Path(__file__).resolve().parent.parent / "deploy-jobs/src/main/resources/org/example"
MODEL_FILE = RESOURCES_DIR / "fraud_model.txt"
METADATA_FILE = RESOURCES_DIR / "fraud_model.json"
FEATURES_FILE = RESOURCES_DIR / "features.json"

sys.path.insert(0, str(RESOURCES_DIR))
# That directory is copied to the members as it is: keep a __pycache__ out of it.
_writes_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
import fraud_handler  # noqa: E402,F401
sys.dont_write_bytecode = _writes_bytecode
