"""Static assets the website serves itself, so that it needs no CDN at run time.

MathJax (for the few formulas) comes from the npm registry, pinned by version and
checksum, and is unpacked under ``_static/mathjax`` (not committed).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from .errors import BookError

MATHJAX_VERSION = "3.2.2"
MATHJAX_SHA1 = "c754d7b46a679d7f3fa03543d6b8bf124ddf9f6b"  # npm's dist.shasum of mathjax-3.2.2.tgz
MATHJAX_FILES = ("package/es5/tex-mml-chtml.js", "package/es5/output/chtml/fonts/woff-v2/")


def mathjax_dir(root: Path) -> Path:
    return root / "_static" / "mathjax"


def ensure_mathjax(root: Path) -> Path:
    """Unpack the pinned MathJax under ``_static/mathjax`` unless it is already there."""
    target = mathjax_dir(root)
    if (target / "tex-mml-chtml.js").exists():
        return target
    npm = shutil.which("npm")
    if npm is None:
        raise BookError("the website serves MathJax itself and fetches it once with npm, which is not installed; "
                        "install Node.js and npm (Debian packages nodejs npm) or copy MathJax "
                        f"{MATHJAX_VERSION}'s es5 folder to {target}")
    with tempfile.TemporaryDirectory() as work:
        packed = subprocess.run([npm, "pack", f"mathjax@{MATHJAX_VERSION}", "--silent"], cwd=work,
                                capture_output=True, text=True)
        tarball = Path(work) / f"mathjax-{MATHJAX_VERSION}.tgz"
        if packed.returncode != 0 or not tarball.exists():
            raise BookError(f"npm pack mathjax@{MATHJAX_VERSION} failed: {packed.stderr.strip()}")
        digest = hashlib.sha1(tarball.read_bytes()).hexdigest()
        if digest != MATHJAX_SHA1:
            raise BookError(f"mathjax-{MATHJAX_VERSION}.tgz has sha1 {digest}, expected {MATHJAX_SHA1}")
        staging = Path(work) / "mathjax"
        with tarfile.open(tarball) as archive:
            members = [m for m in archive.getmembers() if m.isfile() and m.name.startswith(MATHJAX_FILES)]
            for member in members:
                member.name = member.name.removeprefix("package/es5/")
            archive.extractall(staging, members=members, filter="data")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staging), str(target))  # one move: a half-unpacked copy is never used
    return target
