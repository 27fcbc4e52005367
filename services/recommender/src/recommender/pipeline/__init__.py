"""The training pipeline's building blocks: snapshot download, artefacts, publishing."""
