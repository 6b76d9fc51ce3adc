"""`rotation data fetch` against a local HTTP server on 127.0.0.1 serving provider formats."""
import http.server
import io
import shutil
import threading
import urllib.parse
import zipfile

import pytest

from rotation import data
from rotation.data import fetch as F
from rotation.data.store import sha256_of


class ProviderHandler(http.server.BaseHTTPRequestHandler):
    store = None
    fail = set()       # paths answered with HTTP 500
    truncate = set()   # paths whose body is cut in half

    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        key = url.path + ("?" + url.query if url.query else "")
        if any(f in key for f in self.fail):
            self.send_response(500)
            self.end_headers()
            return
        body = self.body_for(url)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        if any(t in key for t in self.truncate):
            body = body[: len(body) // 2]
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body_for(self, url):
        if url.path == "/fred/graph/fredgraph.csv":
            sid = urllib.parse.parse_qs(url.query)["id"][0]
            s = data.fred_series(sid)
            return ("observation_date," + sid + "\n" + "".join(f"{d.date()},{v}\n" for d, v in s.items())).encode()
        if url.path.startswith("/ff/") and url.path.endswith("_CSV.zip"):
            name = url.path[len("/ff/"):-len("_CSV.zip")]
            rec = next(d for d in data.catalog() if d.parser == "famafrench" and d.series == name)
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w") as zf:
                zf.writestr(f"{name}.CSV", (self.store / rec.file).read_bytes())
            return buf.getvalue()
        if url.path == "/shiller/ie_data.xls":
            return (self.store / "valuation/shiller_ie_data.xls").read_bytes()
        return None


@pytest.fixture()
def provider(store):
    ProviderHandler.store = store
    ProviderHandler.fail, ProviderHandler.truncate = set(), set()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ProviderHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield {"fred_url": f"{base}/fred/graph/fredgraph.csv", "ff_url": f"{base}/ff/",
           "shiller_url": f"{base}/shiller/ie_data.xls", "timeout": 10}
    server.shutdown()


@pytest.fixture()
def target(tmp_path, store):
    dest = tmp_path / "data"
    shutil.copytree(store, dest)
    return dest


def snapshot_of(folder):
    return {p.relative_to(folder): sha256_of(p) for p in folder.rglob("*") if p.is_file()}


def test_fetch_rebuilds_store(provider, target):
    F.fetch(target, progress=lambda m: None, **provider)
    man = data.store.read_manifest(target)
    assert man["source"] == "providers"
    # Fama-French files come back byte-identical through the zip and pandas-datareader
    assert sha256_of(target / "famafrench/Portfolios_Formed_on_ME.CSV") == data.dataset("ff_portfolios_me").sha256
    assert "fredgraph" in man["files"]["fred_DGS2"]["origin"]
    assert "carried over" in man["files"]["price_SPY"]["origin"]
    text = (target / "valuation/shiller_ie_data.csv").read_text().splitlines()
    assert text[0].startswith("date,P,D,E,CPI") and any(ln.startswith("1871-10,") for ln in text)
    assert data.verify_store(target) == []


@pytest.mark.parametrize("fault", ["fail", "truncate"])
@pytest.mark.parametrize("path", ["id=DGS2", "Portfolios_Formed_on_ME_CSV.zip", "ie_data.xls"])
def test_fetch_failure_leaves_store_unchanged(provider, target, fault, path):
    getattr(ProviderHandler, fault).add(path)
    before = snapshot_of(target)
    with pytest.raises(data.FetchError):
        F.fetch(target, progress=lambda m: None, **provider)
    assert snapshot_of(target) == before
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".data.")]  # no staging left
