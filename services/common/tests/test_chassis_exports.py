"""Reading a service's export: a whole export is parsed, anything else is refused by name."""

from __future__ import annotations

import pytest

from soundstream_common.exports import (
    ExportFormatError,
    ExportReader,
    export_lines,
    json_line,
    parse_export,
)

HEADER = json_line(type="export", format=1, dataset_version=3, etag='"e-3"')
BODY = b"".join(
    [
        HEADER,
        json_line(type="section", name="artists", columns=["id", "name"]),
        b'[1,"Duran Duran"]\n[2,"Depeche Mode"]\n',
        json_line(type="section", name="tag_assignments", columns=["user_id", "artist_id"]),
        b"[7,1]\n[8,2]\n[9,2]\n",
        json_line(type="end", artists=2, tag_assignments=3),
    ]
)


def parse(body: bytes, **options: object) -> object:
    arguments: dict[str, object] = {
        "header_type": "export",
        "export_format": 1,
        "keep": ("tag_assignments",),
        **options,
    }
    return parse_export(body, **arguments)  # type: ignore[arg-type]


def test_a_whole_export_gives_its_header_and_the_kept_sections() -> None:
    document = parse_export(BODY, header_type="export", export_format=1, keep=("tag_assignments",))
    assert document.header["etag"] == '"e-3"'
    assert document.sections == {"tag_assignments": [[7, 1], [8, 2], [9, 2]]}
    as_lines = parse_export(
        BODY.decode().splitlines(), header_type="export", export_format=1, keep=("artists",)
    )
    assert as_lines.sections == {"artists": [[1, "Duran Duran"], [2, "Depeche Mode"]]}


@pytest.mark.parametrize(
    ("body", "options", "says"),
    [
        (BODY.rsplit(b"\n", 2)[0] + b"\n", {}, "the stream was cut"),
        (BODY.replace(b'"artists":2', b'"artists":5'), {}, "artists count does not match"),
        (BODY + b"[1,2]\n", {}, "data after the end line"),
        (BODY.replace(b'"format":1', b'"format":2'), {}, "unsupported export format 2"),
        (BODY, {"header_type": "snapshot"}, "unexpected line type 'export'"),
        (BODY, {"keep": ("listens",)}, "listens count does not match"),
        (HEADER + b"[1,2]\n", {}, "row outside a section"),
        (b"", {}, "export header missing"),
    ],
    ids=[
        "cut",
        "counts",
        "after-end",
        "format",
        "other-kind",
        "missing-section",
        "no-section",
        "empty",
    ],
)
def test_anything_but_a_whole_export_is_refused_by_name(
    body: bytes, options: dict[str, object], says: str
) -> None:
    with pytest.raises(ExportFormatError, match=says):
        parse(body, **options)


def test_an_export_arriving_in_any_chunks_is_read_in_batches_of_the_size_asked() -> None:
    chunks = [BODY[i : i + 7] for i in range(0, len(BODY), 7)]  # lines cut anywhere
    reader = ExportReader(
        export_lines(chunks),
        header_type="export",
        export_format=1,
        keep=("artists", "tag_assignments"),
        batch_rows=2,
    )
    assert list(reader.batches()) == [
        ("artists", [[1, "Duran Duran"], [2, "Depeche Mode"]]),
        ("tag_assignments", [[7, 1], [8, 2]]),
        ("tag_assignments", [[9, 2]]),
    ]
    assert reader.header["dataset_version"] == 3


def test_a_cut_stream_read_in_batches_fails_after_its_last_batch() -> None:
    cut = BODY.rsplit(b"\n", 2)[0] + b"\n"
    reader = ExportReader(
        export_lines([cut]), header_type="export", export_format=1, keep=("tag_assignments",)
    )
    batches = reader.batches()
    assert next(batches) == ("tag_assignments", [[7, 1], [8, 2], [9, 2]])
    with pytest.raises(ExportFormatError, match="the stream was cut"):
        next(batches)
