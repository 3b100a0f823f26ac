"""The spec front end: the only package that imports yaml or pydantic."""
