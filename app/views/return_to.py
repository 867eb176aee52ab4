"""Back to the list where the user was (issue 10 item 5) on the admin ModelView pages.

Flask-AppBuilder remembers where to go after a form or an action in one stack of the last five
URLs in the session (`BaseView.update_redirect`/`get_redirect`): a list pushes its URL, a form
page pushes its own, and `get_redirect()` pops the top and answers the URL below it. That works
only when every page in between pushed exactly once. A refused edit or delete never pushed its
own page (ActivityView's refused edit answers at once; FAB's `_delete` pushes only on success),
so the pop removed the list itself and the user landed on the page before it, often the home
page; a page of another view or a second tab in between does the same.

Here each list view remembers its own last list URL, with its filters, sort, page and page
size (`?_flt_0_status=…&_oc_ActivityView=date&page_ActivityView=2`), in the session under
LISTS_KEY, and `get_redirect()` answers that URL: after add, edit, delete, a refused edit or
delete and every list action the user is back on the list as it was. Only paths of this site
are kept (the request's own path and query, never a host), and only a few of them.
"""
from __future__ import annotations

from flask import request, session, url_for

LISTS_KEY = "ek_lists"
MAX_LISTS = 4  # views remembered at once (the session is a cookie of at most 4 KB)
MAX_URL = 500  # a longer list URL is not remembered (the list's plain URL is used instead)


def _key(view) -> str:
    return type(view).__name__


def remember_list(view) -> None:
    """Keep the URL of the list page being shown (path and query, this site only)."""
    url = request.full_path
    if url.endswith("?"):
        url = url[:-1]
    if len(url) > MAX_URL or not url.startswith("/") or url.startswith("//"):
        return
    lists = dict(session.get(LISTS_KEY) or {})
    if lists.get(_key(view)) == url and list(lists)[-1] == _key(view):
        return  # nothing changed: the session cookie is not rewritten
    lists.pop(_key(view), None)
    lists[_key(view)] = url
    while len(lists) > MAX_LISTS:
        lists.pop(next(iter(lists)))
    session[LISTS_KEY] = lists


def list_url(view) -> str:
    """The list of this view as the user last saw it, else its plain list."""
    plain = url_for(f"{view.endpoint}.list")
    url = (session.get(LISTS_KEY) or {}).get(_key(view))
    if not isinstance(url, str) or not url.startswith(plain.split("?")[0]) or url.startswith("//"):
        return plain
    return url


class ReturnToList:
    """Mixin for a ModelView (before ModelView in the bases): remember the list, return to it."""

    def _list(self, **kwargs):
        widgets = super()._list(**kwargs)
        remember_list(self)
        return widgets

    def get_redirect(self):
        if request.endpoint == f"{self.endpoint}.list":
            # FAB's list() redirects here when its own arguments fail: the plain list, no loop
            return url_for(f"{self.endpoint}.list")
        return list_url(self)
