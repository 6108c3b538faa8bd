"""Scenario files: reading one safely (its size, its encoding), the TOML text into a validated Scenario, and a
Scenario back into TOML in the layout of scenarios/*.toml."""

from __future__ import annotations

import codecs
import tomllib
from pathlib import Path

import tomli_w

from sim.problems import ScenarioError
from sim.schema import Scenario, to_dict
from sim.validation import from_dict

MAX_FILE_BYTES = 1_000_000  # at most this many bytes in a scenario file


def read_file(path: str | Path) -> bytes:
    """A scenario file's bytes, at most MAX_FILE_BYTES of them: a folder, an unreadable file or an endless one
    (/dev/zero) is a ScenarioError naming the file, never a hang or a traceback."""
    path = Path(path)
    try:
        if path.is_dir():
            raise ScenarioError([f"{path}: is a folder; give a scenario file (TOML), e.g. scenarios/default.toml"])
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ScenarioError([f"{path}: cannot read the file ({exc.strerror or exc})"]) from None
    check_size(len(data), str(path))
    return data


def check_size(size: int, source: str) -> None:
    if size > MAX_FILE_BYTES:
        raise ScenarioError([f"{source}: over {MAX_FILE_BYTES:,} bytes; a scenario file has at most "
                             f"{MAX_FILE_BYTES:,} (the presets are about 2,000)"])


def decode(data: bytes, source: str) -> str:
    """The text of a scenario file: UTF-8, with or without a byte-order mark. Anything else (UTF-16, Latin-1, a
    binary file) is a ScenarioError that says how to fix it."""
    check_size(len(data), source)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise ScenarioError([f"{source}: not a text file in UTF-8 (it is UTF-16 or UTF-32); save it as UTF-8"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError([f"{source}: not a text file in UTF-8 (byte 0x{data[exc.start]:02x} at position "
                             f"{exc.start:,}); a scenario file is TOML saved as UTF-8"]) from None
    if "\x00" in text:
        raise ScenarioError([f"{source}: not a text file (it holds NUL bytes); a scenario file is TOML saved as UTF-8"])
    return text


def load_scenario(path: str | Path, notes: list[str] | None = None) -> Scenario:
    """Read and validate a scenario file; problems come back as ScenarioError naming the file."""
    return loads(decode(read_file(path), str(path)), source=str(path), notes=notes)


def loads(text: str, source: str = "scenario", notes: list[str] | None = None) -> Scenario:
    """Parse and validate TOML text. What TOML's parser raises besides its own error (an integer over Python's
    4,300-digit limit, arrays or tables nested hundreds deep) is a ScenarioError too."""
    check_size(len(text), source)
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"{source}: not valid TOML ({exc})"]) from None
    except RecursionError:
        raise ScenarioError([f"{source}: not a scenario file (arrays or tables nested too deep)"]) from None
    except ValueError:  # int(...) of a number with over 4,300 digits
        raise ScenarioError([f"{source}: not a scenario file (a whole number over 4,300 digits long; no value of a "
                             "scenario has more than 10)"]) from None
    return from_dict(data, notes)


def dumps(scenario: Scenario) -> str:
    """The scenario as a TOML file in the same format as scenarios/*.toml; ranges as `"behaviour.x" = [lo, hi]`,
    one line each, as a person writes them."""
    data = to_dict(scenario)
    ranges = data.pop("uncertainty", None)
    text = tomli_w.dumps(data)
    if ranges is None:
        return text
    lines = [f'"{path}" = [{_toml_number(low)}, {_toml_number(high)}]'
             for path, (low, high) in (scenario.uncertainty or {}).items()]
    return text + "\n[uncertainty]\n" + "".join(f"{line}\n" for line in lines)


def _toml_number(x: float) -> str:
    return repr(float(x))
