"""Write the suitability surface of a grid run as a Cloud-Optimized GeoTIFF.

``suitability.tif`` has one float32 band for ``total_score`` and one per criterion score
(band descriptions name them), in the analysis CRS, NaN where there is no cell or the
cell was excluded from the ranking (its criterion scores stay). Square cells map one to one
onto pixels; hexagonal cells are sampled at a quarter of their size. GDAL's COG driver
(through rasterio) writes the file: tiled 512 x 512, DEFLATE with a floating-point
predictor, overviews, the layout that lets QGIS or a web viewer read any part over HTTP.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import os

    from geosite.analysis import Result

__all__ = ["write_suitability"]


def write_suitability(result: Result, path: str | os.PathLike[str]) -> list[str]:
    """Write the total score and each criterion score of grid cells as a COG.

    Parameters
    ----------
    result
        A result whose candidates are a grid (``candidates: {grid: ...}``).
    path
        The ``.tif`` file to write.

    Returns
    -------
    list of str
        The band names, in band order.
    """
    import rasterio  # noqa: PLC0415
    import rasterio.features  # noqa: PLC0415
    import rasterio.shutil  # noqa: PLC0415
    from affine import Affine  # noqa: PLC0415

    grid = result.scenario.candidates.grid
    if grid is None:
        msg = "suitability.tif is written for grid candidates only"
        raise ValueError(msg)
    table = result.table
    size = grid.cell_size()
    pixel = size if grid.shape == "square" else size / 4
    xmin, ymin, xmax, ymax = table.total_bounds
    width = max(1, math.ceil(round((xmax - xmin) / pixel, 6)))
    height = max(1, math.ceil(round((ymax - ymin) / pixel, 6)))
    transform = Affine(pixel, 0.0, xmin, 0.0, -pixel, ymax)  # north up, from the top left
    total = np.where(table["excluded"], np.nan, table["total_score"].to_numpy(np.float64))
    bands = {"total_score": total}
    for summary in result.criteria:
        bands[f"{summary.name}_score"] = table[f"{summary.name}_score"].to_numpy(np.float64)
    # each cell burns its row number once; the bands then read their values through it
    index = rasterio.features.rasterize(
        zip(table.geometry, range(len(table)), strict=True),
        out_shape=(height, width),
        transform=transform,
        fill=-1,
        dtype="int32",
    )
    inside = index >= 0
    profile = {
        "driver": "GTiff",
        "width": width,
        "height": height,
        "count": len(bands),
        "dtype": "float32",
        "crs": result.crs,
        "transform": transform,
        "nodata": float("nan"),
    }
    with rasterio.MemoryFile() as memory:
        with memory.open(**profile) as dataset:
            for band, (name, values) in enumerate(bands.items(), start=1):
                image = np.full((height, width), np.nan, dtype=np.float32)
                image[inside] = values[index[inside]]
                dataset.write(image, band)
                dataset.set_band_description(band, name)
            dataset.update_tags(AREA_OR_POINT="Area", software="geosite")
        with memory.open() as source:
            rasterio.shutil.copy(
                source,
                path,
                driver="COG",
                COMPRESS="DEFLATE",
                PREDICTOR="YES",
                BLOCKSIZE=512,
                OVERVIEWS="AUTO",
                RESAMPLING="NEAREST",
            )
    return list(bands)
