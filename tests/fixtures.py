"""Factory fixtures that write small AIS files in each supported layout (loaded by tests/conftest.py)."""

import pytest

MC_HEADER = (
    "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,"
    "Draft,Cargo,TransceiverClass"
)
MC2024_HEADER = (
    "mmsi,base_date_time,longitude,latitude,sog,cog,heading,vessel_name,imo,call_sign,vessel_type,"
    "status,length,width,draft,cargo,transceiver"
)
DMA_HEADER = (
    "# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,IMO,"
    "Callsign,Name,Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,Destination,ETA,"
    "Data source type"
)


@pytest.fixture
def write_file(tmp_path):
    """write_file(name, text_or_bytes) -> path of a new file under the test's temporary folder."""

    def write(name, content):
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return str(path)

    return write


@pytest.fixture
def mc_rows():
    """mc_rows([(mmsi, iso_time, lat, lon, sog, heading, name, draft), ...]) -> MarineCadastre CSV text."""

    def build(rows):
        lines = [MC_HEADER]
        for mmsi, time, lat, lon, sog, heading, name, draft in rows:
            lines.append(
                f"{mmsi},{time},{lat},{lon},{sog},100.0,{heading},{name},IMO9000001,CALL,70,0,180,30,{draft},70,A"
            )
        return "\n".join(lines) + "\n"

    return build
