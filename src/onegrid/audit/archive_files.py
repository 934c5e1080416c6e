"""Archive files: naming, reading, and following the chain through them.

A file `audit-<district>-<first seq>-<last seq>.jsonl.gz` holds one record a line (canonical
JSON, hashes included).
"""

import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from onegrid.audit.hashing import Break, Link
from onegrid.core.levels import DISTRICT_DIGITS

_NAME = re.compile(rf"^audit-(\d{{{DISTRICT_DIGITS}}})-(\d{{12}})-(\d{{12}})\.jsonl\.gz$")


def file_name(district_code: str, first_seq: int, last_seq: int) -> str:
    """Returns the name of the archive file holding these records of the district."""
    return f"audit-{district_code}-{first_seq:012d}-{last_seq:012d}.jsonl.gz"


def archive_files(directory: Path, district_code: str) -> list[tuple[int, int, Path]]:
    """Returns the district's archive files in the directory as (first, last, path), in order."""
    found = []
    for path in directory.glob(f"audit-{district_code}-*.jsonl.gz"):
        match = _NAME.match(path.name)
        if match:
            found.append((int(match[2]), int(match[3]), path))
    return sorted(found)


def read_file(path: Path) -> Iterator[dict[str, Any]]:
    """Yields the records of an archive file, one at a time."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def check_archive(
    *, link: Link, directory: Path, through_seq: int, through_hash: str
) -> Break | None:
    """Follows a district's archived records from the link up to the head's checkpoint."""
    for first, _last, path in archive_files(directory, link.district_code):
        if first > through_seq:
            continue  # left by an archive run whose transaction did not commit
        try:
            for values in read_file(path):
                broken = link.check(values)
                if broken:
                    return replace(broken, file=path.name)
        except (OSError, EOFError, ValueError, KeyError) as error:
            return replace(
                link.broken(
                    link.seq + 1,
                    None,
                    f"归档文件无法读取：{error}",
                    f"the archive file cannot be read: {error}",
                ),
                file=path.name,
            )
    if link.seq < through_seq:
        return link.broken(
            link.seq + 1,
            None,
            f"已归档的 seq {link.seq + 1}–{through_seq} 不在归档目录 {directory} 中",
            f"archived records seq {link.seq + 1}–{through_seq} are not in {directory}",
        )
    if (link.seq, link.hash) != (through_seq, through_hash):
        return link.broken(
            link.seq,
            None,
            "归档与链头记录的归档点不符",
            "the archive does not end at the checkpoint kept in the chain head",
        )
    return None
