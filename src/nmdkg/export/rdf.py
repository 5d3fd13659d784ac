"""Graph -> files: Turtle, JSON-LD, N-Triples, RDF/XML.

Every output binds exactly the prefixes its IRIs use (Turtle prefixes, the JSON-LD ``@context``), is
byte-identical across runs for the same graph (canonical sorted triples, no blank nodes), and is written
atomically. rdflib's serializers take minutes at full-HPO scale, so none is used here: N-Triples and
JSON-LD are written from the canonical triples (``nmdkg.core.ntriples``, ``nmdkg.export.jsonld``), Turtle and RDF/XML
by Oxigraph (``pyoxigraph``).
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from nmdkg.core.errors import NmdkgError
from nmdkg.core.io import StagedFiles, write_bytes_atomic
from nmdkg.core.namespaces import prefix_of
from nmdkg.core.ntriples import NTriple, canonical
from nmdkg.core.ntriples import lines as nt_lines
from nmdkg.core.rdf_formats import BY_NAME, RdfFormat
from nmdkg.export import jsonld

#: The formats nmdkg writes (``nmdkg.core.rdf_formats`` holds those it reads too).
FORMATS: dict[str, RdfFormat] = {name: BY_NAME[name] for name in ("turtle", "json-ld", "nt", "xml")}
#: Aliases accepted by ``--format``.
ALIASES = {"ttl": "turtle", "jsonld": "json-ld", "ntriples": "nt", "n-triples": "nt", "rdfxml": "xml",
           "rdf/xml": "xml", "rdf": "xml"}
#: What ``nmdkg build`` writes.
BUILD_FORMATS = ("turtle", "json-ld", "nt")


def resolve_format(name: str) -> RdfFormat:
    key = ALIASES.get(name.lower(), name.lower())
    if key not in FORMATS:
        raise ValueError(f"unknown format {name!r}; choose one of: {', '.join(FORMATS)}")
    return FORMATS[key]


Source = Graph | list[NTriple]


def _canonical(source: Source) -> list[NTriple]:
    return source if isinstance(source, list) else canonical(source)


def used_prefixes(source: Source) -> dict[str, str]:
    """The prefixes (from the project's converter) that cover at least one IRI of the graph."""
    iris: set[str] = set()
    for s, p, o in _canonical(source):
        iris.add(s)
        iris.add(p)
        if o.startswith("<"):
            iris.add(o)
        elif o.endswith(">"):  # a typed literal: its datatype IRI
            iris.add(o[o.rindex("^^<") + 2:])
    found: dict[str, str] = {}
    for iri in iris:
        match = prefix_of(iri[1:-1])
        if match:
            found[match[0]] = match[1]
    return dict(sorted(found.items()))


def serialize(source: Source, fmt: str | RdfFormat) -> bytes:
    """Serialize a graph (an rdflib ``Graph`` or canonical triples) deterministically in one of ``FORMATS``."""
    fmt = resolve_format(fmt) if isinstance(fmt, str) else fmt
    return serialize_all(source, (fmt.name,))[fmt.name]


def serialize_all(source: Source, formats: tuple[str, ...] = BUILD_FORMATS, *,
                  ntriples: bytes | None = None) -> dict[str, bytes]:
    """Serialize a graph in several formats, sharing the N-Triples text and the prefix scan between them.

    N-Triples and JSON-LD are written from the sorted canonical triples; Turtle and RDF/XML by Oxigraph's
    streaming writers, fed the same sorted triples. Keys are the formats' names, in the order asked.
    ``ntriples``, when given, is the N-Triples text of ``source`` (``nmdkg.core.ntriples.lines``), already made.
    """
    triples = _canonical(source)
    chosen = [resolve_format(name) for name in formats]
    lines = ntriples if ntriples is not None else nt_lines(triples)
    prefixes = used_prefixes(triples) if any(f.name != "nt" for f in chosen) else {}
    out: dict[str, bytes] = {}
    for fmt in chosen:
        if fmt.name == "nt":
            out[fmt.name] = lines
        elif fmt.name == "json-ld":
            out[fmt.name] = "".join(jsonld.write(triples, prefixes)).encode("utf-8")
        else:
            out[fmt.name] = _oxigraph(lines, fmt, prefixes)
    return out


def _oxigraph(lines: bytes, fmt: RdfFormat, prefixes: dict[str, str]) -> bytes:
    import pyoxigraph

    # Oxigraph streams the sorted N-Triples straight into its writer: no store, no indexing.
    parsed = pyoxigraph.parse(lines, format=pyoxigraph.RdfFormat.N_TRIPLES)
    if fmt.name == "turtle":
        turtle = pyoxigraph.serialize(parsed, format=pyoxigraph.RdfFormat.TURTLE, prefixes=prefixes)
        assert turtle is not None  # no output file given: the bytes are returned
        return turtle
    xml = pyoxigraph.serialize(parsed, format=pyoxigraph.RdfFormat.RDF_XML, prefixes=prefixes)
    assert xml is not None
    # Oxigraph writes a carriage return in a literal as is, and XML parsers turn it into a line feed;
    # the output has no other carriage return, so escaping each one keeps the literal intact.
    return xml.replace(b"\r", b"&#13;")


def _write_from_file(source: str, target: str, fmt: str, prefixes: dict[str, str]) -> None:
    """The work of an export child process: one format from a canonical N-Triples file into ``target``.

    JSON-LD streams the file line by line (its writer needs only one subject at a time); Turtle and RDF/XML
    go through Oxigraph (``_oxigraph``).
    """
    if fmt == "json-ld":
        with open(source, encoding="utf-8") as lines, open(target, "w", encoding="utf-8") as out:
            triples = (tuple(line[:-3].split(" ", 2)) for line in lines)  # "s p o .\n"
            for chunk in jsonld.write(triples, prefixes):  # type: ignore[arg-type]
                out.write(chunk)
        return
    Path(target).write_bytes(_oxigraph(Path(source).read_bytes(), resolve_format(fmt), prefixes))


class StagedExports:
    """The exports of a build, staged (``nmdkg.core.io.StagedFiles``) while the caller validates the graph.

    N-Triples is staged at once; every other format is written from that file by a child process of its
    own, beside the validation: JSON-LD is pure Python, and Oxigraph's writer pulls each parsed triple
    through Python, so in threads they would fight the SHACL engine for the GIL (Turtle five times slower),
    while processes use the other core. The children stream (JSON-LD) or hold one file's text (Turtle), so
    they add little memory. :meth:`finish` waits for them; :meth:`stop` ends them when the build fails. The
    caller commits the staged files (or discards them).
    """

    def __init__(self, source: Source, out_dir: Path | str, staged: StagedFiles,
                 formats: tuple[str, ...] = BUILD_FORMATS, *, ntriples: bytes | None = None, stem: str = "nmdkg"):
        import multiprocessing

        self.triples = _canonical(source)
        self.chosen = [resolve_format(name) for name in formats]
        self.staged = staged
        self.targets = {f.name: Path(out_dir) / f"{stem}.{f.extension}" for f in self.chosen}
        self.prefixes = used_prefixes(self.triples) if any(f.name != "nt" for f in self.chosen) else {}
        self.children: list[tuple[str, multiprocessing.process.BaseProcess]] = []
        if "nt" not in self.targets:
            raise ValueError("a build's exports include N-Triples: the other writers read that file")
        lines = ntriples if ntriples is not None else nt_lines(self.triples)
        source_file = staged.write(self.targets["nt"], lines)
        context = multiprocessing.get_context("spawn")
        for fmt in self.chosen:
            if fmt.name != "nt":
                child = context.Process(target=_write_from_file, name=f"nmdkg-export-{fmt.name}", daemon=True,
                                        args=(str(source_file), str(staged.path(self.targets[fmt.name])),
                                              fmt.name, self.prefixes))
                child.start()
                self.children.append((fmt.name, child))

    def finish(self) -> list[Path]:
        """Wait for the children; the targets, in the order asked."""
        for name, child in self.children:
            child.join()
            if child.exitcode != 0:
                raise NmdkgError(f"writing {name} failed (its process exited with code {child.exitcode})")
        self.children = []
        return list(self.targets.values())

    def stop(self) -> None:
        for _, child in self.children:
            child.terminate()
            child.join()
        self.children = []


def write_exports(source: Source, out_dir: Path | str, formats: tuple[str, ...] = BUILD_FORMATS,
                  stem: str = "nmdkg") -> list[Path]:
    """Write the graph in each format to ``out_dir/<stem>.<ext>``; all are serialized before any is written."""
    payloads = [(Path(out_dir) / f"{stem}.{resolve_format(name).extension}", data)
                for name, data in serialize_all(source, formats).items()]
    for path, data in payloads:
        write_bytes_atomic(path, data)
    return [path for path, _ in payloads]
