"""What a person sees on a page, and which pages an account can reach from its menu.

Used by the language crawl (tests/test_language.py): pages are derived from the rendered menu and
from ``appbuilder.baseviews`` at run time, so every new screen is crawled once it is registered.
"""
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

# Text a person reads besides element content: tooltips, placeholders, button captions.
VISIBLE_ATTRIBUTES = {"title", "placeholder", "alt", "aria-label", "data-original-title",
                      "data-placeholder", "data-text"}
BUTTON_INPUTS = {"submit", "button", "reset"}
INVISIBLE_ELEMENTS = {"script", "style", "template", "noscript", "head"}
# Links a crawl must not follow: they change state or leave the HTML screens.
UNSAFE_LINK = re.compile(r"/(logout|lang|back|delete|action|action_post|download|api|swagger|"
                         r"static|export)(/|$)|^(javascript:|mailto:|#)")
# FAB's CRUD pages: one of each kind per view is enough to see every label of the view.
PAGE_KIND = re.compile(r"^/(?P<view>[^/]+)/(?P<kind>list|show|edit|add|form|userinfo)\b")


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in INVISIBLE_ELEMENTS:
            self._hidden += 1
            return
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "input" and (attrs.get("type") or "").lower() == "hidden":
            return
        self.parts += [attrs[a] for a in VISIBLE_ATTRIBUTES if attrs.get(a)]
        if tag == "input" and (attrs.get("type") or "").lower() in BUTTON_INPUTS:
            self.parts.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag in INVISIBLE_ELEMENTS and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def parse(html: str) -> _VisibleText:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return parser


def visible_text(html: str) -> str:
    return " ".join(" ".join(parse(html).parts).split())


HEX_ID = re.compile(r"\b[0-9a-f]{16,}\b")


def english_words(text: str, allowed: set[str]) -> set[str]:
    """Latin words of two letters or more that are not allowed (case-insensitive)."""
    allowed = {a.lower() for a in allowed}
    text = HEX_ID.sub(" ", text)  # request ids and other hex identifiers are data, not words
    return {w for w in re.findall(r"[A-Za-z][A-Za-z']+", text) if w.lower() not in allowed}


def menu_links(html: str) -> list[str]:
    """Every link of the navigation bar (menus and the account menu)."""
    nav = html.split('role="navigation"', 1)[-1].split("</header>", 1)[0]
    return [link for link in parse(nav).links if not UNSAFE_LINK.search(link)]


def page_key(path: str):
    match = PAGE_KIND.match(path)
    return (match.group("view"), match.group("kind")) if match else path


def reachable_pages(get, start_urls, max_pages: int = 200) -> tuple[dict, dict]:
    """({url: html}, {url: status}) of the pages reachable from ``start_urls`` through CRUD
    links, one page of each kind (list/show/edit/add/form) per view, and of those that did not
    answer 200. ``get(url)`` returns (status, html)."""
    seen_keys, pages, broken, queue = set(), {}, {}, list(start_urls)
    while queue and len(pages) < max_pages:
        url = queue.pop(0)
        split = urlsplit(url)
        if split.netloc or UNSAFE_LINK.search(split.path):
            continue
        key = page_key(split.path)
        if key in seen_keys:
            continue
        seen_keys.add(key)
        status, html = get(url)
        if status != 200:
            broken[url] = status
            continue
        pages[url] = html
        queue += [urljoin(url, link) for link in parse(html).links
                  if PAGE_KIND.match(urlsplit(urljoin(url, link)).path)]
    return pages, broken
