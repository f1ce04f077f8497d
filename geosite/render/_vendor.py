"""Refresh the map assets embedded in offline maps from the npm registry.

Run ``python -m geosite.render._vendor`` (needs ``npm``) after changing :data:`PACKAGES`;
commit the files it writes to ``geosite/render/vendor/``. Each package is fetched with
``npm pack`` (which checks the registry's integrity hash), the files folium loads from a CDN
are copied out, images referenced by CSS are turned into ``data:`` URIs so a stylesheet can be
inlined on its own, and ``manifest.json`` records, per file, the CDN address folium uses, the
package, version, licence and the npm integrity hash. ``LICENSES.txt`` gathers the packages'
licence texts. Nothing here runs when geosite is installed or used.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import re
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

VENDOR_DIR = Path(__file__).with_name("vendor")


@dataclass(frozen=True)
class VendoredFile:
    """One file to copy out of an npm package, and the CDN address it stands in for."""

    source: str
    target: str
    urls: tuple[str, ...]


@dataclass(frozen=True)
class Package:
    """An npm package and the files taken from it."""

    name: str
    version: str
    licence: str
    files: tuple[VendoredFile, ...]


PACKAGES = (
    Package(
        "leaflet",
        "1.9.3",
        "BSD-2-Clause",
        (
            VendoredFile(
                "dist/leaflet.js",
                "leaflet.js",
                ("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js",),
            ),
            VendoredFile(
                "dist/leaflet.css",
                "leaflet.css",
                ("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css",),
            ),
        ),
    ),
    Package(
        "leaflet.fullscreen",
        "3.0.0",
        "MIT",
        (
            VendoredFile(
                "Control.FullScreen.js",
                "Control.FullScreen.js",
                (
                    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js",
                ),
            ),
            VendoredFile(
                "Control.FullScreen.css",
                "Control.FullScreen.css",
                ("https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css",),
            ),
        ),
    ),
    Package(
        "leaflet-measure",
        "2.1.7",
        "MIT",
        (
            VendoredFile(
                "dist/leaflet-measure.min.js",
                "leaflet-measure.min.js",
                (
                    "https://cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.min.js",
                ),
            ),
            VendoredFile(
                "dist/leaflet-measure.css",
                "leaflet-measure.css",
                (
                    "https://cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.min.css",
                ),
            ),
        ),
    ),
    Package(
        "leaflet.sync",
        "0.2.4",
        "BSD-3-Clause",
        (
            VendoredFile(
                "L.Map.Sync.js",
                "L.Map.Sync.js",
                ("https://cdn.jsdelivr.net/gh/jieter/Leaflet.Sync/L.Map.Sync.min.js",),
            ),
        ),
    ),
)

#: Leaflet finds its default marker images next to its stylesheet; an inlined stylesheet has
#: no address, so offline maps set the images as ``data:`` URIs with this script instead.
_ICON_SCRIPT = """L.Icon.Default.imagePath = "";
L.Icon.Default.mergeOptions({{
  iconUrl: "{icon}",
  iconRetinaUrl: "{icon2x}",
  shadowUrl: "{shadow}"
}});
"""

_CSS_URL = re.compile(r"url\((['\"]?)(?!data:|#|https?:)([^)'\"]+)\1\)")


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _inline_css_images(css: str, base: Path) -> str:
    """Replace relative ``url(...)`` references of a stylesheet by ``data:`` URIs."""

    def encode(match: re.Match[str]) -> str:
        return f"url({_data_uri((base / match.group(2)).resolve())})"

    return _CSS_URL.sub(encode, css)


def _pack(package: Package, work: Path) -> tuple[Path, str]:
    """Download ``package`` with ``npm pack``; return its unpacked root and integrity."""
    out = subprocess.run(  # noqa: S603 - fixed package names from PACKAGES
        ["npm", "pack", f"{package.name}@{package.version}", "--json", "--pack-destination", work],  # noqa: S607 - npm from PATH, a development tool
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(out.stdout)[0]
    root = work / package.name
    with tarfile.open(work / info["filename"]) as tar:
        tar.extractall(root, filter="data")
    return root / "package", str(info["integrity"])


def main() -> int:
    """Fetch every package and rewrite ``vendor/``."""
    VENDOR_DIR.mkdir(exist_ok=True)
    manifest: list[dict[str, object]] = []
    licences: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for package in PACKAGES:
            root, integrity = _pack(package, Path(tmp))
            meta = json.loads((root / "package.json").read_text(encoding="utf-8"))
            if meta["version"] != package.version:
                return 1
            for item in package.files:
                source = root / item.source
                text = source.read_text(encoding="utf-8")
                if source.suffix == ".css":
                    text = _inline_css_images(text, source.parent)
                (VENDOR_DIR / item.target).write_text(text, encoding="utf-8")
                manifest.append(
                    {
                        "file": item.target,
                        "urls": list(item.urls),
                        "package": package.name,
                        "version": package.version,
                        "licence": package.licence,
                        "npm_integrity": integrity,
                    }
                )
            if package.name == "leaflet":
                images = root / "dist" / "images"
                script = _ICON_SCRIPT.format(
                    icon=_data_uri(images / "marker-icon.png"),
                    icon2x=_data_uri(images / "marker-icon-2x.png"),
                    shadow=_data_uri(images / "marker-shadow.png"),
                )
                (VENDOR_DIR / "leaflet-icons.js").write_text(script, encoding="utf-8")
                manifest.append(
                    {
                        "file": "leaflet-icons.js",
                        "urls": [],
                        "package": package.name,
                        "version": package.version,
                        "licence": package.licence,
                        "npm_integrity": integrity,
                    }
                )
            licence = next(p for p in root.iterdir() if p.name.upper().startswith("LICEN"))
            licences.append(
                f"{package.name} {package.version} ({package.licence})\n"
                f"{'=' * 72}\n{licence.read_text(encoding='utf-8').strip()}\n"
            )
    (VENDOR_DIR / "manifest.json").write_text(
        json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
    )
    (VENDOR_DIR / "LICENSES.txt").write_text("\n\n".join(licences), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
