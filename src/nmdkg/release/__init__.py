"""A build as a whole (stage 11): the pipeline of ``nmdkg build`` (``pipeline``: tables -> graph ->
validation -> exports, describe tables, query store, manifest), the manifest that says whether a build folder
is current (``manifest``), and the structures saved beside it (``cache``). The command line and the Python API
both call it. It may import every stage below it.
"""
