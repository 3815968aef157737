"""Local Leaflet assets: copies for the app, folium's URLs rewritten and restored, inlined pages.

A fake assets folder (tiny stub files laid out like node_modules) stands in for the real
one, so these tests do not need npm; the real browser check is in tests/browser.
"""

from __future__ import annotations

from pathlib import Path

import folium
import folium.plugins
import pytest
from branca.colormap import LinearColormap

from hotspots.errors import ParameterError
from hotspots.viz import assets
from hotspots.viz.assets import LOCAL_FILES
from hotspots.viz.assets import copy_assets
from hotspots.viz.assets import remote_assets
from hotspots.viz.assets import render_html
from hotspots.viz.assets import use_local_assets

PREFIX = "/app/static/vendor"


def _lists(cls: type) -> tuple[list, list]:
    return list(getattr(cls, "default_js", [])), list(getattr(cls, "default_css", []))


@pytest.fixture(autouse=True)
def cdn_afterwards(monkeypatch):
    """Every test starts and ends with folium's own CDN lists (the rewrite is global)."""
    monkeypatch.delenv(assets.MODE_ENV, raising=False)
    use_local_assets(mode="cdn")
    yield
    use_local_assets(mode="cdn")


@pytest.fixture
def source(tmp_path) -> Path:
    """A folder laid out like node_modules: one stub per file in LOCAL_FILES, plus images."""
    root = tmp_path / "node_modules"
    for rel in LOCAL_FILES.values():
        file = root / rel
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(f"/* stub {rel} */\n", encoding="utf-8")
    images = root / "leaflet" / "dist" / "images"
    images.mkdir()
    (images / "marker-icon.png").write_bytes(b"\x89PNG stub")
    return root


@pytest.fixture
def served(source, tmp_path) -> Path:
    """The app's static/vendor copy of ``source``."""
    return copy_assets(tmp_path / "static" / "vendor", source=source)


def map_with_plugins() -> folium.Map:
    fmap = folium.Map(tiles=None)
    folium.plugins.Draw().add_to(fmap)
    folium.plugins.MarkerCluster().add_to(fmap)
    folium.plugins.HeatMap([[52.95, -1.15, 1.0]]).add_to(fmap)
    return fmap


def test_copy_assets_copies_each_dist_folder_and_replaces_old_copies(source, tmp_path):
    dest = tmp_path / "vendor"
    stale = dest / "leaflet" / "dist" / "old-version.js"
    stale.parent.mkdir(parents=True)
    stale.write_text("old", encoding="utf-8")
    assert copy_assets(dest, source=source) == dest
    for rel in LOCAL_FILES.values():
        assert (dest / rel).read_text(encoding="utf-8") == f"/* stub {rel} */\n"
    assert (dest / "leaflet/dist/images/marker-icon.png").read_bytes() == b"\x89PNG stub"
    assert not stale.exists()
    assert not [p for p in dest.rglob(".*")], "staging folders left behind"


def test_copy_assets_without_leaflet_names_the_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="empty.*leaflet/dist/leaflet.js"):
        copy_assets(tmp_path / "vendor", source=tmp_path / "empty")


def test_local_mode_points_map_and_plugins_at_the_prefix(served):
    assert use_local_assets(PREFIX, folder=served, mode="local") is True
    js, css = _lists(folium.Map)
    assert js == [
        ("leaflet", f"{PREFIX}/leaflet/dist/leaflet.js"),
        ("jquery", f"{PREFIX}/jquery/dist/jquery.min.js"),
    ]
    assert css == [("leaflet_css", f"{PREFIX}/leaflet/dist/leaflet.css")]
    assert _lists(folium.plugins.Draw) == (
        [("leaflet_draw_js", f"{PREFIX}/leaflet-draw/dist/leaflet.draw.js")],
        [("leaflet_draw_css", f"{PREFIX}/leaflet-draw/dist/leaflet.draw.css")],
    )
    cluster_js, cluster_css = _lists(folium.plugins.MarkerCluster)
    assert [u for _, u in cluster_js] == [
        f"{PREFIX}/leaflet.markercluster/dist/leaflet.markercluster.js"
    ]
    assert len(cluster_css) == 2
    assert all(u.startswith(f"{PREFIX}/leaflet.markercluster/dist/") for _, u in cluster_css)
    assert _lists(folium.plugins.HeatMap)[0] == [
        ("leaflet-heat.js", f"{PREFIX}/leaflet.heat/dist/leaflet-heat.js")
    ]
    assert remote_assets(map_with_plugins()) == []


def test_cdn_mode_puts_folium_lists_back_exactly(served):
    before = {cls: _lists(cls) for cls in (folium.Map, folium.plugins.Draw,
                                           folium.plugins.MarkerCluster)}
    use_local_assets(PREFIX, folder=served, mode="local")
    use_local_assets(PREFIX, folder=served, mode="local")  # idempotent
    assert _lists(folium.Map) != before[folium.Map]
    assert use_local_assets(mode="cdn") is False
    assert {cls: _lists(cls) for cls in before} == before
    assert len(before[folium.Map][0]) == 4  # leaflet, jquery, bootstrap, awesome-markers


