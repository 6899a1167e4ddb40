"""A schematic map (示意图) of Guangdong's 21 prefecture-level cities for the overview: one tile per city, placed on a
grid roughly where the city lies (north at the top), each with its spend and a link to its page.

Accurate boundaries would need a map data set this offline service does not have, so the map says it is schematic
rather than pretend: Guangzhou in the centre, the Pearl River mouth an empty column between Foshan/Zhongshan/Zhuhai
(west bank) and Dongguan/Shenzhen (east bank), Chaoshan in the east, Zhanjiang and Maoming in the west, Shaoguan in
the north. Shenzhen is drawn as outside the programme, as the overview's table says."""

from __future__ import annotations

from typing import Any

from ledger.parties import CITIES, SHENZHEN

# city code -> (column west to east, row north to south)
GRID: dict[str, tuple[int, int]] = {
    "440200": (6, 0),                                                     # 韶关
    "441800": (5, 1), "441600": (7, 1), "441400": (9, 1), "445100": (10, 1),  # 清远 河源 梅州 潮州
    "441200": (4, 2), "440100": (5, 2), "441300": (7, 2), "445200": (9, 2), "440500": (10, 2),
    "445300": (3, 3), "440600": (4, 3), "441900": (6, 3), "441500": (8, 3),  # 云浮 佛山 东莞 汕尾
    "440900": (1, 4), "441700": (2, 4), "440700": (3, 4), "442000": (4, 4), "440300": (6, 4),
    "440800": (0, 5), "440400": (4, 5),                                     # 湛江 珠海
}
TILE_W, TILE_H, GAP, TOP = 100, 62, 6, 4
COLUMNS, ROWS = 11, 6
WIDTH, HEIGHT = COLUMNS * (TILE_W + GAP), TOP + ROWS * (TILE_H + GAP)
SHADES = ("#eef2f6", "#d6e4f0", "#aecbe3", "#7fa9cf", "#4f86b8", "#2c5f8f")  # none .. most spend


def shade(value: int, most: int) -> str:
    """The tile's colour: one of six steps by its share of the largest figure (none spent: the lightest)."""
    if value <= 0 or most <= 0:
        return SHADES[0]
    return SHADES[1 + min(len(SHADES) - 2, (value * (len(SHADES) - 1) - 1) // most)]


def tiles(rows: list[dict[str, Any]], figure: str = "spend_fen") -> dict[str, Any]:
    """Every city's tile: its place, its figure (None where the caller may not see it) and its colour."""
    shown = {r["city"]: r[figure] for r in rows}
    most = max([*shown.values(), 0])
    found = []
    for code in CITIES:
        column, row = GRID[code]
        value = shown.get(code)
        found.append({"city": code, "x": column * (TILE_W + GAP), "y": TOP + row * (TILE_H + GAP),
                      "value": value, "outside": code == SHENZHEN,
                      "fill": "#f5f5f5" if value is None else shade(value, most),
                      "dark": value is not None and value > 0 and shade(value, most) in SHADES[4:]})
    return {"tiles": found, "figure": figure, "width": WIDTH, "height": HEIGHT, "tile_w": TILE_W,
            "tile_h": TILE_H}
