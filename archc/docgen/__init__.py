"""The docs' generated parts: the layer-type tables, the receptive-field rules, the lint
look-through lists and the JSON Schema, rendered from the op catalogue and the spec models.

Never imported on the compile path: only `python -m archc.docgen` (`make docs`) and its test
use it. `source` is the one module that reads the catalogue; `hand` holds what only prose
knows; `render` makes each part; `splice` puts it between its markers; `generate` says
which part goes where.
"""
