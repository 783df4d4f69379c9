"""Vendors the screen fonts under static/vendor/fonts from the npm registry (`npm pack`).

The packages already cut each face into unicode-range slices of a few dozen KB, so a browser
fetches only the slices of the characters a page shows, and only when no local face earlier in
the stack (the official 楷体_GB2312, 方正小标宋简体…) has them. This script keeps the slices of
the weights the page uses and writes one stylesheet, webfonts.css, that names them.

Run again only to change a version: `python3 scripts/vendor-fonts.py`.
"""

import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "static" / "vendor" / "fonts"

# (package, version, folder, stylesheets inside the package, licence file)
PACKAGES = [
    # LXGW WenKai (霞鹜文楷, OFL): the 楷体 of the （一） headings; v1.250, the same version as
    # Debian's fonts-lxgw-wenkai that LibreOffice prints the PDF with.
    ("lxgw-wenkai-webfont", "1.7.0", "lxgw-wenkai", ["lxgwwenkai-regular.css"], "OFL.txt"),
    # Noto Serif SC (思源宋体, OFL): the title in bold (方正小标宋 stand-in) and the body in
    # regular where no 仿宋 is installed, as the PDF prints them.
    ("@fontsource/noto-serif-sc", "5.3.0", "noto-serif-sc", ["400.css", "700.css"], "LICENSE"),
]

FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.S)
URL = re.compile(r"""url\(\s*['"]?(?:\./)?files/([^'")]+\.woff2)['"]?\s*\)\s*format\(['"]woff2['"]\)""")
UNICODE_RANGE = re.compile(r"unicode-range:\s*([^;}]+)")
DESCRIPTORS = ("font-family", "font-style", "font-weight")


def npm_pack(package, version, work):
    subprocess.run(["npm", "pack", "--silent", f"{package}@{version}"], cwd=work, check=True,
                   stdout=subprocess.DEVNULL)
    archive = next(Path(work).glob("*.tgz"))
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
    archive.unlink()
    return Path(work) / "package"


def faces(css):
    """Each @font-face of a stylesheet as (descriptors, woff2 file, unicode-range)."""
    for block in FACE.findall(css):
        url = URL.search(block)
        if not url:
            continue
        descriptors = {}
        for name in DESCRIPTORS:
            match = re.search(rf"{name}:\s*([^;]+);", block)
            descriptors[name] = match.group(1).strip()
        unicode_range = UNICODE_RANGE.search(block)
        yield descriptors, url.group(1), unicode_range.group(1).strip() if unicode_range else None


def main():
    if TARGET.exists():
        shutil.rmtree(TARGET)
    TARGET.mkdir(parents=True)
    rules = ["/* Screen fonts, vendored by scripts/vendor-fonts.py from the npm registry (OFL).\n"
             "   Written by the script: do not edit. */"]
    for package, version, folder, stylesheets, licence in PACKAGES:
        with tempfile.TemporaryDirectory() as work:
            source = npm_pack(package, version, work)
            (TARGET / folder).mkdir()
            shutil.copy(source / licence, TARGET / folder / "LICENSE.txt")
            for stylesheet in stylesheets:
                for descriptors, filename, unicode_range in faces((source / stylesheet).read_text()):
                    shutil.copy(source / "files" / filename, TARGET / folder / filename)
                    lines = [f"  {name}: {value};" for name, value in descriptors.items()]
                    lines.append("  font-display: swap;")
                    lines.append(f"  src: url('{folder}/{filename}') format('woff2');")
                    if unicode_range:
                        lines.append(f"  unicode-range: {unicode_range};")
                    rules.append("@font-face {\n" + "\n".join(lines) + "\n}")
        print(f"{package}@{version}: {len(list((TARGET / folder).glob('*.woff2')))} slices")
    (TARGET / "webfonts.css").write_text("\n".join(rules) + "\n")


if __name__ == "__main__":
    main()
