"""The JavaScript and CSS of maps, and how maps embed them.

folium loads Leaflet and its plugins from CDNs. Maps are passed around by e-mail and archived
with reports, so geosite's maps embed them (unless ``cdn=True``): geosite ships copies of
the files it draws with, taken
from the npm registry by ``python -m geosite.render._vendor`` into ``geosite/render/vendor/``
(``manifest.json`` there names each file's package, version, licence, npm integrity hash and
the CDN address it stands in for; ``LICENSES.txt`` holds the licence texts):

- Leaflet 1.9.3 (BSD-2-Clause), the map itself;
- leaflet.fullscreen 3.0.0 (MIT), the fullscreen button;
- leaflet-measure 2.1.7 (MIT), the measure tool;
- leaflet.sync 0.2.4 (BSD-3-Clause), side-by-side scenario maps.

Stylesheets have their images inlined as ``data:`` URIs. Background map tiles cannot be
embedded: they load when there is internet (the legend says so), and an ``offline=True`` map
has none and says so in its legend.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from branca.element import Element, Figure

from geosite.errors import ParameterError

__all__ = [
    "VENDOR_DIR",
    "VendoredAsset",
    "drop_unused_defaults",
    "local_asset",
    "make_offline",
    "stable_ids",
    "vendored_assets",
]

VENDOR_DIR = Path(__file__).with_name("vendor")

#: folium's default assets that geosite maps do not use (Bootstrap, jQuery, Font Awesome and
#: awesome-markers serve ``folium.Icon`` markers and Bootstrap popups). Offline maps leave
#: them out instead of embedding 1 MB of fonts nobody sees.
UNUSED_DEFAULTS = frozenset(
    {
        "jquery",
        "bootstrap",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers",
        "awesome_markers_css",
        "awesome_markers_font_css",
        "awesome_rotate_css",
    }
)


@dataclass(frozen=True, slots=True)
class VendoredAsset:
    """One embedded file: what it is, where from, under which licence."""

    file: str
    urls: tuple[str, ...]
    package: str
    version: str
    licence: str
    npm_integrity: str

    @property
    def path(self) -> Path:
        """Return the file's path inside the installed package."""
        return VENDOR_DIR / self.file

    @property
    def kind(self) -> str:
        """Return ``"js"`` or ``"css"``."""
        return "css" if self.file.endswith(".css") else "js"


@functools.cache
def vendored_assets() -> tuple[VendoredAsset, ...]:
    """Return the files offline maps embed, as listed in ``vendor/manifest.json``.

    Examples
    --------
    >>> sorted({a.package for a in vendored_assets()})
    ['leaflet', 'leaflet-measure', 'leaflet.fullscreen', 'leaflet.sync']
    """
    entries = json.loads((VENDOR_DIR / "manifest.json").read_text(encoding="utf-8"))
    return tuple(
        VendoredAsset(
            file=e["file"],
            urls=tuple(e["urls"]),
            package=e["package"],
            version=e["version"],
            licence=e["licence"],
            npm_integrity=e["npm_integrity"],
        )
        for e in entries
    )


def local_asset(url: str) -> VendoredAsset | None:
    """Return the vendored copy of a CDN address folium uses, if geosite ships one."""
    return next((a for a in vendored_assets() if url in a.urls), None)


def _inline(asset: VendoredAsset) -> Element:
    text = asset.path.read_text(encoding="utf-8")
    # A literal "</script" or "</style" inside the file would end the element early.
    if asset.kind == "js":
        body = text.replace("</script", "<\\/script")
        html = f"<script>/* {asset.package} {asset.version}, {asset.licence} */\n{body}</script>"
    else:
        body = text.replace("</style", "<\\/style")
        html = f"<style>/* {asset.package} {asset.version}, {asset.licence} */\n{body}</style>"
    return Element(html)


def _walk(element: Any) -> list[Any]:
    found = [element]
    for child in list(getattr(element, "_children", {}).values()):
        found += _walk(child)
    for name in ("m1", "m2"):  # DualMap keeps its maps as attributes
        if hasattr(element, name):
            found += _walk(getattr(element, name))
    return found


