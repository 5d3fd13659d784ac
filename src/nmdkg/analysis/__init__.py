"""The shared-symptom network (stage 8): ``network`` reads the disorder-phenotype network and the HPO
hierarchy out of the graph by SPARQL, ``similarity`` holds the phenotype similarity measures, ``compute`` the
network analysis (weights, backbone, communities, centralities), and ``report`` and ``pictures`` its tables,
GraphML, summary and PNG pictures. It may import the stages below it (``nmdkg.core`` ... ``nmdkg.query``).
"""