def test_an_incomplete_copy_is_refreshed_from_node_modules(served, source, monkeypatch):
    (served / LOCAL_FILES["leaflet_heat.min.js"]).unlink()
    monkeypatch.setattr(assets, "assets_dir", lambda: source)
    use_local_assets(PREFIX, folder=served, mode="local")
    assert (served / LOCAL_FILES["leaflet_heat.min.js"]).is_file()
    assert remote_assets(map_with_plugins()) == []


def test_auto_copies_from_node_modules_when_the_static_copy_is_missing(source, tmp_path,
                                                                      monkeypatch):
    monkeypatch.setattr(assets, "assets_dir", lambda: source)
    folder = tmp_path / "app" / "static" / "vendor"
    assert use_local_assets(PREFIX, folder=folder) is True
    assert (folder / LOCAL_FILES["leaflet.draw.js"]).is_file()
    assert folium.plugins.Draw.default_js[0][1] == f"{PREFIX}/leaflet-draw/dist/leaflet.draw.js"


def test_auto_without_any_copy_keeps_the_cdns(tmp_path, monkeypatch):
    monkeypatch.setattr(assets, "assets_dir", lambda: None)
    assert use_local_assets(PREFIX, folder=tmp_path / "nothing") is False
    assert folium.Map.default_js[0][1].startswith("https://")
    assert not (tmp_path / "nothing").exists()


def test_local_without_any_copy_says_how_to_fix_it(tmp_path, monkeypatch):
    monkeypatch.setattr(assets, "assets_dir", lambda: None)
    with pytest.raises(FileNotFoundError, match=r"nothing.*make run"):
        use_local_assets(PREFIX, folder=tmp_path / "nothing", mode="local")


def test_mode_comes_from_the_environment(served, monkeypatch):
    monkeypatch.setenv(assets.MODE_ENV, "cdn")
    assert use_local_assets(PREFIX, folder=served) is False
    monkeypatch.setenv(assets.MODE_ENV, " Local ")
    assert use_local_assets(PREFIX, folder=served) is True
    monkeypatch.setenv(assets.MODE_ENV, "offline")
    with pytest.raises(ParameterError, match=r"HOTSPOTS_ASSETS_MODE.*'offline'"):
        use_local_assets(PREFIX, folder=served)


@pytest.mark.parametrize("bad", [{"mode": "on"}, {"prefix": "static/vendor"}])
def test_bad_arguments_are_refused(served, bad):
    kwargs = {"prefix": PREFIX, "folder": served, **bad}
    with pytest.raises(ParameterError, match=f"'{next(iter(bad))}'"):
        use_local_assets(**kwargs)


def test_missing_plugin_copy_keeps_its_cdn_url(served, monkeypatch):
    (served / LOCAL_FILES["leaflet_heat.min.js"]).unlink()
    monkeypatch.setattr(assets, "assets_dir", lambda: None)  # nothing to copy it from
    use_local_assets(PREFIX, folder=served, mode="local")
    assert remote_assets(map_with_plugins()) == [
        "https://cdn.jsdelivr.net/gh/python-visualization/folium@main/folium/templates/"
        "leaflet_heat.min.js"
    ]


def test_remote_assets_reports_plugins_without_copies_and_colour_scales(served):
    use_local_assets(PREFIX, folder=served, mode="local")
    fmap = folium.Map(tiles=None)
    folium.plugins.Fullscreen().add_to(fmap)
    LinearColormap(["white", "red"], vmin=0, vmax=1).add_to(fmap)
    remote = remote_assets(fmap)
    assert any("fullscreen" in url.lower() for url in remote)
    assert set(assets.COLORMAP_JS) <= set(remote)
    assert not any(url.startswith(PREFIX) for url in remote)


def test_standalone_pages_never_point_at_the_app(served, source, monkeypatch):
    use_local_assets(PREFIX, folder=served, mode="local")
    fmap = map_with_plugins()
    cdn_page = render_html(fmap, assets="cdn")
    assert PREFIX not in cdn_page
    assert "https://cdnjs.cloudflare.com/ajax/libs/leaflet.draw/1.0.2/leaflet.draw.js" in cdn_page
    monkeypatch.setenv(assets.ASSETS_ENV, str(source))
    page = render_html(fmap, assets="local")
    assert PREFIX not in page
    assert "/* stub leaflet-draw/dist/leaflet.draw.js */" in page
    assert "/* stub leaflet.heat/dist/leaflet-heat.js */" in page
    assert "bootstrap" not in page.lower()


def test_render_html_refuses_an_unknown_assets_value():
    with pytest.raises(ParameterError, match="'assets'.*'inline'"):
        render_html(folium.Map(tiles=None), assets="inline")
