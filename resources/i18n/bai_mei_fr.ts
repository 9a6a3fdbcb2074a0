<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name>@default</name>
    <message>
        <location filename="../../bai_mei_plugin/plugin.py" line="62"/>
        <source>Bai Mei panel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/plugin.py" line="65"/>
        <source>Show or hide the Bai Mei panel: load AIS, step through dark gaps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/plugin.py" line="70"/>
        <source>Import AIS file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/plugin.py" line="70"/>
        <source>Detect dark gaps…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/plugin.py" line="81"/>
        <source>Optional speed-ups…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/plugin.py" line="83"/>
        <source>Install the optional packages that speed Bai Mei up (pyarrow, dask) from QGIS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/packages_dialog.py" line="38"/>
        <source>Bai Mei — optional speed-ups</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/packages_dialog.py" line="41"/>
        <source>Bai Mei works without these packages. Each one speeds something up or adds a format. Install puts it into a folder of your QGIS profile ({folder}), with pip from QGIS&apos;s own Python; nothing else on the computer changes, and deleting that folder undoes it. It needs the internet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/packages_dialog.py" line="58"/>
        <source>Install</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/packages_dialog.py" line="69"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/packages_dialog.py" line="93"/>
        <source>installed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/packages_dialog.py" line="93"/>
        <source>not installed</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AnalysisPage</name>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="8"/>
        <source>Where could it have gone?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="12"/>
        <source>For the gap selected on the Gaps page: the sea it could have reached and the ports it could have called at.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="20"/>
        <source>Max speed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="26"/>
        <source>Maximum speed while dark. &quot;Vessel default&quot;: the larger of 12 kn and 1.2 × the vessel's 95th-percentile reported SOG.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="27"/>
        <source>vessel default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="28"/>
        <source>Maximum speed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="29"/>
        <source> kn</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="36"/>
        <source>Reachable sea and ports</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="46"/>
        <source>All the loaded reports</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="50"/>
        <source>Port visits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="51"/>
        <source>Stops and port calls, and the destination declared before each gap against the port visited next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="56"/>
        <source>Encounters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="57"/>
        <source>Vessels within 500 m of each other for 2 h or more, slower than 2 kn, at least 10 km from a port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="62"/>
        <source>Anomalies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="63"/>
        <source>Impossible jumps, shared or invalid MMSIs, changes of name, IMO or call sign, invalid IMO numbers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="114"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="71"/>
        <source>Vessels on radar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="75"/>
        <source>A single-band SAR scene on the map (Sentinel-1 GRD or RTC); its time comes from its metadata</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="76"/>
        <source>Radar scene</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="84"/>
        <source>Detect vessels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="85"/>
        <source>Bright targets on the sea of the scene (CFAR), matched with the loaded AIS at the scene&apos;s time; the results in the table below</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="90"/>
        <source>Make sighting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="91"/>
        <source>The selected dark detection as a sighting in the Annotate page&apos;s layer, with the radar&apos;s length, width, heading and time</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AnnotatePage</name>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="8"/>
        <source>Sightings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="12"/>
        <source>The sightings layer to annotate (a GeoPackage point layer with the sighting fields)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="17"/>
        <source>New sightings layer…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="22"/>
        <source>Export the case…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="23"/>
        <source>The case vessel&apos;s layers, the sightings, the ranking and the report, written in the background to the last folder used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="33"/>
        <source>Mark vessel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="35"/>
        <source>Click on the ship in the image to add a sighting and open its form</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="40"/>
        <source>Measure hull</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="42"/>
        <source>Click the bow, then the stern, then two points across the hull: fills the selected sighting&apos;s length, heading and beam (geodesic metres)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="47"/>
        <source>Chip view</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="48"/>
        <source>The selected sighting up close (about 1:2,500, turned to the ship&apos;s heading) beside another date&apos;s sighting of the same vessel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="55"/>
        <source>Select a sighting to see who it could be.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="63"/>
        <source>Who could it be?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="68"/>
        <source>Profiles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="69"/>
        <source>Open the vessel profiles as an editable table in QGIS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="74"/>
        <source>Add profile…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="75"/>
        <source>Add the selected sighting&apos;s features to the vessel profiles as a known vessel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="98"/>
        <source>Pattern of activity here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="99"/>
        <source>The sightings in the map view over time, each with the vessel it most likely is</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BaiMeiDock</name>
    <message>
        <location filename="../../bai_mei_plugin/gui/dock.ui" line="6"/>
        <source>Bai Mei</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GapsPage</name>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="6"/>
        <source>Gaps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="12"/>
        <source>Gap criteria</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="20"/>
        <source>Re-run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="23"/>
        <source>Find the gaps again with these criteria, without re-reading the file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="30"/>
        <source>Weights…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="33"/>
        <source>The points of each reason of suspicion and its thresholds (kept in the project)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="47"/>
        <source>Name or MMSI</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="57"/>
        <source>≥</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="73"/>
        <source> h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="83"/>
        <source>Suspicion: show the gaps of this level or higher</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="93"/>
        <source>All</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="98"/>
        <source>high</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="103"/>
        <source>medium or higher</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="108"/>
        <source>low or higher</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="116"/>
        <source>Unreviewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="119"/>
        <source>Show only the gaps no one has marked reviewed, dismissed or escalated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="149"/>
        <source>Review note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="152"/>
        <source>A note kept with the review of the selected gaps (plain text)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="165"/>
        <source>Reviewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="168"/>
        <source>Mark the selected gaps reviewed, with the note (kept in the project)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="175"/>
        <source>Dismiss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="178"/>
        <source>Mark the selected gaps dismissed (nothing suspicious), with the note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="185"/>
        <source>Escalate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="188"/>
        <source>Mark the selected gaps escalated (worth a closer look), with the note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="199"/>
        <source>Play voyage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="202"/>
        <source>Animate the vessel&apos;s track around the selected gap in the Temporal Controller</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="209"/>
        <source>While the voyage plays: the other vessels&apos; tracks and gaps faded, hidden or shown as they are (remembered)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="212"/>
        <source>Other vessels while playing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="219"/>
        <source>Whole track</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="222"/>
        <source>Zoom to the vessel&apos;s whole track (or double-click a row)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="243"/>
        <source>Scoring every gap&apos;s suspicion in the background</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="256"/>
        <source>Score</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="259"/>
        <source>Score every gap&apos;s suspicion again (its scoring was cancelled or interrupted by a load)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="269"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="272"/>
        <source>Stop scoring the gaps (the scores so far stay)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_page.ui" line="290"/>
        <source>What the gap criteria removed and why: each silence is counted once, under the first criterion it fails</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ImageryPage</name>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="6"/>
        <source>Imagery</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="469"/>
        <source>Search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="44"/>
        <source>Catalogue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="50"/>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="57"/>
        <source>Where to look for scenes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="64"/>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="83"/>
        <source>The STAC API or Planet API address, or the catalogue file or URL; type another one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="90"/>
        <source>…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="93"/>
        <source>Choose a catalogue file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="100"/>
        <source>Login</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="110"/>
        <source>Collections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="120"/>
        <source>Collections (STAC) or item types (Planet), comma-separated; empty for all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="127"/>
        <source>List…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="130"/>
        <source>List the collections or item types the source offers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="137"/>
        <source>Cloud ≤</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="155"/>
        <source>Maximum cloud cover; 100 % keeps every scene</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="162"/>
        <source> %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="175"/>
        <source>Max</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="191"/>
        <source>Stop after this many scenes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="203"/>
        <source>When (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="209"/>
        <source>From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="219"/>
        <source>To</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="229"/>
        <source>Gap ±</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="238"/>
        <source> h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="250"/>
        <source>Hours added before the gap&apos;s off time and after its on time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="257"/>
        <source>From gap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="260"/>
        <source>The selected gap's window, ± the padding</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="267"/>
        <source>From map time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="270"/>
        <source>The Temporal Controller&apos;s current range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="282"/>
        <source>Where</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="288"/>
        <source>The area the scenes must touch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="297"/>
        <source>Port name or UN/LOCODE, e.g. Nampo or KPNAM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="300"/>
        <source>A port of the ports list (the World Port Index), by name, other name or UN/LOCODE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="303"/>
        <source>Port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="310"/>
        <source>How far around the port to search, in nautical miles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="313"/>
        <source>Radius around the port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="316"/>
        <source>within </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="319"/>
        <source> nm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="340"/>
        <source>Select a gap on the Gaps page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="365"/>
        <source>Results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="392"/>
        <source>No preview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="419"/>
        <source>Select a scene.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="437"/>
        <source>Add to map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="440"/>
        <source>Load the scene&apos;s visual image (cloud-optimised GeoTIFF) as a layer in the case&apos;s group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="447"/>
        <source>Quick look</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="450"/>
        <source>Show the scene&apos;s preview on the map, stretched over its footprint (not georeferenced: for a first look only)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="472"/>
        <source>Search the catalogue in the background</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="479"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="486"/>
        <source>Basemap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="489"/>
        <source>Add a web basemap under the layers for context: OpenStreetMap, or satellite imagery (needs the internet; attribution in the layer&apos;s properties)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TracksPage</name>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_page.ui" line="6"/>
        <source>Tracks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_page.ui" line="12"/>
        <source>AIS source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_page.ui" line="18"/>
        <source>File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_page.ui" line="30"/>
        <source>MarineCadastre or DMA CSV, any CSV (, ; tab |), an NMEA log, JSON Lines, Parquet; plain, .gz, .bz2, .xz or .zip. Type a pattern such as /data/AIS_2023_01_*.zip to read several files as one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_page.ui" line="37"/>
        <source>Folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_page.ui" line="40"/>
        <source>Read every AIS file of a folder (e.g. a month of daily files) as one dataset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_page.ui" line="49"/>
        <source>Layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_page.ui" line="59"/>
        <source>Choose an AIS file or a point layer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_page.ui" line="72"/>
        <source>Columns</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_page.ui" line="81"/>
        <source>Format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_page.ui" line="91"/>
        <source>MMSI</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_page.ui" line="105"/>
        <source>Time (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_page.ui" line="119"/>
        <source>Latitude</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_page.ui" line="133"/>
        <source>Longitude</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_page.ui" line="147"/>
        <source>Time format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_page.ui" line="164"/>
        <source>Also add every report as a point layer (slow for big files)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_page.ui" line="173"/>
        <source>Load</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_page.ui" line="176"/>
        <source>Read the reports, find the dark gaps and add the layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_page.ui" line="183"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>VesselsPage</name>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_page.ui" line="6"/>
        <source>Vessels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_page.ui" line="14"/>
        <source>No sanctions lists</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_page.ui" line="33"/>
        <source>Sanctions lists…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_page.ui" line="36"/>
        <source>Import a sanctions list (OFAC&apos;s sdn.csv, OpenSanctions&apos; maritime.csv or any CSV with IMO, MMSI or name columns), see the lists kept in your profile, remove one. Vessels on a list are shown in red and on the map.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_page.ui" line="45"/>
        <source>Filter by vessel name or MMSI</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_page.ui" line="73"/>
        <source>Show only this vessel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_page.ui" line="76"/>
        <source>Filter the tracks and gaps layers to the selected vessel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_page.ui" line="83"/>
        <source>Show all</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
