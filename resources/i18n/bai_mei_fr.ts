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
        <location filename="../../bai_mei_plugin/gui/packages_dialog.py" line="95"/>
        <source>installed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/packages_dialog.py" line="95"/>
        <source>not installed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_panel.py" line="109"/>
        <source>{count:,} candidate ports of {name}&apos;s gap.</source>
        <translation>{count:,} ports candidats pour la coupure de {name}.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_panel.py" line="114"/>
        <source>Reachable sea and ports: for the gap selected on the Gaps page.</source>
        <translation>Mer et ports accessibles : pour la coupure sélectionnée sur la page Gaps.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_panel.py" line="113"/>
        <source>Load AIS reports first (Tracks page).</source>
        <translation>Chargez d'abord des positions AIS (page Tracks).</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_panel.py" line="162"/>
        <source>Select a gap on the Gaps page first.</source>
        <translation>Sélectionnez d'abord une coupure sur la page Gaps.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_panel.py" line="190"/>
        <source>Add a single-band SAR scene to the map (Imagery page or Layer &gt; Add Raster Layer) and choose it.</source>
        <translation>Ajoutez à la carte une scène SAR à une bande (page Imagery ou Couche &gt; Ajouter une couche raster) et choisissez-la.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_panel.py" line="194"/>
        <source>The sightings layer {name} was made by an earlier Bai Mei: the field(s) {join} were added to it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_panel.py" line="231"/>
        <source>Sightings are saved in {path} as you add them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_panel.py" line="342"/>
        <source>Select the sighting to measure first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_panel.py" line="414"/>
        <source>Select a sighting first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_panel.py" line="540"/>
        <source>No sighting in the map view.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_panel.py" line="621"/>
        <source>Cannot open {path} as a table.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_panel.py" line="637"/>
        <source>Select a sighting and the candidate it was confirmed to be.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_panel.py" line="655"/>
        <source>Profile of {name} saved in {path}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_panel.py" line="672"/>
        <source>An export to {folder} did not finish (QGIS was closed or stopped while writing): {count} temporary file(s) are left there. Export the case… offers to remove them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_panel.py" line="736"/>
        <source>Select a sighting to see its chip.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/case_bar.py" line="45"/>
        <source>Keep every layer the panel makes in one GeoPackage, written as it is made</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/case_bar.py" line="48"/>
        <source>Open a case GeoPackage: its layers, gaps, scores and reviews come back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/case_bar.py" line="56"/>
        <source>Stop writing the layers shown into the case: they stay in memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/case_bar.py" line="118"/>
        <source>Case {path}: every layer the panel makes is kept there as it is made.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/case_bar.py" line="143"/>
        <source>Case {path} opened: {count:,} gaps.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/case_bar.py" line="194"/>
        <source>Case: {name} (writing the layers shown…)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/case_bar.py" line="210"/>
        <source>The layers shown are in the case {case_path} now ({join}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/case_bar.py" line="222"/>
        <source>Case: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/chip_view.py" line="149"/>
        <source>Bai Mei: sighting chips</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="75"/>
        <source>Where the gap detection runs. PostGIS and Dask find the same gaps as QGIS (same definition and criteria) in archives too big to load.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="88"/>
        <source>One of QGIS's PostgreSQL connections (Browser ▸ PostgreSQL); its credentials stay in QGIS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="94"/>
        <source>schema.table of AIS reports</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="98"/>
        <source>mmsi=…, time=…, geometry=… (blank: mmsi, timestamp)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="99"/>
        <source>Column names by role, comma-separated: {roles}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="102"/>
        <source>Columns</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="103"/>
        <source>Upload QGIS&apos;s world map once, for the shore distance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="114"/>
        <source>Parquet folder or file, or a CSV glob</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="118"/>
        <source>Choose a Parquet folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="123"/>
        <source>tcp://host:8786 (blank: a local cluster)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="130"/>
        <source>Find the gaps with the criteria above, where the reports are</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="179"/>
        <source>Engine: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="181"/>
        <source>Load a file on the Tracks page; Re-run above finds its gaps again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="244"/>
        <source>Finding the gaps in {name}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="251"/>
        <source>Cancelled; nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="258"/>
        <source>{count:,} gaps found by {label} in {name}; the reports stayed where they are (no tracks; the vessels and the reach use the reports either side of each gap).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="264"/>
        <source>{count:,} gaps found by {label}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="77"/>
        <source>Bai Mei: export the case</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="80"/>
        <source>Export cancelled: its temporary files were removed, nothing was written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="80"/>
        <source>Cancelled: nothing was written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="234"/>
        <source>Export not started.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="285"/>
        <source>Writing the case report…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gap_details.py" line="141"/>
        <source>Ports of interest, names or UN/LOCODEs, comma-separated: a gap with one of them within reach is more suspicious. Empty the box to use none.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gap_details.py" line="151"/>
        <source>When a gap is selected, work out where the ship could have gone: the reachable sea on the map and the ports it could have called at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gap_details.py" line="194"/>
        <source>Select a gap to see where the ship could have gone.</source>
        <translation>Sélectionnez une coupure pour voir où le navire a pu aller.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_panel.py" line="285"/>
        <source>Select a gap first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/guard.py" line="32"/>
        <source>Unexpected error: {exc} (details in the log)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_form.py" line="286"/>
        <source>The map has no time range: turn on the Temporal Controller or select a gap.</source>
        <translation>La carte n'a pas de plage temporelle : activez le contrôleur temporel ou sélectionnez une coupure.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_panel.py" line="280"/>
        <source>The {name} basemap is already in the project.</source>
        <translation>Le fond de carte {name} est déjà dans le projet.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_panel.py" line="290"/>
        <source>Added the {name} basemap ({source}).</source>
        <translation>Fond de carte {name} ajouté ({source}).</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_results.py" line="312"/>
        <source>No preview</source>
        <translation>Pas d'aperçu</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_results.py" line="272"/>
        <source>Select a scene in the table, on the map or on the timeline.</source>
        <translation>Sélectionnez une scène dans le tableau, sur la carte ou sur la frise chronologique.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_results.py" line="289"/>
        <source>Loading preview…</source>
        <translation>Chargement de l'aperçu…</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_results.py" line="312"/>
        <source>No preview
(HTTP {status})</source>
        <translation>Pas d'aperçu
(HTTP {status})</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_results.py" line="351"/>
        <source>Added the quick look of {item_id}: its preview stretched over the footprint, not georeferenced.</source>
        <translation>Aperçu rapide de {item_id} ajouté : l'image est étirée sur l'emprise, sans géoréférencement.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_results.py" line="390"/>
        <source>Added {name}.</source>
        <translation>Ajouté : {name}.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/packages_dialog.py" line="56"/>
        <source>Without it: {without}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/packages_dialog.py" line="106"/>
        <source>{name} installed into {folder}; it is used from now on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/packages_dialog.py" line="106"/>
        <source>{name} installed into {folder}; restart QGIS to use it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/review_widget.py" line="66"/>
        <source>Select one or more gaps to review first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/review_widget.py" line="74"/>
        <source>{count:,} gap marked {status}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/review_widget.py" line="74"/>
        <source>{count:,} gaps marked {status}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/review_widget.py" line="76"/>
        <source>{count:,} gap no longer reviewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/review_widget.py" line="76"/>
        <source>{count:,} gaps no longer reviewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/review_widget.py" line="78"/>
        <source>{what}; the queue: {queue} (kept in the project).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_panel.py" line="96"/>
        <source>Choose an AIS file or a point layer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_panel.py" line="114"/>
        <source>&lt;b&gt;Not recognised.&lt;/b&gt; {message}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_panel.py" line="119"/>
        <source>Format: &lt;b&gt;{format}&lt;/b&gt; ({notes})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_panel.py" line="119"/>
        <source>Format: &lt;b&gt;{format}&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_panel.py" line="150"/>
        <source>Choose a point layer of AIS reports.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_panel.py" line="154"/>
        <source>Point layer &lt;b&gt;{name}&lt;/b&gt;: {count:,} features.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_panel.py" line="232"/>
        <source>{read:,} rows read, {kept:,} kept, {dropped:,} dropped; {vessels:,} vessels, {gaps:,} gaps.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_panel.py" line="242"/>
        <source>&lt;br&gt;Dropped: {reasons}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_panel.py" line="307"/>
        <source>{count:,} vessel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_panel.py" line="307"/>
        <source>{count:,} vessels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_panel.py" line="249"/>
        <source>{count:,} dark gap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_panel.py" line="249"/>
        <source>{count:,} dark gaps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_panel.py" line="250"/>
        <source>{vessels}, {gaps}; {dropped:,} rows dropped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_panel.py" line="120"/>
        <source>No sanctions lists</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_panel.py" line="182"/>
        <source>Removed the sanctions list {name}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_panel.py" line="236"/>
        <source>Sanctions lists</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_panel.py" line="301"/>
        <source>Import a sanctions list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_panel.py" line="304"/>
        <source>YYYY-MM-DD (the date the list was published)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/weights_dialog.py" line="44"/>
        <source>Bai Mei: suspicion weights</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/weights_dialog.py" line="62"/>
        <source>{words} (default {default})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/weights_dialog.py" line="77"/>
        <source>Reset to defaults</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/plugin.py" line="99"/>
        <source>Cannot open the panel: {exc}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/plugin.py" line="110"/>
        <source>Cannot open the optional packages: {exc}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/plugin.py" line="121"/>
        <source>Cannot open {algorithm_id}: {exc}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/radar_settings.py" line="46"/>
        <source>False-alarm rate (PFA)</source>
        <translation>Taux de fausses alarmes (PFA)</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/radar_settings.py" line="46"/>
        <source>Land buffer (m)</source>
        <translation>Marge à terre (m)</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/radar_settings.py" line="46"/>
        <source>Minimum length (m)</source>
        <translation>Longueur minimale (m)</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/radar_settings.py" line="46"/>
        <source>Maximum match distance (m)</source>
        <translation>Distance maximale d'appariement (m)</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/radar_settings.py" line="46"/>
        <source>Dead reckoning at most (minutes)</source>
        <translation>Estime au plus (minutes)</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/radar_settings.py" line="80"/>
        <source>nothing</source>
        <translation>rien</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/radar_settings.py" line="81"/>
        <source>{label} must be between {low:g} and {high:g}; found {found}.</source>
        <translation>{label} doit être entre {low:g} et {high:g} ; trouvé : {found}.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/radar_settings.py" line="120"/>
        <source>Bai Mei: radar settings</source>
        <translation>Bai Mei : réglages radar</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/radar_settings.py" line="125"/>
        <source>Used by the next Detect vessels. Detect vessels in a radar scene and Match radar detections with AIS in the Processing Toolbox take the same parameters.</source>
        <translation>Utilisés par le prochain Détecter les navires. Dans la boîte à outils de traitement, Détecter les navires dans une scène radar et Apparier les détections radar avec l'AIS prennent les mêmes paramètres.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/radar_settings.py" line="157"/>
        <source>Restore defaults</source>
        <translation>Valeurs par défaut</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_panel.py" line="37"/>
        <source>Port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_panel.py" line="37"/>
        <source>Max stay h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_panel.py" line="37"/>
        <source>Arrive ≥</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_panel.py" line="37"/>
        <source>Leave ≤</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_panel.py" line="37"/>
        <source>LOCODE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/models.py" line="141"/>
        <source>Rank</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessel_models.py" line="40"/>
        <source>Vessel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_panel.py" line="52"/>
        <source>Score</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_panel.py" line="52"/>
        <source>AIS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessel_models.py" line="40"/>
        <source>MMSI</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_results.py" line="64"/>
        <source>Date (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_results.py" line="64"/>
        <source>Dark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_results.py" line="64"/>
        <source>Covers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_results.py" line="64"/>
        <source>Cloud %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_results.py" line="64"/>
        <source>GSD m</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_results.py" line="64"/>
        <source>Platform</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_results.py" line="64"/>
        <source>Collection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/models.py" line="141"/>
        <source>Suspicion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/models.py" line="141"/>
        <source>Hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/models.py" line="141"/>
        <source>Review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/models.py" line="141"/>
        <source>Off (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/models.py" line="141"/>
        <source>On (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/models.py" line="141"/>
        <source>Distance nm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/models.py" line="141"/>
        <source>Implied kn</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/models.py" line="141"/>
        <source>Draught m</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/models.py" line="141"/>
        <source>Destination</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessel_models.py" line="40"/>
        <source>Gaps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessel_models.py" line="40"/>
        <source>Longest h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessel_models.py" line="40"/>
        <source>Reports</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessel_models.py" line="40"/>
        <source>First seen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessel_models.py" line="40"/>
        <source>Last seen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessel_models.py" line="40"/>
        <source>Listed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessel_models.py" line="40"/>
        <source>Worst gap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_panel.py" line="319"/>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_panel.py" line="320"/>
        <source>Published</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_panel.py" line="221"/>
        <source>Vessels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_panel.py" line="221"/>
        <source>Source file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_panel.py" line="221"/>
        <source>Imported (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_panel.py" line="221"/>
        <source>New sightings layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/case_bar.py" line="105"/>
        <source>GeoPackage (*.gpkg)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_panel.py" line="600"/>
        <source>Vessel profiles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_panel.py" line="600"/>
        <source>CSV (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/case_bar.py" line="243"/>
        <source>New case…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/case_bar.py" line="46"/>
        <source>Open case…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/case_bar.py" line="97"/>
        <source>New case</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/case_bar.py" line="105"/>
        <source>Open case</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/chip_view.py" line="158"/>
        <source>No sighting of the same vessel on another date (same candidate MMSI, or within {same_place_m_1000:g} km): one chip only.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/criteria_widget.py" line="57"/>
        <source>Preset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="68"/>
        <source>Engine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="81"/>
        <source>Run in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="91"/>
        <source>Connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="95"/>
        <source>Table</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="120"/>
        <source>Archive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="124"/>
        <source>Scheduler</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="128"/>
        <source>Find gaps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/engine_box.py" line="197"/>
        <source>Parquet archive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="99"/>
        <source>(no vessel: every vessel&apos;s features)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="101"/>
        <source>{vessel_name_or_unnamed} (MMSI {mmsi})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="108"/>
        <source>MMSI {mmsi}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="110"/>
        <source>Vessel of the case</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="111"/>
        <source>Only this vessel&apos;s features (tracks, gaps, areas, ports of its gaps)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="115"/>
        <source>Layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="124"/>
        <source>Formats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="125"/>
        <source>The case report (PDF and HTML)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="131"/>
        <source>Folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="133"/>
        <source>Base name of the files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="134"/>
        <source>Replace files of the same name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="144"/>
        <source>Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="145"/>
        <source>Cancel export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="147"/>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gap_details.py" line="120"/>
        <source>Selected gap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gap_details.py" line="138"/>
        <source>Of interest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gap_details.py" line="149"/>
        <source>Reach</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_panel.py" line="99"/>
        <source>Gap criteria: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_form.py" line="218"/>
        <source>Choose a catalogue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_results.py" line="185"/>
        <source>Results ({count})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_results.py" line="193"/>
        <source>Results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/packages_dialog.py" line="54"/>
        <source>&lt;b&gt;{name}&lt;/b&gt;: {enables}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_panel.py" line="75"/>
        <source>Choose a folder of AIS files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_panel.py" line="137"/>
        <source>CSV files (*.csv *.txt);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_panel.py" line="244"/>
        <source>Import…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_panel.py" line="245"/>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_panel.py" line="254"/>
        <source>Kept in your QGIS profile; vessels of the loaded reports on a list are shown in red.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/weights_dialog.py" line="50"/>
        <source>Points given by each reason of suspicion, and the thresholds that decide when a reason applies.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_panel.py" line="169"/>
        <source>Bai Mei: where could {vessel} have gone?</source>
        <translation>Bai Mei : où {vessel} a-t-il pu aller ?</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_panel.py" line="202"/>
        <source>Bai Mei: vessels on radar in {layer}</source>
        <translation>Bai Mei : navires visibles au radar dans {layer}</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="251"/>
        <source>export only {vessel}&apos;s?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="251"/>
        <source>export it all?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="252"/>
        <source>Bai Mei: a large export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="301"/>
        <source>Bai Mei: unfinished export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="301"/>
        <source>{count} temporary file(s) ({megabytes:.1f} MB) of an export that never finished (QGIS was closed or stopped while writing) are in {folder}: {names}. They are incomplete and cannot be recovered as files; remove them?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="313"/>
        <source>Removed {count} unfinished export file(s) ({megabytes:.1f} MB) from {folder}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="317"/>
        <source>Could not remove: {files}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_panel.py" line="143"/>
        <source>&lt;b&gt;Search failed.&lt;/b&gt; {message}</source>
        <translation>&lt;b&gt;Échec de la recherche.&lt;/b&gt; {message}</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_panel.py" line="143"/>
        <source>Search cancelled; nothing was added.</source>
        <translation>Recherche annulée ; rien n'a été ajouté.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_panel.py" line="301"/>
        <source>{count:,} scene found</source>
        <translation>{count:,} scène trouvée</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_panel.py" line="301"/>
        <source>{count:,} scenes found</source>
        <translation>{count:,} scènes trouvées</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_panel.py" line="302"/>
        <source>No scenes found</source>
        <translation>Aucune scène trouvée</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_panel.py" line="305"/>
        <source>, {dark:,} taken while the vessel was dark</source>
        <translation>, dont {dark:,} prises pendant la coupure AIS du navire</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_panel.py" line="307"/>
        <source>; stopped at {limit:,}: more match, narrow the search</source>
        <translation> ; arrêt à {limit:,} : il y en a d'autres, affinez la recherche</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_panel.py" line="312"/>
        <source>{count} search(es); collections: {collections}</source>
        <translation>{count} recherche(s) ; collections : {collections}</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_panel.py" line="312"/>
        <source>all</source>
        <translation>toutes</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_panel.py" line="317"/>
        <source>Not kept: {count:,}</source>
        <translation>Non retenues : {count:,}</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_panel.py" line="320"/>
        <source>{count:,} kept with unknown cloud cover</source>
        <translation>{count:,} retenues malgré une couverture nuageuse inconnue</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/radar_settings.py" line="46"/>
        <source>How often a patch of empty sea may be taken for a ship: 1e-7 is one pixel in ten million. A larger rate (1e-5) also finds fainter, smaller boats and more false alarms; a smaller one (1e-9) only bright ships. Between 1e-12 and 1e-3.</source>
        <translation>La fréquence à laquelle une zone de mer vide peut être prise pour un navire : 1e-7, c'est un pixel sur dix millions. Un taux plus grand (1e-5) trouve aussi des bateaux plus petits et plus pâles, et plus de fausses alarmes ; un plus petit (1e-9), seulement les navires brillants. Entre 1e-12 et 1e-3.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/radar_settings.py" line="46"/>
        <source>Sea this close to the coast is not searched, so quays, rocks and breakwaters are not taken for ships. Raise it where the world map&apos;s coastline is coarse.</source>
        <translation>La mer aussi proche de la côte n'est pas examinée, pour que quais, rochers et digues ne soient pas pris pour des navires. Augmentez-la là où le trait de côte de la carte du monde est grossier.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/radar_settings.py" line="46"/>
        <source>Bright targets shorter than this are dropped: speckle, buoys and small boats. At Sentinel-1&apos;s 10 m pixels a vessel needs about 30 m to show at all.</source>
        <translation>Les cibles brillantes plus courtes sont écartées : chatoiement, bouées et petits bateaux. Avec les pixels de 10 m de Sentinel-1, un navire doit mesurer environ 30 m pour apparaître.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/radar_settings.py" line="46"/>
        <source>How far a radar target may lie from where AIS puts a vessel at the scene&apos;s time and still be that vessel. Raise it where AIS reports are sparse.</source>
        <translation>La distance maximale entre une cible radar et la position que l'AIS donne à un navire à l'heure de la scène pour que ce soit ce navire. Augmentez-la là où les messages AIS sont espacés.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/radar_settings.py" line="46"/>
        <source>A vessel whose nearest AIS report is at most this far from the scene&apos;s time is moved along its course and speed to that time; a vessel with no report that near is not placed and cannot match.</source>
        <translation>Un navire dont le message AIS le plus proche est au plus à cette durée de l'heure de la scène est déplacé selon sa route et sa vitesse jusqu'à cette heure ; un navire sans message aussi proche n'est pas placé et ne peut pas être apparié.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/radar_settings.py" line="70"/>
        <source>Default: {value}.</source>
        <translation>Par défaut : {value}.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_panel.py" line="77"/>
        <source>Cancelled; nothing was added.</source>
        <translation>Annulé ; rien n'a été ajouté.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_panel.py" line="553"/>
        <source>{count} sightings here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/case_bar.py" line="179"/>
        <source>Writing the layers shown into the case {path} was cancelled: they stay in memory, not in the case. New layers are still written there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/export_dialog.py" line="288"/>
        <source>Wrote {count} file(s) to {folder}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_panel.py" line="200"/>
        <source>{shown:,} of {total:,} gaps shown.</source>
        <translation>{shown:,} coupures affichées sur {total:,}.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_panel.py" line="200"/>
        <source>No gaps loaded.</source>
        <translation>Aucune coupure chargée.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_panel.py" line="209"/>
        <source>Scoring… {scored:,} scored.</source>
        <translation>Notation… {scored:,} notées.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/gaps_panel.py" line="211"/>
        <source>{scored:,} scored (stopped).</source>
        <translation>{scored:,} notées (arrêt).</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_aoi.py" line="127"/>
        <source>Within {radius} nm of {port} ({where}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_aoi.py" line="147"/>
        <source>Where {name} could have been while dark (layer &apos;{layer}&apos;).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_aoi.py" line="153"/>
        <source>The line between where {name} went dark and reappeared (no reachability layer for this gap).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_aoi.py" line="155"/>
        <source>The line between where {name} went dark and reappeared.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_aoi.py" line="170"/>
        <source>{count} selected feature(s) of &apos;{layer}&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_aoi.py" line="182"/>
        <source>The map extent: longitude {west} to {east}, latitude {south} to {north}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_panel.py" line="58"/>
        <source>The imagery search was cancelled; nothing was added.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/packages_dialog.py" line="76"/>
        <source>Installing {name} cancelled; nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/radar_part.py" line="35"/>
        <source>Radar</source>
        <translation>Radar</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/radar_part.py" line="35"/>
        <source>Length m</source>
        <translation>Longueur m</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/radar_part.py" line="35"/>
        <source>Offset m</source>
        <translation>Écart m</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/radar_part.py" line="35"/>
        <source>Dark gap of</source>
        <translation>Coupure de</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/radar_part.py" line="35"/>
        <source>Detection</source>
        <translation>Détection</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/radar_part.py" line="211"/>
        <source>Select a dark detection in the table first.</source>
        <translation>Sélectionnez d'abord une détection sombre dans le tableau.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/radar_part.py" line="215"/>
        <source>Choose or create a sightings layer on the Annotate page first.</source>
        <translation>Choisissez ou créez d'abord une couche d'observations sur la page Annotate.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/radar_part.py" line="237"/>
        <source>Sighting added to {layer} from radar detection {detection}: {length} m long, heading {heading}° (or {opposite}°). Describe it on the Annotate page.</source>
        <translation>Observation ajoutée à {layer} depuis la détection radar {detection} : {length} m de long, cap {heading}° (ou {opposite}°). Décrivez-la sur la page Annotate.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/scoring_task.py" line="41"/>
        <source>{count:,} gap scored: {high:,} high, {medium:,} medium, {low:,} low</source>
        <translation>{count:,} coupure notée : élevé {high:,}, moyen {medium:,}, faible {low:,}</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/scoring_task.py" line="43"/>
        <source>{count:,} gaps scored: {high:,} high, {medium:,} medium, {low:,} low</source>
        <translation>{count:,} coupures notées : élevé {high:,}, moyen {medium:,}, faible {low:,}</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/scoring_task.py" line="49"/>
        <source>{scored}; top: {vessel}, {points} pts ({level}).</source>
        <translation>{scored} ; en tête : {vessel}, {points} pts ({level}).</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/scoring_task.py" line="62"/>
        <source>Scoring cancelled: {scored:,} of {total:,} gaps scored.</source>
        <translation>Notation annulée : {scored:,} coupures notées sur {total:,}.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/tracks_panel.py" line="43"/>
        <source>Loading {name} was cancelled; nothing was added.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/vessels_panel.py" line="310"/>
        <source>; skipped {dropped}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/tasks/ais_tasks.py" line="238"/>
        <source>No points layer: the file does not fit in memory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/tasks/ais_tasks.py" line="301"/>
        <source>Could not write the load into the case {path}: {problem}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/tasks/analysis_tasks.py" line="72"/>
        <source>{vessel}: {area} km² of sea within reach at {speed} kn; {ports} ports it could have called at.</source>
        <translation>{vessel} : {area} km² de mer atteignables à {speed} nœuds ; {ports} ports où il a pu faire escale.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/tasks/analysis_tasks.py" line="97"/>
        <source>{visits:,} port visits, {stops:,} stops; {mismatches} gaps after which the ship went somewhere else than it declared.</source>
        <translation>{visits:,} escales, {stops:,} arrêts ; {mismatches} coupures après lesquelles le navire est allé ailleurs qu'annoncé.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/tasks/analysis_tasks.py" line="114"/>
        <source>{count:,} encounters at sea (≤ 500 m, ≥ 2 h, ≤ 2 kn, ≥ 10 km from a port).</source>
        <translation>{count:,} rencontres en mer (≤ 500 m, ≥ 2 h, ≤ 2 nœuds, ≥ 10 km d'un port).</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/tasks/analysis_tasks.py" line="132"/>
        <source>{count:,} identity anomalies ({kinds}).</source>
        <translation>{count:,} anomalies d'identité ({kinds}).</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/tasks/analysis_tasks.py" line="136"/>
        <source>{count:,} identity anomalies.</source>
        <translation>{count:,} anomalies d'identité.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/tasks/radar_tasks.py" line="28"/>
        <source>with AIS</source>
        <translation>avec AIS</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/tasks/radar_tasks.py" line="28"/>
        <source>dark</source>
        <translation>sombre</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/tasks/radar_tasks.py" line="28"/>
        <source>not seen</source>
        <translation>non vu</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/tasks/radar_tasks.py" line="140"/>
        <source>{scene}: {vessels:,} vessels on radar (false-alarm rate {pfa}), {matched:,} with AIS, {dark:,} dark (no AIS within {distance} m), {unseen:,} AIS vessels not seen.</source>
        <translation>{scene} : {vessels:,} navires au radar (taux de fausses alarmes {pfa}), {matched:,} avec AIS, {dark:,} sombres (pas d'AIS à moins de {distance} m), {unseen:,} navires AIS non vus.</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/tasks/score_tasks.py" line="38"/>
        <source>Sanctions lists not used: {problem}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/tasks/score_tasks.py" line="50"/>
        <source>Scored without land: {problem}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_results.py" line="147"/>
        <source>Adding the scene to the map was cancelled; nothing was added.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_panel.py" line="245"/>
        <source>Open sightings layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_panel.py" line="469"/>
        <source>{sighting}: best candidate {name} (from the case).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_panel.py" line="221"/>
        <source>{count:,} scenes from the case&apos;s last search.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/tasks/radar_tasks.py" line="182"/>
        <source>{scene}: {vessels:,} vessels on radar, {matched:,} with AIS, {dark:,} dark, {unseen:,} AIS vessels not seen (from the case).</source>
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
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="121"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="71"/>
        <source>Vessels on radar</source>
        <translation>Navires au radar</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="75"/>
        <source>A single-band SAR scene on the map (Sentinel-1 GRD or RTC); its time comes from its metadata</source>
        <translation>Une scène SAR à une bande sur la carte (Sentinel-1 GRD ou RTC) ; son heure vient de ses métadonnées</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="76"/>
        <source>Radar scene</source>
        <translation>Scène radar</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="84"/>
        <source>Detect vessels</source>
        <translation>Détecter les navires</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="85"/>
        <source>Bright targets on the sea of the scene (CFAR), matched with the loaded AIS at the scene&apos;s time; the results in the table below</source>
        <translation>Cibles brillantes sur la mer de la scène (CFAR), appariées avec l'AIS chargé à l'heure de la scène ; les résultats dans le tableau ci-dessous</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="97"/>
        <source>Make sighting</source>
        <translation>Créer une observation</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="98"/>
        <source>The selected dark detection as a sighting in the Annotate page&apos;s layer, with the radar&apos;s length, width, heading and time</source>
        <translation>La détection sombre sélectionnée, comme observation dans la couche de la page Annotate, avec la longueur, la largeur, le cap et l'heure mesurés au radar</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="90"/>
        <source>Settings…</source>
        <translation>Réglages…</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="91"/>
        <source>The detector&apos;s and the matching&apos;s settings used by the next Detect vessels: false-alarm rate, land buffer, minimum length, maximum match distance, dead reckoning</source>
        <translation>Les réglages du détecteur et de l'appariement utilisés par le prochain Détecter les navires : taux de fausses alarmes, marge à terre, longueur minimale, distance maximale d'appariement, estime</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/analysis_page.ui" line="92"/>
        <source>Radar settings</source>
        <translation>Réglages radar</translation>
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
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="29"/>
        <source>Export the case…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="30"/>
        <source>The case vessel&apos;s layers, the sightings, the ranking and the report, written in the background to the last folder used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="40"/>
        <source>Mark vessel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="42"/>
        <source>Click on the ship in the image to add a sighting and open its form</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="47"/>
        <source>Measure hull</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="49"/>
        <source>Click the bow, then the stern, then two points across the hull: fills the selected sighting&apos;s length, heading and beam (geodesic metres)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="54"/>
        <source>Chip view</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="55"/>
        <source>The selected sighting up close (about 1:2,500, turned to the ship&apos;s heading) beside another date&apos;s sighting of the same vessel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="62"/>
        <source>Select a sighting to see who it could be.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="70"/>
        <source>Who could it be?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="75"/>
        <source>Profiles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="76"/>
        <source>Open the vessel profiles as an editable table in QGIS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="81"/>
        <source>Add profile…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="82"/>
        <source>Add the selected sighting&apos;s features to the vessel profiles as a known vessel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="105"/>
        <source>Pattern of activity here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="106"/>
        <source>The sightings in the map view over time, each with the vessel it most likely is</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="18"/>
        <source>With a case open: a sightings table in the case&apos;s GeoPackage; otherwise a GeoPackage you choose</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="23"/>
        <source>Open sightings layer…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/annotate_page.ui" line="24"/>
        <source>A sightings layer made before, from its GeoPackage (a case&apos;s or another)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AnomaliesAlgorithm</name>
    <message>
        <location filename="../../bai_mei_plugin/processing/anomalies.py" line="25"/>
        <source>Identity anomalies</source>
        <translation>Anomalies d'identité</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/anomalies.py" line="55"/>
        <source>Maximum plausible speed (kn)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/anomalies.py" line="65"/>
        <source>Flags (table with mmsi and a flag field)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/anomalies.py" line="73"/>
        <source>Flag field (ISO country code)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/anomalies.py" line="78"/>
        <source>Anomalies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/anomalies.py" line="83"/>
        <source>Number of anomalies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/anomalies.py" line="34"/>
        <source>&lt;p&gt;Signs that an AIS identity is not what it says. &lt;b&gt;jump&lt;/b&gt;: consecutive reports of one MMSI further apart than &lt;i&gt;maximum speed&lt;/i&gt; (50 kn) allows (spoofing, or two ships sharing an MMSI — &lt;b&gt;shared_mmsi&lt;/b&gt; when its reports split into two or more tracks running at the same time, each out of reach of the others; the evidence gives each track's reports, times and extent). Every jump is listed. &lt;b&gt;conflicting_duplicate&lt;/b&gt;: reports of one MMSI at the same second more than 1 nm apart (one per MMSI, at the largest, with their number). &lt;b&gt;invalid_mmsi&lt;/b&gt; (not 9 digits, or no ITU format; reports with MMSI 0 or below are left out when reading and still reported here with their number), &lt;b&gt;unallocated_mid&lt;/b&gt; (the country prefix is not in the ITU MID table shipped with the plugin), &lt;b&gt;special_mmsi&lt;/b&gt; (coast stations, SAR aircraft, AtoN… described, not flagged). &lt;b&gt;name_change&lt;/b&gt;, &lt;b&gt;imo_change&lt;/b&gt;, &lt;b&gt;callsign_change&lt;/b&gt; under one MMSI, and &lt;b&gt;invalid_imo&lt;/b&gt; (the IMO check digit fails). Each anomaly is a point with its evidence in plain words.&lt;/p&gt;&lt;p&gt;&lt;b&gt;flag_mismatch&lt;/b&gt;: give a table of flags (&lt;i&gt;Flags&lt;/i&gt;: any layer or table with an &lt;code&gt;mmsi&lt;/code&gt; field and a &lt;i&gt;flag field&lt;/i&gt; holding ISO 3166 two-letter country codes, such as a registry extract) and each MMSI whose MID country differs from its flag is reported.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BaiMeiAlgorithm</name>
    <message>
        <location filename="../../bai_mei_plugin/processing/base.py" line="39"/>
        <source>AIS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/base.py" line="39"/>
        <source>Analysis</source>
        <translation>Analyse</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/base.py" line="39"/>
        <source>Case</source>
        <translation>Dossier</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/base.py" line="39"/>
        <source>Imagery</source>
        <translation>Imagerie</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/base.py" line="39"/>
        <source>Large archives</source>
        <translation>Grandes archives</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/base.py" line="350"/>
        <source>AIS points</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/base.py" line="357"/>
        <source>MMSI field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/base.py" line="366"/>
        <source>Time field (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/criteria_block.py" line="29"/>
        <source>Preset</source>
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
    <name>DetectGapsAlgorithm</name>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps.py" line="40"/>
        <source>Detect dark gaps</source>
        <translation>Détecter les coupures AIS</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps.py" line="47"/>
        <source>&lt;p&gt;Finds the dark gaps in AIS reports: the times a vessel's transponder was silent.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Definition.&lt;/b&gt; Reports are cleaned (missing or bad MMSI/time/position, duplicates of MMSI and time dropped and counted) and sorted per MMSI by time. A gap is a pair of &lt;i&gt;consecutive&lt;/i&gt; reports of one MMSI whose times differ by at least &lt;i&gt;minimum gap&lt;/i&gt; hours (exactly the threshold counts). Optional criteria, off at 0: both ends at least &lt;i&gt;minimum distance from shore&lt;/i&gt; nautical miles from land (land: the layer given, or QGIS's bundled Natural Earth world map; distance to the densified coastline, exact to 0.3 nm); at least &lt;i&gt;minimum positions&lt;/i&gt; reports in the 12 hours before the gap, counting its last report (times t&lt;sub&gt;off&lt;/sub&gt; − 12 h … t&lt;sub&gt;off&lt;/sub&gt;).&lt;/p&gt;&lt;p&gt;&lt;b&gt;Presets&lt;/b&gt; fix the three criteria and override the values below: &lt;i&gt;Port call&lt;/i&gt; (6 h, any distance; the default: the Bai Mei 8 went dark near shore) and &lt;i&gt;GFW AIS-disabling&lt;/i&gt; (12 h, ≥ 50 nm from shore at both ends, ≥ 14 positions in the 12 h before, as Global Fishing Watch publishes). Choose &lt;i&gt;Custom&lt;/i&gt; to use your own values.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Outputs.&lt;/b&gt; Gaps: one line per gap from the last report before to the first after, with times, hours, great-circle distance (nm, sphere of radius 6,371,008.8 m), implied speed, SOG, draught and destination either side, positions in the 12 h before and distance from shore of each end (filled when a land layer is given or a minimum distance from shore is set, NULL otherwise); time-enabled from off_time to on_time. Tracks: one LineStringM (M = epoch seconds) per vessel segment between gaps; segments of a single report make no line and are counted in the log. GAP_COUNT is the number of gaps.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps.py" line="73"/>
        <source>Dark gaps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps.py" line="78"/>
        <source>Tracks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps.py" line="83"/>
        <source>Number of gaps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps.py" line="90"/>
        <source>Land polygons (default: QGIS&apos;s world map)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DetectGapsArchiveAlgorithm</name>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps_archive.py" line="22"/>
        <source>Detect dark gaps in an archive (Dask)</source>
        <translation>Détecter les coupures AIS dans une archive (Dask)</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps_archive.py" line="43"/>
        <source>Archive (Parquet folder or file, or CSV glob)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps_archive.py" line="46"/>
        <source>Dask scheduler address (empty: local cluster)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps_archive.py" line="51"/>
        <source>Workers of the local cluster</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps_archive.py" line="62"/>
        <source>Dark gaps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps_archive.py" line="67"/>
        <source>Number of gaps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps_archive.py" line="29"/>
        <source>&lt;p&gt;The dark gaps of &lt;i&gt;Detect dark gaps&lt;/i&gt; (same definition, same criteria, same core function, identical results), found by Dask in an archive that never enters QGIS: a Parquet dataset (a folder of partitions or a file) or CSV files (a glob such as &lt;code&gt;/data/ais_*.csv&lt;/code&gt;). Reports are shuffled by MMSI so that each vessel&apos;s reports meet in one partition, and each partition is cleaned and searched on the workers.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Scheduler&lt;/b&gt;: the address of a running cluster (&lt;code&gt;tcp://host:8786&lt;/code&gt;; its workers must be able to import the plugin), or empty for a local cluster of &lt;i&gt;workers&lt;/i&gt; processes on this machine. Columns are matched by name (MarineCadastre, DMA and the plugin&apos;s own names). Needs the Python packages dask[distributed], pandas and pyarrow.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DetectGapsPostgisAlgorithm</name>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps_postgis.py" line="33"/>
        <source>Detect dark gaps in PostGIS</source>
        <translation>Détecter les coupures AIS dans PostGIS</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps_postgis.py" line="86"/>
        <source>PostgreSQL connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps_postgis.py" line="89"/>
        <source>Table of AIS reports (schema.table)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps_postgis.py" line="94"/>
        <source>Only reports from (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps_postgis.py" line="95"/>
        <source>Only reports until (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps_postgis.py" line="96"/>
        <source>Only reports within this extent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps_postgis.py" line="99"/>
        <source>Land polygons table on the server (schema.table)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps_postgis.py" line="104"/>
        <source>Geometry column of the land table</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps_postgis.py" line="109"/>
        <source>Or use QGIS&apos;s world map as land, uploaded once to the server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps_postgis.py" line="117"/>
        <source>Schema for the uploaded land (baimei_land)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps_postgis.py" line="122"/>
        <source>Also write the gaps to a server table (schema.table)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps_postgis.py" line="127"/>
        <source>Overwrite that table if it exists</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps_postgis.py" line="132"/>
        <source>Dark gaps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps_postgis.py" line="141"/>
        <source>Number of gaps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps_postgis.py" line="142"/>
        <source>Gaps table (PostGIS layer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps_postgis.py" line="147"/>
        <source>Gaps table (schema.table)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_gaps_postgis.py" line="61"/>
        <source>&lt;p&gt;The dark gaps of &lt;i&gt;Detect dark gaps&lt;/i&gt; (same definition and criteria, identical results), computed by the PostGIS server in one SQL statement (window functions over each MMSI&apos;s reports in time order, great-circle distances with geography on the plugin&apos;s sphere): the reports never leave the database.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Connection&lt;/b&gt;: one of QGIS&apos;s PostgreSQL connections (its credentials stay in QGIS). &lt;b&gt;Table&lt;/b&gt;: &lt;code&gt;schema.table&lt;/code&gt; or a table on the search path; columns: MMSI, time (timestamptz, timestamp as UTC, or epoch seconds), and a Point geometry or longitude and latitude columns. Names are checked against the database and always quoted.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Distance from shore&lt;/b&gt; (needed by a minimum distance from shore; fills off/on_shore_nm): a &lt;i&gt;land table&lt;/i&gt; of polygons on the server (&lt;code&gt;schema.table&lt;/code&gt; and its geometry column, any SRID), or &lt;i&gt;upload the bundled land&lt;/i&gt;: QGIS&apos;s world map, the in-process engine&apos;s default land, written once to &lt;code&gt;&amp;lt;schema&amp;gt;.baimei_land&lt;/code&gt; and &lt;code&gt;baimei_land_vertices&lt;/code&gt; and reused while unchanged (content hash). Distances are those of the in-process engine (nearest vertex of the coastline densified to 1 km, 0 on land).&lt;/p&gt;&lt;p&gt;&lt;b&gt;Time range&lt;/b&gt; and &lt;b&gt;extent&lt;/b&gt; (optional) limit the reports the server looks at: a gap is then between two reports inside them.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Gaps table&lt;/b&gt;: with &lt;code&gt;schema.table&lt;/code&gt; the gaps are also written on the server (one row per gap with the gaps layer&apos;s fields, &lt;code&gt;fid&lt;/code&gt; primary key, LineString &lt;code&gt;geom&lt;/code&gt;, indexed) and that PostGIS layer is loaded; an existing table is replaced only with &lt;i&gt;overwrite&lt;/i&gt;. The Dark gaps output can then be left empty to skip streaming the gaps back.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DetectVesselsAlgorithm</name>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_vessels.py" line="29"/>
        <source>Detect vessels in a radar scene</source>
        <translation>Détecter les navires dans une scène radar</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_vessels.py" line="43"/>
        <source>&lt;p&gt;Bright targets on the sea of a single-band SAR scene (Sentinel-1 GRD or RTC, from a file or a /vsicurl/ COG; any calibrated or uncalibrated backscatter). Each pixel is compared with a ring of sea around it (outside a &lt;i&gt;guard&lt;/i&gt; window of 400 m that keeps a ship out of its own background, inside an 800 m &lt;i&gt;background&lt;/i&gt; window): it is bright when it exceeds the ring&apos;s mean by &lt;i&gt;k&lt;/i&gt; standard deviations (in decibels), &lt;i&gt;k&lt;/i&gt; set by the &lt;i&gt;false-alarm rate&lt;/i&gt; (1e-7: about 5.2). Bright pixels are joined into targets; each is measured from the spread of its pixels: length, width, heading of the long axis (0-180, a blob has no bow), peak brightness (dB) and a confidence (a ranking, not a probability). Targets shorter than the &lt;i&gt;minimum length&lt;/i&gt; are dropped.&lt;/p&gt;&lt;p&gt;Land (QGIS&apos;s world map unless a land layer is given) grown by the &lt;i&gt;land buffer&lt;/i&gt; is not searched; detections within 1 km of land are marked &lt;i&gt;near_land&lt;/i&gt; (quays, rocks, breakwaters). Only the &lt;i&gt;extent&lt;/i&gt; is read (the whole scene if none), window by window. The scene time comes from its metadata (ACQUISITION_START, datetime, TIFFTAG_DATETIME) unless &lt;i&gt;Time&lt;/i&gt; is given.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Limits&lt;/b&gt;: azimuth ambiguities (faint copies of bright ships or quays displaced along the flight direction) and wind streaks, rain cells or breaking waves can be detected; boats shorter than about three pixels (30 m at 10 m) are missed; a coarse world map leaves small islands and piers unmasked, so check near_land detections against a detailed coastline; lengths include any bright wake or sidelobe.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_vessels.py" line="66"/>
        <source>SAR scene (one band)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_vessels.py" line="67"/>
        <source>Area of interest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_vessels.py" line="68"/>
        <source>Scene time (UTC; default: from its metadata)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_vessels.py" line="73"/>
        <source>Land (default: QGIS&apos;s world map)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_vessels.py" line="81"/>
        <source>Land buffer (m)</source>
        <translation type="unfinished">Marge à terre (m)</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_vessels.py" line="81"/>
        <source>False-alarm rate (per pixel)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_vessels.py" line="81"/>
        <source>Minimum length (m)</source>
        <translation type="unfinished">Longueur minimale (m)</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_vessels.py" line="91"/>
        <source>Radar detections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/detect_vessels.py" line="96"/>
        <source>Number of detections</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EncountersAlgorithm</name>
    <message>
        <location filename="../../bai_mei_plugin/processing/encounters.py" line="25"/>
        <source>Encounters at sea</source>
        <translation>Rencontres en mer</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/encounters.py" line="54"/>
        <source>Ports (default: bundled gazetteer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/encounters.py" line="72"/>
        <source>Dark gaps (for dark rendezvous)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/encounters.py" line="80"/>
        <source>Reachability areas (for dark rendezvous)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/encounters.py" line="88"/>
        <source>Encounters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/encounters.py" line="93"/>
        <source>Dark rendezvous candidates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/encounters.py" line="102"/>
        <source>Number of encounters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/encounters.py" line="39"/>
        <source>&lt;p&gt;Two vessels within &lt;i&gt;maximum distance&lt;/i&gt; (500 m) of each other for at least &lt;i&gt;minimum hours&lt;/i&gt; (2 h), both slower than &lt;i&gt;maximum speed&lt;/i&gt; (2 kn) and at least &lt;i&gt;minimum distance from a port&lt;/i&gt; (10 km): the criteria Global Fishing Watch publishes for encounters (transhipments at sea). Positions are interpolated on 10-minute slots between reports at most 1 h apart (nothing is invented across a silence) and compared in 500 m cells, never all pairs.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Dark rendezvous&lt;/b&gt;: with &lt;i&gt;dark gaps&lt;/i&gt; and their &lt;i&gt;reachability areas&lt;/i&gt; (from Gap reachability), another vessel&apos;s stop that overlaps a gap in time and lies inside its area is a candidate meeting with the dark ship.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/encounters.py" line="63"/>
        <source>Maximum distance (m)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/encounters.py" line="63"/>
        <source>Minimum duration (hours)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/encounters.py" line="63"/>
        <source>Maximum speed (kn)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/encounters.py" line="63"/>
        <source>Minimum distance from a port (km)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ExportCaseAlgorithm</name>
    <message>
        <location filename="../../bai_mei_plugin/processing/export_case.py" line="37"/>
        <source>Export the case</source>
        <translation>Exporter le dossier</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/export_case.py" line="90"/>
        <source>Layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/export_case.py" line="93"/>
        <source>Formats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/export_case.py" line="98"/>
        <source>Base name of the files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/export_case.py" line="103"/>
        <source>Overwrite existing files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/export_case.py" line="104"/>
        <source>Also write the case report (PDF and HTML)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/export_case.py" line="107"/>
        <source>Vessel of the report (MMSI; empty: guessed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/export_case.py" line="116"/>
        <source>Folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/export_case.py" line="117"/>
        <source>Files written</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/export_case.py" line="49"/>
        <source>&lt;p&gt;Writes the case's layers into one folder, for colleagues without QGIS and for the file.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Formats.&lt;/b&gt; &lt;i&gt;GeoPackage&lt;/i&gt;: &lt;code&gt;NAME.gpkg&lt;/code&gt; with every layer as a table and its style stored in the file (it opens styled in QGIS). &lt;i&gt;GeoJSON&lt;/i&gt;: &lt;code&gt;NAME_layer.geojson&lt;/code&gt; per layer, RFC 7946 (WGS 84 longitude/latitude), times as ISO 8601 UTC text (&lt;code&gt;2017-06-16T01:02:03Z&lt;/code&gt;). &lt;i&gt;KML&lt;/i&gt;: &lt;code&gt;NAME.kml&lt;/code&gt; for Google Earth, a folder per layer, each placemark with a name, a readable description and its time — a TimeStamp for layers with one time field (sightings, scenes), a TimeSpan for layers with a start and an end (gaps, tracks, reachable areas) — so Google Earth's time slider plays the case; colours from the layer's style (meant for the case's layers, not for millions of AIS reports). &lt;i&gt;CSV&lt;/i&gt;: &lt;code&gt;NAME_layer.csv&lt;/code&gt; per layer, X/Y (longitude/latitude) columns for points, WKT for other geometries, times ISO 8601 UTC; text cells are quoted, and one starting with = + - @ or a tab gets a leading ' so that a spreadsheet shows it instead of running it as a formula (numbers stay numbers).&lt;/p&gt;&lt;p&gt;&lt;b&gt;Name&lt;/b&gt;: a plain file name (letters, digits, spaces, - and _); characters some system cannot have in a file name (\ / : * ? &quot; &amp;lt; &amp;gt; |) are refused.&lt;/p&gt;&lt;p&gt;Files are written under temporary names and renamed when all are complete: a failed or cancelled export leaves nothing. An existing file is an error unless &lt;i&gt;overwrite&lt;/i&gt; is ticked.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Report&lt;/b&gt; (optional): &lt;code&gt;NAME_report.pdf&lt;/code&gt; and &lt;code&gt;NAME_report.html&lt;/code&gt; — the map of the vessel's track and dark gaps with its reachable sea, candidate ports, imagery footprints and sightings; the sightings with their features and top candidates; a timeline of AIS on/off and imagery; the data sources. Names, notes and other text from the data are printed as they are, never evaluated as QGIS expressions. Layers are recognised by name (gaps, tracks, reach_areas, candidate_visits, ports, footprints, sightings, candidates). The vessel is the &lt;i&gt;MMSI&lt;/i&gt; given, else the one most sightings name as candidate, else the one with the longest gap. The layout comes from &lt;code&gt;resources/layouts/case_report.qpt&lt;/code&gt;, which can be opened and edited as a QGIS layout template.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Suspicion and review.&lt;/b&gt; Gaps scored by &lt;i&gt;Score dark gaps by suspicion&lt;/i&gt; keep their &lt;code&gt;suspicion&lt;/code&gt;, &lt;code&gt;suspicion_level&lt;/code&gt;, &lt;code&gt;suspicion_rank&lt;/code&gt; and &lt;code&gt;why&lt;/code&gt;; the report gives each of the vessel's gaps its rank and reasons. The project's review queue goes with the case: each gap's &lt;code&gt;review_status&lt;/code&gt; and &lt;code&gt;review_note&lt;/code&gt;, and a &lt;code&gt;review_queue&lt;/code&gt; table of the case's reviewed gaps.&lt;/p&gt;&lt;p&gt;Output &lt;code&gt;WRITTEN&lt;/code&gt;: the paths written, separated by semicolons.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GapReachabilityAlgorithm</name>
    <message>
        <location filename="../../bai_mei_plugin/processing/gap_reachability.py" line="48"/>
        <source>Gap reachability and candidate port visits</source>
        <translation>Zone atteignable pendant la coupure et escales possibles</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/gap_reachability.py" line="90"/>
        <source>Dark gaps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/gap_reachability.py" line="95"/>
        <source>AIS points (for the default speed and the suspicion)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/gap_reachability.py" line="103"/>
        <source>Maximum speed (kn; 0 = per-vessel default)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/gap_reachability.py" line="113"/>
        <source>Land polygons (default: QGIS&apos;s world map)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/gap_reachability.py" line="121"/>
        <source>Ports (default: bundled gazetteer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/gap_reachability.py" line="129"/>
        <source>Reachable by sea only (routes round the land)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/gap_reachability.py" line="134"/>
        <source>Ports of interest (comma-separated)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/gap_reachability.py" line="142"/>
        <source>Reachability areas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/gap_reachability.py" line="147"/>
        <source>Candidate port visits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/gap_reachability.py" line="152"/>
        <source>Number of candidate visits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/gap_reachability.py" line="61"/>
        <source>&lt;p&gt;For each dark gap from A (off, t&lt;sub&gt;0&lt;/sub&gt;) to B (on, t&lt;sub&gt;1&lt;/sub&gt;) and a maximum speed v, the places the ship could have visited: the points P with d(A,P) + d(P,B) ≤ v·(t&lt;sub&gt;1&lt;/sub&gt;−t&lt;sub&gt;0&lt;/sub&gt;), great circles on a sphere of radius 6,371,008.8 m (an ellipse on the sphere, built with 360 vertices; correct across the antimeridian and around the poles), clipped to the sea with the land layer (default: QGIS's world map) and keeping only the water connected to A and B; then, with &lt;i&gt;by sea&lt;/i&gt; (the default), only the water a route by sea from A to B through it reaches in time (&lt;code&gt;by_sea&lt;/code&gt;): ships cannot cross land.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Maximum speed&lt;/b&gt;: 0 means each vessel's default, the larger of 12 kn and 1.2 × its 95th-percentile reported SOG over the AIS points (or, without them, over the SOG reported either side of its gaps).&lt;/p&gt;&lt;p&gt;&lt;b&gt;Candidate visits&lt;/b&gt;: a port P (default: the bundled gazetteer) is a candidate when the maximum possible dwell (t&lt;sub&gt;1&lt;/sub&gt;−t&lt;sub&gt;0&lt;/sub&gt;) − (d(A,P) + d(P,B)) / v is positive; &lt;code&gt;arrive_earliest&lt;/code&gt; and &lt;code&gt;depart_latest&lt;/code&gt; bound the stay. The dwell is also computed with distances by sea inside the reachable water (&lt;code&gt;max_dwell_hours_sea&lt;/code&gt;; ships cannot cross land; a lower bound of the real sea distance from a grid of about 120,000 cells, so the dwell stays an upper bound). A port within reach by great circle but not by sea is not a candidate; the log names it.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Suspicion&lt;/b&gt; of each gap (fields &lt;code&gt;suspicion&lt;/code&gt; (points), &lt;code&gt;suspicion_level&lt;/code&gt; and &lt;code&gt;why&lt;/code&gt; of the areas): the same score as &lt;i&gt;Score dark gaps by suspicion&lt;/i&gt; (baimei:scoregaps) with its default weights — a port of interest (names or UN/LOCODEs, comma-separated; default the North Korean ports named in sanctions reporting) reachable by sea, the draught, the declared destination, where the gap starts and ends (offshore raises it; a port call at a berth lowers it), the reception before it and, with the AIS points, what the reports say; each reason in words with its points. Candidate visits say whether their port is of interest (&lt;code&gt;of_interest&lt;/code&gt;).&lt;/p&gt;</source>
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
    <name>IdentifyVesselsAlgorithm</name>
    <message>
        <location filename="../../bai_mei_plugin/processing/identify_vessels.py" line="29"/>
        <source>Identify sighted vessels</source>
        <translation>Identifier les navires observés</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/identify_vessels.py" line="70"/>
        <source>Sightings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/identify_vessels.py" line="75"/>
        <source>Vessel profiles (default: the bundled synthetic BAI MEI 8 profiles)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/identify_vessels.py" line="83"/>
        <source>AIS points</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/identify_vessels.py" line="88"/>
        <source>MMSI field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/identify_vessels.py" line="91"/>
        <source>Time field (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/identify_vessels.py" line="96"/>
        <source>Dark gaps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/identify_vessels.py" line="101"/>
        <source>Reachability areas (with gap_id)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/identify_vessels.py" line="109"/>
        <source>Maximum speed (kn; 0 = per-vessel default)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/identify_vessels.py" line="119"/>
        <source>Distance counted as here (nm)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/identify_vessels.py" line="129"/>
        <source>Also list vessels without a profile that were or could have been there</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/identify_vessels.py" line="136"/>
        <source>Candidate vessels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/identify_vessels.py" line="141"/>
        <source>Number of candidate rows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/identify_vessels.py" line="42"/>
        <source>&lt;p&gt;For each vessel sighted on imagery, every profiled vessel is a candidate, ranked by how it looks and by whether it could have been there. One output point per sighting and candidate, &lt;code&gt;rank&lt;/code&gt; 1 = most likely.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Feature score&lt;/b&gt; (0–1): over the features both the sighting and the profile have, the matched weight over the compared weight (length, hatches and cranes count twice). Counts, colours and types must be equal; a length or beam gets full credit within the profile's tolerance (10 m, 3 m), decreasing linearly to none at three times the tolerance. Features missing on either side neither help nor hurt; with none to compare the score is empty (counted as 0.5).&lt;/p&gt;&lt;p&gt;&lt;b&gt;Space–time status&lt;/b&gt; at the sighting's time, with the vessel's maximum speed (&lt;i&gt;maximum speed&lt;/i&gt;, or 0 for its default: 1.2 × its 95th-percentile SOG, at least 12 kn, at most 25 kn) and a slack of &lt;i&gt;distance counted as here&lt;/i&gt; (5 nm): &lt;i&gt;dark and reachable&lt;/i&gt; when the time falls in one of its &lt;i&gt;dark gaps&lt;/i&gt; and it could have sailed from where it went dark to the sighting by then and on to where it reappeared (and the sighting is in the gap's &lt;i&gt;reachability area&lt;/i&gt;, when given); &lt;i&gt;reporting here&lt;/i&gt; when its AIS position, interpolated from reports within 1 h, is within that distance; &lt;i&gt;reporting nearby&lt;/i&gt; when it is further but could have sailed there; &lt;i&gt;elsewhere&lt;/i&gt; when its reports or its gap put it out of reach (excluded: listed with an empty rank); &lt;i&gt;no data&lt;/i&gt; otherwise.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Total score&lt;/b&gt; = feature score × 1.0 (reporting here), 0.9 (dark and reachable), 0.6 (reporting nearby), 0.5 (no data) or 0 (elsewhere). &lt;code&gt;reasons&lt;/code&gt; says why in words.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Vessels without a profile&lt;/b&gt;: optionally, every other MMSI of the AIS points or gaps is listed too when it was reporting there or could have been there while dark (no feature score).&lt;/p&gt;&lt;p&gt;Profiles default to the bundled &lt;i&gt;synthetic&lt;/i&gt; demo profiles of the BAI MEI 8 and its look-alikes (resources/profiles/bai_mei_8_profiles.csv; a CSV with the same columns can be given instead).&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ImageryPage</name>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="6"/>
        <source>Imagery</source>
        <translation>Imagerie</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="486"/>
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
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="117"/>
        <source>Login</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="127"/>
        <source>Collections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="137"/>
        <source>Collections (STAC) or item types (Planet), comma-separated; empty for all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="144"/>
        <source>List…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="147"/>
        <source>List the collections or item types the source offers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="154"/>
        <source>Cloud ≤</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="172"/>
        <source>Maximum cloud cover; 100 % keeps every scene</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="179"/>
        <source> %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="192"/>
        <source>Max</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="208"/>
        <source>Stop after this many scenes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="220"/>
        <source>When (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="226"/>
        <source>From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="236"/>
        <source>To</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="246"/>
        <source>Gap ±</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="255"/>
        <source> h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="267"/>
        <source>Hours added before the gap&apos;s off time and after its on time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="274"/>
        <source>From gap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="277"/>
        <source>The selected gap's window, ± the padding</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="284"/>
        <source>From map time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="287"/>
        <source>The Temporal Controller&apos;s current range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="299"/>
        <source>Where</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="305"/>
        <source>The area the scenes must touch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="314"/>
        <source>Port name or UN/LOCODE, e.g. Nampo or KPNAM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="317"/>
        <source>A port of the ports list (the World Port Index), by name, other name or UN/LOCODE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="320"/>
        <source>Port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="327"/>
        <source>How far around the port to search, in nautical miles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="330"/>
        <source>Radius around the port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="333"/>
        <source>within </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="336"/>
        <source> nm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="357"/>
        <source>Select a gap on the Gaps page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="382"/>
        <source>Results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="409"/>
        <source>No preview</source>
        <translation>Pas d'aperçu</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="436"/>
        <source>Select a scene.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="454"/>
        <source>Add to map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="457"/>
        <source>Load the scene&apos;s visual image (cloud-optimised GeoTIFF) as a layer in the case&apos;s group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="464"/>
        <source>Quick look</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="467"/>
        <source>Show the scene&apos;s preview on the map, stretched over its footprint (not georeferenced: for a first look only)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="489"/>
        <source>Search the catalogue in the background</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="496"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="503"/>
        <source>Basemap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="506"/>
        <source>Add a web basemap under the layers for context: OpenStreetMap, or satellite imagery (needs the internet; attribution in the layer&apos;s properties)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="100"/>
        <source>Previews</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/gui/imagery_page.ui" line="110"/>
        <source>Where the source&apos;s previews are (Planet: its tiles address): the login is sent there too, and to no other host</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ImportAisAlgorithm</name>
    <message>
        <location filename="../../bai_mei_plugin/processing/import_ais.py" line="47"/>
        <source>Import AIS file</source>
        <translation>Importer un fichier AIS</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/import_ais.py" line="98"/>
        <source>AIS file, folder, pattern or point layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/import_ais.py" line="105"/>
        <source>Format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/import_ais.py" line="128"/>
        <source>AIS points</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/import_ais.py" line="61"/>
        <source>&lt;p&gt;Reads AIS reports into a point layer (EPSG:4326), one point per vessel report, time-enabled on &lt;i&gt;timestamp&lt;/i&gt; (UTC).&lt;/p&gt;&lt;p&gt;&lt;b&gt;Input&lt;/b&gt;: an AIS file; a compressed one (gzip, bzip2, xz, zip), read as a stream without extracting it; a zip holding several files, a folder, or a glob pattern such as &lt;i&gt;/data/AIS_2023_01_*.zip&lt;/i&gt; (a month of daily files), each file detected on its own and all read as one dataset; or a point layer (a layer of the project, or a GeoPackage/Shapefile path), whose MMSI and time fields are taken from the field parameters or matched by name, positions from the geometry.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Formats&lt;/b&gt; (detected, or chosen): NOAA MarineCadastre CSV (2015-2023 and 2024+ layouts, quoted exports with \N for NULL), Danish Maritime Authority &lt;i&gt;aisdk&lt;/i&gt; CSV (day-first times; only Class A/B reports are vessels), any CSV whose columns are matched by name or given in the field parameters (separator , ; tab or | detected; UTF-8 BOM; quoted fields; decimal commas such as 37,5 in ; files; a message-type or mobile-type column drops base stations (4), AtoN (21) and SAR aircraft (9)), raw NMEA AIVDM/AIVDO logs, JSON Lines / NDJSON (one object per line; keys such as mmsi/ssvid, timestamp/time/t, lat/latitude, lon/longitude, speed/sog, course/cog, heading, name/shipname, imo, callsign, destination, draught; lines that are not JSON objects are counted with their line numbers), and Parquet / GeoParquet (needs pyarrow, or a GDAL with the Parquet driver; positions from lat/lon columns or a point geometry).&lt;/p&gt;&lt;p&gt;&lt;b&gt;Time format&lt;/b&gt; (empty: detected from the first values: ISO 8601 with or without offset or Z, unix seconds or milliseconds, day- or month-first dates to the minute or second, compact 20210701_185151): &lt;i&gt;iso&lt;/i&gt;, &lt;i&gt;unix&lt;/i&gt;, &lt;i&gt;unix_ms&lt;/i&gt;, a strptime pattern such as %d/%m/%Y %H:%M, or a Qt pattern such as dd/MM/yyyy hh:mm. When no time of a file can be read, the message names the format tried, the value and the row.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Cleaning&lt;/b&gt;, each dropped row counted by reason in the log: malformed rows, unparseable MMSI, time or position, missing MMSI or time, positions out of range or not available (lat 91, lon 181), non-vessel reports, times outside 1990-01-01 to tomorrow, duplicates of (MMSI, time) (the first is kept). Outputs ROWS_READ, ROWS_KEPT and ROWS_DROPPED can be chained in models.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Files&lt;/b&gt;: UTF-8, Latin-1 or UTF-16 text. An encrypted zip or a truncated compressed file is refused with a message naming the file (and the rows read before it stopped). Before reading, the memory the files need is estimated; a read too big for this computer is refused with advice instead of filling the memory (experts: set the environment variable BAI_MEI_SKIP_MEMORY_CHECK=1 to read anyway).&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/import_ais.py" line="115"/>
        <source>MMSI column (empty: detect)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/import_ais.py" line="115"/>
        <source>Time column (empty: detect)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/import_ais.py" line="115"/>
        <source>Latitude column (empty: detect)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/import_ais.py" line="115"/>
        <source>Longitude column (empty: detect)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/import_ais.py" line="115"/>
        <source>Time format: iso, unix, unix_ms, %d/%m/%Y %H:%M or dd/MM/yyyy hh:mm (empty: detect)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/import_ais.py" line="133"/>
        <source>Rows read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/import_ais.py" line="133"/>
        <source>Rows kept</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/import_ais.py" line="133"/>
        <source>Rows dropped</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ImportPostgisAlgorithm</name>
    <message>
        <location filename="../../bai_mei_plugin/processing/import_postgis.py" line="26"/>
        <source>Import AIS file into PostGIS</source>
        <translation>Importer un fichier AIS dans PostGIS</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/import_postgis.py" line="51"/>
        <source>AIS file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/import_postgis.py" line="53"/>
        <source>Format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/import_postgis.py" line="56"/>
        <source>PostgreSQL connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/import_postgis.py" line="59"/>
        <source>Table to create (schema.table)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/import_postgis.py" line="62"/>
        <source>Replace the table if it exists</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/import_postgis.py" line="63"/>
        <source>Or append to it (a table this algorithm made)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/import_postgis.py" line="68"/>
        <source>Reports written</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/import_postgis.py" line="69"/>
        <source>Table</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/import_postgis.py" line="38"/>
        <source>&lt;p&gt;Reads an AIS file as &lt;i&gt;Import AIS file&lt;/i&gt; does (same formats, same cleaning, every dropped row counted by reason in the log) and writes the reports to a PostGIS table with COPY: &lt;code&gt;mmsi&lt;/code&gt;, &lt;code&gt;ts&lt;/code&gt; (timestamptz, UTC), &lt;code&gt;geom&lt;/code&gt; (Point, EPSG:4326), SOG, COG, heading, draught and the text fields, indexed on (mmsi, ts) and on geom, so that a month of files becomes an archive that &lt;i&gt;Detect dark gaps in PostGIS&lt;/i&gt; (columns &lt;code&gt;ts&lt;/code&gt; and &lt;code&gt;geom&lt;/code&gt;) and QGIS query directly. An existing table is replaced only when asked, or, with &lt;i&gt;append&lt;/i&gt;, added to (a month of files imported one by one into one archive table; its indexes are kept).&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MatchDetectionsAlgorithm</name>
    <message>
        <location filename="../../bai_mei_plugin/processing/match_detections.py" line="34"/>
        <source>Match radar detections with AIS</source>
        <translation>Apparier les détections radar avec l'AIS</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/match_detections.py" line="48"/>
        <source>&lt;p&gt;Each AIS vessel is placed at the scene's time (the detections' &lt;i&gt;acquired&lt;/i&gt;): interpolated between its reports just before and after (at most 1 h apart), else projected along its course and speed from a report at most &lt;i&gt;dead reckoning&lt;/i&gt; minutes (30) away; vessels with no report that near are not placed. Detections and vessels are then paired one to one, the pairing with the least total cost (distance, plus the disagreement of lengths when the AIS layer has a length_m field), never farther apart than the &lt;i&gt;maximum distance&lt;/i&gt; (2 km).&lt;/p&gt;&lt;p&gt;Outputs: &lt;b&gt;matched&lt;/b&gt; detections (MMSI, name, offset, size agreement); &lt;b&gt;unmatched detections&lt;/b&gt; — dark vessel candidates — with, given the &lt;i&gt;dark gaps&lt;/i&gt; and their &lt;i&gt;reachable areas&lt;/i&gt; (Gap reachability), the gaps whose reachable sea holds the detection at the scene's time (their vessels and the hours since each went dark); and the &lt;b&gt;AIS vessels&lt;/b&gt; placed inside the scene &lt;i&gt;footprint&lt;/i&gt; (a polygon layer or the scene itself; the detections' extent grown by the maximum distance if none) that the radar did not see.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Limits&lt;/b&gt;: an unmatched detection is not proof of a dark ship: azimuth ambiguities, wind streaks, fixed platforms, buoys and vessels without AIS (small fishing boats, warships) are unmatched too; AIS positions far from their reports are uncertain (raise the maximum distance for sparse AIS); vessels below the radar's resolution or in the land buffer are 'not seen' without being missing.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/match_detections.py" line="70"/>
        <source>Radar detections (Detect vessels)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/match_detections.py" line="78"/>
        <source>Scene footprint (polygons or the scene)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/match_detections.py" line="83"/>
        <source>Dark gaps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/match_detections.py" line="88"/>
        <source>Reachability areas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/match_detections.py" line="94"/>
        <source>Maximum distance (m)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/match_detections.py" line="94"/>
        <source>Dead reckoning at most (minutes)</source>
        <translation type="unfinished">Estime au plus (minutes)</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/match_detections.py" line="101"/>
        <source>Detections with AIS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/match_detections.py" line="101"/>
        <source>Dark vessel candidates (unmatched detections)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/match_detections.py" line="101"/>
        <source>AIS vessels the radar did not see</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/match_detections.py" line="107"/>
        <source>Number of dark vessel candidates</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PortVisitsAlgorithm</name>
    <message>
        <location filename="../../bai_mei_plugin/processing/port_visits.py" line="22"/>
        <source>Port visits and stops</source>
        <translation>Escales et arrêts</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/port_visits.py" line="53"/>
        <source>Ports: points, or port outlines as polygons (default: bundled gazetteer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/port_visits.py" line="61"/>
        <source>Dark gaps (for declared vs actual)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/port_visits.py" line="78"/>
        <source>Port visits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/port_visits.py" line="83"/>
        <source>Stops</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/port_visits.py" line="92"/>
        <source>Declared vs actual destinations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/port_visits.py" line="101"/>
        <source>Number of port visits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/port_visits.py" line="102"/>
        <source>Gaps whose declared destination was not the next port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/port_visits.py" line="36"/>
        <source>&lt;p&gt;Where ships stopped, from their AIS alone. A &lt;b&gt;stop&lt;/b&gt; is a run of reports of one vessel with SOG below the &lt;i&gt;maximum speed&lt;/i&gt; (implied speed where SOG is missing) lasting at least &lt;i&gt;minimum hours&lt;/i&gt;; a silence over 6 h ends it unless the ship is within 1 km of the same place before and after. A stop whose mean position is within the &lt;i&gt;port radius&lt;/i&gt; of a port (default: the bundled gazetteer), or inside a port&apos;s outline when the ports layer has polygons, is a &lt;b&gt;visit&lt;/b&gt;, with arrival, departure and the destination declared at arrival; an anchorage stop and a berth stop at one port make one visit.&lt;/p&gt;&lt;p&gt;With &lt;i&gt;dark gaps&lt;/i&gt; (from Detect dark gaps), each gap gets a row comparing the destination declared before it with the port actually visited next: &lt;code&gt;mismatch&lt;/code&gt; is true when they differ, NULL when either is unknown.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/port_visits.py" line="70"/>
        <source>Maximum speed of a stop (kn)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/port_visits.py" line="70"/>
        <source>Minimum stop (hours)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/port_visits.py" line="70"/>
        <source>Port radius (km)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ScoreGapsAlgorithm</name>
    <message>
        <location filename="../../bai_mei_plugin/processing/score_gaps.py" line="86"/>
        <source>Score dark gaps by suspicion</source>
        <translation>Noter les coupures AIS selon leur suspicion</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/score_gaps.py" line="140"/>
        <source>Dark gaps (from Detect dark gaps)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/score_gaps.py" line="145"/>
        <source>AIS points (optional: the reasons that need reports)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/score_gaps.py" line="153"/>
        <source>MMSI field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/score_gaps.py" line="156"/>
        <source>Time field (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/score_gaps.py" line="161"/>
        <source>Ports: points, or port outlines as polygons (default: bundled gazetteer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/score_gaps.py" line="169"/>
        <source>Ports of interest (comma-separated)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/score_gaps.py" line="177"/>
        <source>Sanctions list (OFAC sdn.csv or a CSV with IMO/MMSI/name; empty: the lists saved in your profile)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/score_gaps.py" line="187"/>
        <source>Without a sanctions list file, use the lists saved in your profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/score_gaps.py" line="196"/>
        <source>Land polygons (default: QGIS&apos;s world map)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/score_gaps.py" line="204"/>
        <source>Maximum speed (kn; 0 = per-vessel default)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/score_gaps.py" line="214"/>
        <source>Weights (JSON; empty: the defaults)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/score_gaps.py" line="219"/>
        <source>Dark gaps by suspicion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/score_gaps.py" line="224"/>
        <source>Number of gaps scored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/score_gaps.py" line="225"/>
        <source>Gaps of high suspicion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/score_gaps.py" line="226"/>
        <source>Gaps of medium suspicion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/score_gaps.py" line="227"/>
        <source>Gaps of low suspicion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/score_gaps.py" line="228"/>
        <source>The most suspicious gap (gap_id)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/score_gaps.py" line="229"/>
        <source>Weights used (JSON)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/score_gaps.py" line="105"/>
        <source>&lt;p&gt;Scores every dark gap (the output of Detect dark gaps) by how suspicious it is, so that the gap that matters stands out among hundreds without knowing the vessel's name. Each reason adds (or, for a port call, removes) points: a port of interest reachable by sea with the longest possible stay; the draught rose (loaded) or fell (unloaded); the declared destination changed, or the next port seen is not the one declared; both ends offshore (Global Fishing Watch's criterion) or, lowering it, both ends at a berth or anchorage of one port at speed ≈ 0 (a port call); good reception before the gap (the silence looks deliberate); identity anomalies of the vessel near the gap; another ship stopped in its reachable sea while it was dark (rendezvous); its other gaps in the same area; the vessel on a sanctions list.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Output&lt;/b&gt;: the gaps with &lt;code&gt;suspicion&lt;/code&gt; (points), &lt;code&gt;suspicion_level&lt;/code&gt; (none, low, medium, high), &lt;code&gt;suspicion_rank&lt;/code&gt; (1 = most suspicious) and &lt;code&gt;why&lt;/code&gt; (every reason with its points, in words), sorted by rank; &lt;code&gt;review_status&lt;/code&gt; and &lt;code&gt;review_note&lt;/code&gt; carry the project's review queue. The weights used are written into the layer's metadata (history) and returned as &lt;code&gt;WEIGHTS_USED&lt;/code&gt;.&lt;/p&gt;&lt;p&gt;&lt;b&gt;AIS points&lt;/b&gt; (optional): without them the reasons that need the reports ({needs}) are skipped, and the log says so. &lt;b&gt;Ports&lt;/b&gt;: points or port outlines (default: the bundled gazetteer). &lt;b&gt;Ports of interest&lt;/b&gt;: names or UN/LOCODEs, comma-separated (default: {interest}). &lt;b&gt;Sanctions list&lt;/b&gt;: OFAC's &lt;code&gt;sdn.csv&lt;/code&gt; or any CSV with IMO, MMSI or name columns; empty = the lists saved in your profile (the dock's Vessels page), unless &lt;i&gt;use the lists saved in your profile&lt;/i&gt; (advanced) is off. &lt;b&gt;Land&lt;/b&gt;: default QGIS's world map. &lt;b&gt;Maximum speed&lt;/b&gt;: 0 = each vessel's default, as in Gap reachability.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Weights&lt;/b&gt; (optional JSON, e.g. &lt;code&gt;{{&quot;port_call&quot;: -6, &quot;watchlist&quot;: 5}}&lt;/code&gt;; keys left out keep their default):&lt;/p&gt;{table}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SearchFootprintsAlgorithm</name>
    <message>
        <location filename="../../bai_mei_plugin/processing/search_footprints.py" line="37"/>
        <source>Search imagery footprints</source>
        <translation>Rechercher les emprises d'images</translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/search_footprints.py" line="77"/>
        <source>Area of interest (layer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/search_footprints.py" line="85"/>
        <source>or extent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/search_footprints.py" line="86"/>
        <source>Start (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/search_footprints.py" line="87"/>
        <source>End (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/search_footprints.py" line="88"/>
        <source>or dark gaps (one search per gap)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/search_footprints.py" line="96"/>
        <source>Padding around each gap&apos;s window (hours)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/search_footprints.py" line="108"/>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/search_footprints.py" line="109"/>
        <source>STAC API URL, Planet API URL, or catalogue file or URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/search_footprints.py" line="114"/>
        <source>Collections or item types (comma-separated)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/search_footprints.py" line="119"/>
        <source>Maximum cloud cover (%)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/search_footprints.py" line="130"/>
        <source>Authentication</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/search_footprints.py" line="131"/>
        <source>Maximum items</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/search_footprints.py" line="136"/>
        <source>Footprints</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/search_footprints.py" line="141"/>
        <source>Number of footprints</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../bai_mei_plugin/processing/search_footprints.py" line="55"/>
        <source>&lt;p&gt;Finds the satellite scenes that saw a place in a time window, as one polygon layer of footprints: which images could show a ship while it was dark.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Where and when.&lt;/b&gt; Either &lt;i&gt;Gaps&lt;/i&gt; (the Dark gaps output of Detect dark gaps): one search per gap over its window ± &lt;i&gt;padding&lt;/i&gt;, over the AOI feature with the same &lt;code&gt;gap_id&lt;/code&gt; (e.g. its reachability area) or else the gap's line; or an &lt;i&gt;area of interest&lt;/i&gt; (the union of a layer's features) or an &lt;i&gt;extent&lt;/i&gt;, with &lt;i&gt;start&lt;/i&gt; and &lt;i&gt;end&lt;/i&gt;.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Sources.&lt;/b&gt; {sources} Keys stay in QGIS's authentication database; QGIS's proxy settings are used.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Output.&lt;/b&gt; One polygon per scene (MultiPolygon; footprints across the antimeridian stay split), time-enabled on &lt;code&gt;acquired&lt;/code&gt;: &lt;code&gt;covers_aoi&lt;/code&gt; (the scene contains the whole area), &lt;code&gt;aoi_overlap_pct&lt;/code&gt;, &lt;code&gt;gap_id&lt;/code&gt; and &lt;code&gt;in_gap_window&lt;/code&gt; (taken while the ship was dark) when searched per gap. At most &lt;i&gt;maximum items&lt;/i&gt; in all.&lt;/p&gt;</source>
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
