"""The issue's rule for "one organization once", written again from its words for tests,
over the raw front matter of organization files (independently of indexer/org_identity.py).

Two files are one organization when they share an EIN and a website domain, or their
names are equal once case, punctuation, a leading "The", a trailing "Inc"/"LLC", and
"LA"/"L.A."/"Los Angeles" (a trailing one left out) are folded. Sharing an EIN alone is
not enough.
"""

from __future__ import annotations

import re
from itertools import combinations
from urllib.parse import urlsplit


def name_key(name) -> str:
    words = re.findall(r"[a-z0-9]+", str(name or "").lower().replace("l.a.", "la").replace("&", " and "))
    words = " ".join(words).replace("los angeles", "la").split()
    if words[:1] == ["the"]:
        words = words[1:]
    while words and words[-1] in ("inc", "llc", "la"):
        words = words[:-1]
    return " ".join(words)


def ein(value) -> str:
    digits = re.sub(r"[^0-9]", "", str(value or "").split("(")[0])
    return digits if len(digits) in (9, 12) else ""


def domains(websites) -> set[str]:
    found = set()
    for url in websites if isinstance(websites, list) else [websites]:
        text = str(url or "").strip().lower()
        try:
            host = urlsplit(text if "://" in text else "http://" + text).hostname or ""
        except ValueError:
            continue
        host = host.removeprefix("www.")
        if "." in host and host not in ("facebook.com", "instagram.com"):
            found.add(host)
    return found


def same_organization(first: dict, second: dict) -> bool:
    shared_ein = ein(first.get("ein")) and ein(first.get("ein")) == ein(second.get("ein"))
    if shared_ein and domains(first.get("organization_website")) & domains(second.get("organization_website")):
        return True
    name = name_key(first.get("title"))
    return bool(name) and name == name_key(second.get("title"))


def groups_and_pairs(organizations: dict[str, dict]) -> tuple[list[set[str]], list[tuple[str, str]], list[tuple[str, str]]]:
    """(groups of two or more slugs, the pairs that match, the pairs that share only an EIN)
    for `organizations`: slug -> front matter.

    Both rules need a shared EIN or an equal name, so only the pairs within one EIN or one
    name are compared (all pairs of 1,443 files took 9 s); they come in the order of
    `combinations(sorted(organizations), 2)`.
    """
    by_key: dict[tuple[str, str], list[str]] = {}
    for slug in sorted(organizations):
        for key in (("ein", ein(organizations[slug].get("ein"))), ("name", name_key(organizations[slug].get("title")))):
            if key[1]:
                by_key.setdefault(key, []).append(slug)
    candidates = sorted({pair for members in by_key.values() for pair in combinations(members, 2)})
    pairs, ein_only = [], []
    for a, b in candidates:
        if same_organization(organizations[a], organizations[b]):
            pairs.append((a, b))
        elif ein(organizations[a].get("ein")) and ein(organizations[a].get("ein")) == ein(organizations[b].get("ein")):
            ein_only.append((a, b))
    groups: list[set[str]] = []
    for a, b in pairs:
        touching = [group for group in groups if a in group or b in group]
        merged = {a, b}.union(*touching)
        groups = [group for group in groups if group not in touching] + [merged]
    return groups, pairs, ein_only
