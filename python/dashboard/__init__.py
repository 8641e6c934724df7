"""The live fraud analytics page on predictionResult: see README.md in this folder."""
