"""A small HTTP client of the server, as a browser uses it: log in with the form, open a page
(which starts its kernel), close it the way the page does when its tab closes (the shutdown
beacon with the ``_xsrf`` cookie's value). For the tests and ``benchmarks/serve_soak.py``."""
from __future__ import annotations

import http.cookiejar
import re
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')


@dataclass
class Reply:
    status: int
    location: str
    body: str
    seconds: float

    @property
    def kernel_id(self) -> str | None:
        found = KERNEL_ID.search(self.body)
        return found.group(1) if found else None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """One browser: its own cookies; redirects are returned, not followed."""

    def __init__(self, base_url: str, context: ssl.SSLContext | None = None,
                 timeout: float = 180.0):
        self.base_url, self.timeout = base_url.rstrip("/") + "/", timeout
        self.jar = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()]
        if context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=context))
        self.opener = urllib.request.build_opener(*handlers)

    def request(self, path: str, data: dict | None = None, method: str | None = None) -> Reply:
        body = None if data is None else urllib.parse.urlencode(data).encode()
        req = urllib.request.Request(self.base_url + path.lstrip("/"), data=body, method=method)
        start = time.monotonic()
        try:
            with self.opener.open(req, timeout=self.timeout) as resp:
                text = resp.read().decode("utf-8", "replace")
                return Reply(resp.status, resp.headers.get("Location") or "", text,
                             time.monotonic() - start)
        except urllib.error.HTTPError as err:
            text = err.read().decode("utf-8", "replace")
            return Reply(err.code, err.headers.get("Location") or "", text,
                         time.monotonic() - start)

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def login(self, name: str, password: str) -> Reply:
        form = self.request("login")
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form.body)
        return self.request("login", {"_xsrf": xsrf.group(1) if xsrf else "",
                                      "username": name, "password": password, "next": "/"})

    def open_page(self, stem: str) -> Reply:
        return self.request(f"voila/render/{stem}.ipynb")

    def close_page(self, kernel_id: str, xsrf: bool = True) -> Reply:
        """What the page sends when its tab closes."""
        return self.request(f"voila/api/shutdown/{kernel_id}",
                            {"_xsrf": self.cookie("_xsrf") if xsrf else ""})