def stable_ids(element: Any) -> None:
    """Give every element of a map an id derived from its place in the map, not a random one.

    folium names each element from a random id, so two identical runs wrote different
    ``map.html`` files and every rerun showed as a change in version control. The ids become
    the SHA-256 of the element's position in the tree, so the same map renders to the same
    bytes; elements added afterwards get folium's random ids, which cannot collide with these.
    """
    nodes: list[Any] = []
    seen: set[int] = set()
    for node in [*_walk(element.get_root()), *_walk(element)]:
        if id(node) not in seen and hasattr(node, "_id"):
            seen.add(id(node))
            nodes.append(node)
    old = {id(node): node.get_name() for node in nodes}
    for i, node in enumerate(nodes):
        if getattr(node, "stable_id", False):
            continue
        node._id = hashlib.sha256(f"geosite-element-{i}".encode()).hexdigest()[:32]  # noqa: SLF001
    for node in nodes:
        children = getattr(node, "_children", None)
        if not children:
            continue
        renamed = [
            (child.get_name() if key == old.get(id(child)) else key, child)
            for key, child in children.items()
        ]
        children.clear()
        children.update(renamed)


def drop_unused_defaults(element: Any) -> None:
    """Stop a map loading folium's Bootstrap, jQuery, Font Awesome and awesome-markers.

    geosite maps draw with Leaflet and its plugins only; the eight other files folium loads
    by default cost a page nine requests and about 1 MB. A map customised afterwards with
    ``folium.Icon`` markers needs them back: ``fmap.default_js = folium.Map.default_js`` and
    ``fmap.default_css = folium.Map.default_css``.
    """
    for item in _walk(element.get_root()):
        for attr in ("default_js", "default_css"):
            links = getattr(item, attr, None)
            if links:
                setattr(item, attr, [(n, u) for n, u in links if n not in UNUSED_DEFAULTS])


def _links(root: Figure) -> tuple[dict[str, VendoredAsset], list[str]]:
    """Return the vendored copies of the files a figure loads, and the files without one."""
    needed: dict[str, VendoredAsset] = {}
    missing: list[str] = []
    for item in _walk(root):
        for attr in ("default_js", "default_css"):
            for name, url in getattr(item, attr, None) or []:
                asset = local_asset(url)
                if asset is not None:
                    needed.setdefault(asset.file, asset)
                elif name not in UNUSED_DEFAULTS:
                    missing.append(f"{name} ({url})")
    return needed, missing


def make_offline(element: Any) -> None:
    """Embed every script and stylesheet a map loads, so it renders without internet.

    Call after the map is complete; elements added later may load from a CDN again.

    Parameters
    ----------
    element
        A ``folium.Map``, ``folium.plugins.DualMap`` or any element inside a figure.

    Raises
    ------
    ParameterError
        If an element needs a file geosite does not ship (a folium plugin geosite does not
        use); the message names it.
    """
    root = element.get_root()
    if not isinstance(root, Figure):
        msg = "make_offline needs an element inside a figure (a folium.Map or DualMap)"
        raise ParameterError(msg)
    needed, missing = _links(root)
    if missing:
        msg = (
            f"cannot embed {', '.join(sorted(set(missing)))} in an offline map: geosite ships "
            "only Leaflet, leaflet.fullscreen, leaflet-measure and leaflet.sync; remove the "
            "element or save the map with offline=False"
        )
        raise ParameterError(msg)
    for item in _walk(root):
        for attr in ("default_js", "default_css"):
            if getattr(item, attr, None):
                setattr(item, attr, [])
    # Files that replace no address but complete an embedded package (Leaflet's marker
    # images as data: URIs) come with it.
    packages = {a.package for a in needed.values()}
    for asset in vendored_assets():
        if not asset.urls and asset.package in packages:
            needed.setdefault(asset.file, asset)
    # Leaflet first: the plugins extend it.
    ordered = sorted(
        needed.values(), key=lambda a: (a.package != "leaflet", a.kind == "js", not a.urls)
    )
    for asset in ordered:
        root.header.add_child(_inline(asset), name=f"geosite_inline_{asset.file}")
