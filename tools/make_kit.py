"""Build the offline installation kit: one zip that installs gridcare on a machine with no network.

    python tools/make_kit.py                      # Windows x64 and Linux x86_64, Python 3.10–3.13
    python tools/make_kit.py --current            # this machine's platform and Python only (CI)
    python tools/make_kit.py --platform win32     # check a platform: which dependency has no wheel

The zip holds gridcare's wheel and every dependency as a wheel for each platform and Python version
(`pip download --only-binary=:all: --platform … --python-version …`: nothing is built on the
target), install.bat (Windows) and install.sh (Linux), which create a virtual environment and
install from the kit with `pip install --no-index`, and 安装说明.txt. If a dependency has no wheel
for a platform and version, the tool names it and exits 1 (with --allow-missing it writes the kit
without that combination and lists what is missing in the zip).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KIT_DIR = Path(__file__).resolve().parent / "kit"
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
# pip tags per platform; manylinux_2_17 (glibc 2.17+) and 2_28 cover the Linux wheels of our dependencies
PLATFORMS = {
    "windows": ("Windows x64", ["win_amd64"]),
    "linux": ("Linux x86_64", ["manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"]),
    "win32": ("Windows 32-bit", ["win32"]),
}
_MISSING = re.compile(r"No matching distribution found for ([^\s;]+)|"
                      r"Could not find a version that satisfies the requirement ([^\s;]+)")


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", errors="replace")


def build_wheel(into: Path) -> Path:
    out = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(into), str(ROOT)])
    if out.returncode != 0:
        sys.exit(f"make_kit: building gridcare's wheel failed:\n{out.stderr}")
    (wheel,) = into.glob("gridcare-*.whl")
    return wheel


def _requirements(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        lines = z.read(meta).decode("utf-8").splitlines()
    return [line.split(":", 1)[1].strip() for line in lines
            if line.startswith("Requires-Dist:") and "extra ==" not in line]


def _pip_download(what: str, into: Path, platform: str, python: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:", "--implementation", "cp",
           "--python-version", python, "--abi", f"cp{python.replace('.', '')}", "--abi", "abi3", "--abi", "none",
           "-d", str(into), what]
    for tag in PLATFORMS[platform][1]:
        cmd += ["--platform", tag]
    return _run(cmd)


def download(wheel: Path, into: Path, platform: str, python: str) -> list[str]:
    """Every dependency of `wheel` as a wheel for (platform, python) into `into`; returns what has none.
    pip stops at the first dependency it cannot find: on a failure each one is tried alone, to name all."""
    out = _pip_download(str(wheel), into, platform, python)
    if out.returncode == 0:
        return []
    missing = set()
    with tempfile.TemporaryDirectory() as scratch:
        for requirement in _requirements(wheel):
            alone = _pip_download(requirement, Path(scratch), platform, python)
            if alone.returncode != 0:
                found = {a or b for a, b in _MISSING.findall(alone.stderr)}
                missing |= found or {requirement}
    return sorted(missing) or [out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"pip exit {out.returncode}"]


def _text(name: str, *, bat: bool = False) -> bytes:
    """A kit file: .bat files in GBK with CRLF (cmd reads a batch file in the console's code page:
    Chinese Windows is cp936), the instructions in UTF-8 with a BOM and CRLF (Notepad), the rest as is."""
    text = (KIT_DIR / name).read_text(encoding="utf-8")
    if bat:
        return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("gbk")
    if name.endswith(".txt"):
        return b"\xef\xbb\xbf" + text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
    return text.encode("utf-8")


def write_zip(out: Path, top: str, wheels: Path, notes: list[str]) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        def add(name: str, data: bytes, mode: int = 0o644) -> None:
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=time.localtime()[:6])
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)

        add("install.bat", _text("install.bat", bat=True))
        add("gridcare.bat", _text("gridcare.bat", bat=True))
        add("install.sh", _text("install.sh"), 0o755)
        add("安装说明.txt", _text("安装说明.txt"))
        add("LICENSE", (ROOT / "LICENSE").read_bytes())
        if notes:
            add("缺少的组件.txt", ("\r\n".join(notes) + "\r\n").encode("utf-8-sig"))
        for whl in sorted(wheels.glob("*.whl")):
            # wheels are already compressed: stored as they are
            z.write(whl, f"{top}/wheels/{whl.name}", compress_type=zipfile.ZIP_STORED)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="folder for the zip (default: dist/)")
    parser.add_argument("--platform", action="append", choices=sorted(PLATFORMS),
                        help="windows, linux (default: both) or win32 (to see what it lacks)")
    parser.add_argument("--python", action="append", choices=PYTHONS, help="Python versions (default: 3.10–3.13)")
    parser.add_argument("--current", action="store_true", help="only this machine's platform and Python (CI)")
    parser.add_argument("--allow-missing", action="store_true",
                        help="write the kit even if some dependency has no wheel for a platform and version")
    args = parser.parse_args(argv)
    if args.current:
        platform = "windows" if sys.platform == "win32" else "linux"
        combos = [(platform, f"{sys.version_info.major}.{sys.version_info.minor}")]
    else:
        combos = [(p, v) for p in (args.platform or ["windows", "linux"]) for v in (args.python or PYTHONS)]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gridcare-kit-") as tmp:
        wheels = Path(tmp) / "wheels"
        wheel = build_wheel(wheels)
        version = wheel.name.split("-")[1]
        notes = []
        for platform, python in combos:
            missing = download(wheel, wheels, platform, python)
            label = f"{PLATFORMS[platform][0]}, Python {python}"
            if missing:
                notes.append(f"{label}: no wheel for {', '.join(missing)}")
                print(f"make_kit: MISSING  {label}: no wheel for {', '.join(missing)}", file=sys.stderr)
            else:
                print(f"make_kit: ok       {label}")
        if notes and not args.allow_missing:
            print("make_kit: the kit was not written (those machines could not install from it); "
                  "--allow-missing writes it without them.", file=sys.stderr)
            return 1
        name = f"gridcare-kit-{version}"
        out = write_zip(args.out.resolve() / f"{name}.zip", name, wheels, notes)
        count = len(list(wheels.glob("*.whl")))
    print(f"make_kit: {out} ({out.stat().st_size / 2**20:.1f} MiB, {count} wheels, "
          f"{time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
