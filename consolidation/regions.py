"""The M49 region and sub-region of every country, read in one query."""

from dataclasses import dataclass

from consultation.models import Area


@dataclass(frozen=True)
class Place:
    """A country with its M49 codes and the region and sub-region it belongs to."""

    m49_code: str
    iso3: str
    name: str
    region: str = ""
    region_code: str = ""
    subregion: str = ""
    subregion_code: str = ""


def places() -> dict[str, Place]:
    """Every country or area by M49 code, with its region and sub-region (one query)."""
    areas = {
        m49: (name, iso3, level, parent)
        for m49, name, iso3, level, parent in Area.objects.values_list(
            "m49_code", "name", "iso3", "level", "parent_id"
        )
    }
    result = {}
    for m49, (name, iso3, level, parent) in areas.items():
        if level != Area.Level.COUNTRY:
            continue
        region = subregion = ("", "")
        node = parent
        while node is not None and node in areas:
            node_name, _iso3, node_level, node_parent = areas[node]
            if node_level == Area.Level.SUBREGION:
                subregion = (node, node_name)
            elif node_level == Area.Level.REGION:
                region = (node, node_name)
            node = node_parent
        result[m49] = Place(
            m49_code=m49,
            iso3=iso3,
            name=name,
            region=region[1],
            region_code=region[0],
            subregion=subregion[1],
            subregion_code=subregion[0],
        )
    return result
