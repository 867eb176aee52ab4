"""Issue 10 item 8: light pages. The phone pages load only same-host, fingerprinted assets,
responses are compressed, fingerprinted assets are cached for a year, the web app manifest and
icon are served and linked, and a first load of each phone page (HTML and every asset it
references, compressed as a browser receives them) stays within 300 KiB. Sizes, not timings."""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import struct
from datetime import date, time
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from app.extensions import db
from app.models import Activity

TODAY = date(2026, 11, 18)  # a Wednesday
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}  # what Chromium sends
BUDGET = 300 * 1024
FINGERPRINT = re.compile(r"[?&]v=([0-9a-f]{12})(?:&|$)")
YEAR = 365 * 24 * 3600


class Assets(HTMLParser):
    """The URLs a page makes the browser fetch: stylesheets, icons, manifest, scripts, images."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[dict] = []
        self.handlers: list[str] = []
        self.links: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.handlers += [f"<{tag} {k}>" for k in a if k.startswith("on")]
        if tag == "link" and a.get("href"):
            self.links.append(a)
            if set((a.get("rel") or "").split()) & {"stylesheet", "icon", "manifest", "apple-touch-icon"}:
                self.urls.append(a["href"])
        elif tag == "script":
            self.scripts.append(a)
            if a.get("src"):
                self.urls.append(a["src"])
        elif tag == "img" and a.get("src"):
            self.urls.append(a["src"])


def parse(html: str) -> Assets:
    p = Assets()
    p.feed(html)
    return p


def static_file(app, url: str) -> str:
    """The file on disk behind a /static/ URL (the app's or Flask-AppBuilder's)."""
    path = urlsplit(url).path
    if path.startswith("/static/appbuilder/"):
        return os.path.join(app.blueprints["appbuilder"].static_folder, path[len("/static/appbuilder/"):])
    assert path.startswith("/static/"), url
    return os.path.join(app.static_folder, path[len("/static/"):])


def css_fonts(css: str, css_url: str) -> list[str]:
    """The woff2 source of every @font-face of a stylesheet (Chromium fetches that format). An
    upper bound: the browser fetches a font only when the page uses it."""
    out = []
    for face in re.findall(r"@font-face\s*{([^}]*)}", css):
        for ref in re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", face):
            if ref.split("?")[0].endswith(".woff2"):
                out.append(urljoin(css_url, ref))
                break
    return out


def body_text(resp) -> str:
    """The decoded text of a compressed or plain response."""
    data = resp.get_data()
    enc = resp.headers.get("Content-Encoding")
    if enc == "gzip":
        data = gzip.decompress(data)
    elif enc == "br":
        import brotli

        data = brotli.decompress(data)
    elif enc == "zstd":
        from backports import zstd

        data = zstd.decompress(data)
    elif enc:
        raise AssertionError(f"unexpected encoding {enc}")
    return data.decode("utf-8")


@pytest.fixture(autouse=True)
def fixed_today(app):
    app.config["FIXED_TODAY"] = TODAY


@pytest.fixture
def phone_pages(app, world, login_as):
    """(client, path) of every page of the daily loop: the login page, the employee's home,
    Aktivitas Saya and the entry page (editing one's own draft), the superior's home and queue
    (with an item)."""
    staff, kabid = world.employee("staff_a"), world.employee("kabid_a")
    draft = Activity(employee=staff, date=TODAY, description="Rekap data posyandu", volume=1,
                     start_time=time(8), end_time=time(9), claimed_minutes=60, status="DRAFT")
    waiting = Activity(employee=staff, date=date(2026, 11, 17), description="Entri data imunisasi", volume=1,
                       start_time=time(9), end_time=time(10), claimed_minutes=60, status="SUBMITTED",
                       superior=kabid, review_due=date(2026, 11, 23))
    db.session.add_all([draft, waiting])
    db.session.commit()
    pegawai, atasan = login_as("pegawai"), login_as("atasan")
    return [(app.test_client(), "/login/"), (pegawai, "/"), (pegawai, "/aktivitas-saya/"),
            (pegawai, f"/aktivitas-saya/ubah/{draft.id}"), (atasan, "/"), (atasan, "/antrean/")]


def get_page(client, path):
    resp = client.get(path, headers=BROWSER)
    assert resp.status_code == 200, (path, resp.status_code, resp.headers.get("Location"))
    return resp


def test_phone_pages_load_only_same_host_fingerprinted_assets(app, phone_pages):
    for client, path in phone_pages:
        page = parse(body_text(get_page(client, path)))
        assert page.urls, path
        for url in page.urls:
            parts = urlsplit(url)
            assert not parts.scheme and not parts.netloc and url.startswith("/"), f"{path}: {url} (another host)"
            if url.startswith("/static/"):
                found = FINGERPRINT.search(url)
                assert found, f"{path}: {url} is not fingerprinted"
                with open(static_file(app, url), "rb") as fh:
                    assert found.group(1) == hashlib.sha256(fh.read()).hexdigest()[:12], url
        # the lean head: none of FAB's jQuery, Select2 or date picker, which these pages do not use
        assert not [u for u in page.urls if re.search(r"jquery|select2|datepicker", u)], path
        assert page.scripts and all(s.get("nonce") for s in page.scripts), path
        assert not page.handlers, f"{path}: inline handlers {page.handlers}"
        # the navbar still works without Bootstrap's script: its replacement is loaded
        assert any("/static/js/nav.js?v=" in u for u in page.urls), path


def test_admin_pages_keep_fab_scripts(login_as):
    html = body_text(get_page(login_as("bkd"), "/activityview/list/"))
    urls = parse(html).urls
    assert any("jquery-latest.js?v=" in u for u in urls)
    assert any("select2.min.js?v=" in u for u in urls)


def test_pages_and_static_files_are_compressed(app, phone_pages):
    client, path = phone_pages[2]
    for encoding in ("gzip", "br", "zstd"):
        resp = client.get(path, headers={"Accept-Encoding": encoding})
        assert resp.headers.get("Content-Encoding") == encoding
        assert "Accept-Encoding" in resp.headers.get("Vary", "")
        assert "Aktivitas Saya" in body_text(resp)
    css = next(u for u in parse(body_text(get_page(client, path))).urls if "bootstrap.min.css" in u)
    resp = client.get(css, headers=BROWSER)
    assert resp.headers.get("Content-Encoding") in ("zstd", "br")
    raw = os.path.getsize(static_file(app, css))
    assert len(resp.get_data()) < raw / 3
    plain = client.get(css)  # a client that accepts no encoding gets the file as it is
    assert "Content-Encoding" not in plain.headers and len(plain.get_data()) == raw


def test_fingerprinted_assets_are_cached_long(app, client, phone_pages):
    pegawai, path = phone_pages[1]
    urls = [u for u in parse(body_text(get_page(pegawai, path))).urls if u.startswith("/static/")]
    assert any(u.startswith("/static/appbuilder/") for u in urls) and any(u.startswith("/static/css/") for u in urls)
    for url in urls:
        resp = pegawai.get(url, headers=BROWSER)
        assert resp.status_code == 200, url
        cc = resp.cache_control
        assert cc.public and cc.max_age == YEAR and cc.immutable, (url, resp.headers.get("Cache-Control"))
        # the session cookie does not ride on static files (it would make the cached copy stale)
        assert "Set-Cookie" not in resp.headers and "Cookie" not in resp.headers.get("Vary", ""), url
        # a repeated request with the validator is answered 304 without the body
        etag = resp.headers.get("ETag")
        if etag:
            again = pegawai.get(url, headers={**BROWSER, "If-None-Match": etag})
            assert again.status_code == 304, url
    # the same file without (or with an outdated) fingerprint: cached for a day, revalidated after
    bare = urls[0].split("?")[0]
    for url in (bare, bare + "?v=000000000000"):
        resp = client.get(url)
        assert resp.status_code == 200
        assert resp.cache_control.max_age == app.config["STATIC_MAX_AGE"] == 24 * 3600
        assert not resp.cache_control.immutable


def test_changed_file_gets_a_new_fingerprint(app, tmp_path):
    from app.static_assets import file_digest

    app.static_folder = str(tmp_path)
    target = tmp_path / "x.css"
    target.write_text("a{color:red}")
    first = file_digest(app, "static", "x.css")
    target.write_text("a{color:blue}")
    os.utime(target, ns=(1, 1))  # another mtime, as after a deployment
    assert file_digest(app, "static", "x.css") != first
    assert file_digest(app, "static", "../x.css") is None  # nothing outside the folder
    with app.test_request_context():
        from flask import url_for

        assert url_for("static", filename="x.css") == f"/static/x.css?v={file_digest(app, 'static', 'x.css')}"
        assert url_for("static", filename="missing.css") == "/static/missing.css"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_manifest_and_icon_served_and_linked(client, phone_pages):
    resp = client.get("/manifest.webmanifest")  # anonymous: the browser fetches it without cookies
    assert resp.status_code == 200 and resp.mimetype == "application/manifest+json"
    manifest = json.loads(resp.get_data())
    assert manifest["name"] == "e-Kinerja Kota Malang" and manifest["short_name"] == "e-Kinerja"
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone" and manifest["lang"] == "id"
    sizes = {}
    for icon in manifest["icons"]:
        assert FINGERPRINT.search(icon["src"]) and icon["src"].startswith("/static/icons/")
        r = client.get(icon["src"])
        assert r.status_code == 200 and r.mimetype == icon["type"]
        if icon["type"] == "image/png":
            sizes[icon["sizes"]] = png_size(r.get_data())
    assert sizes == {"192x192": (192, 192), "512x512": (512, 512)}

    ico = client.get("/favicon.ico")  # browsers ask for it on their own
    assert ico.status_code == 200 and ico.mimetype == "image/vnd.microsoft.icon"
    assert ico.get_data()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert ico.cache_control.max_age == 24 * 3600

    for c, path in phone_pages:
        links = parse(body_text(get_page(c, path))).links
        rels = {r for link in links for r in (link.get("rel") or "").split()}
        assert {"manifest", "icon", "apple-touch-icon"} <= rels, path
        assert any(link.get("rel") == "manifest" and link["href"] == "/manifest.webmanifest" for link in links)


def test_first_load_of_each_phone_page_within_300_kib(app, phone_pages):
    """HTML plus every asset it references, the fonts its stylesheets declare and the manifest,
    in the bytes a browser receives (compressed)."""
    for client, path in phone_pages:
        page = get_page(client, path)
        total = len(page.get_data())
        seen = set()
        queue = list(parse(body_text(page)).urls)
        while queue:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            resp = client.get(url, headers=BROWSER)
            assert resp.status_code == 200, url
            total += len(resp.get_data())
            if resp.mimetype == "text/css":
                queue += css_fonts(body_text(resp), url)
        fonts = [u for u in seen if u.endswith(".woff2")]
        assert fonts, "the icon font is counted"
        assert total <= BUDGET, f"{path}: {total / 1024:.1f} KiB on a first load ({sorted(seen)})"


def test_every_icon_of_the_phone_pages_is_in_the_subset_font(app, phone_pages):
    """The lean pages load a subset of Font Awesome's solid font (css/icons.css): an icon that
    is not in it would show as an empty box."""
    from app.static_assets import ICON_CSS, ICON_NAME, icon_codepoints, subset_icons_in_css

    with open(os.path.join(app.static_folder, ICON_CSS), encoding="utf-8") as fh:
        subset = subset_icons_in_css(fh.read())
    icons = icon_codepoints(app.blueprints["appbuilder"].static_folder)
    shown = set()
    for client, path in phone_pages:
        html = body_text(get_page(client, path))
        used = {n for n in ICON_NAME.findall(html) if n in icons}
        assert used <= subset, f"{path}: {sorted(used - subset)} missing: flask --app run subset-icons"
        shown |= used
    assert {"fa-bell", "fa-plus", "fa-globe"} <= shown


def test_icon_subset_covers_every_icon_the_code_names(app):
    """A template or view that names a new icon fails here until the subset is rebuilt."""
    from app.static_assets import ICON_CSS, ICON_FONT, icons_in_sources, subset_icons_in_css

    with open(os.path.join(app.static_folder, ICON_CSS), encoding="utf-8") as fh:
        css = fh.read()
    missing = icons_in_sources(app) - subset_icons_in_css(css)
    assert not missing, f"{sorted(missing)} not in {ICON_FONT}: run flask --app run subset-icons"
    with open(os.path.join(app.static_folder, ICON_FONT), "rb") as fh:
        font = fh.read()
    assert font[:4] == b"wOF2" and len(font) < 20 * 1024
    # every glyph of every listed icon that FAB's solid font draws (the v4 shims' too) is kept
    from fontTools.ttLib import TTFont

    from app.static_assets import FA_SOLID, icon_codepoints

    fab_static = app.blueprints["appbuilder"].static_folder
    full = TTFont(os.path.join(fab_static, FA_SOLID)).getBestCmap()
    kept = TTFont(os.path.join(app.static_folder, ICON_FONT)).getBestCmap()
    codepoints = icon_codepoints(fab_static)
    lost = {n: sorted(hex(c) for c in codepoints[n] if c in full and c not in kept) for n in subset_icons_in_css(css)}
    assert not {n: c for n, c in lost.items() if c}
    assert {0xF0AC, 0xF57D} <= set(kept)  # fa-globe: v6's glyph and the one `fa fa-globe` shows (v4 shim)
    # the stylesheet names the font with its current fingerprint (cached for a year)
    digest = hashlib.sha256(font).hexdigest()[:12]
    assert f"fa-solid-subset.woff2?v={digest})" in css
