"""Which organization files are the same organization, and which of them names it.

The archive has one file per organization and submission wave, so some organizations
have two or three files ("Harmony Project" and "The Harmony Project", "FoodCycle" and
"FoodCycle LA"). Two files are the same organization when they share an EIN and a website
domain, or when their names are the same once `fold_name` has folded them. An EIN alone
is never enough: the departments of the City of Los Angeles share one, and fiscally
sponsored projects share their sponsor's (Community Partners' projects write it with a
three-digit project number, "954302067002", which therefore stays part of the EIN).

Files that match join one group through every match (a chain A~B, B~C is one group of
three), so a group has exactly one canonical file and no alias can point at another
alias: a cycle of matches is simply a group. The canonical file is the one with the most
proposals, then the newest year, then the first id: a stable choice for the same files.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["Identity", "Merge", "ein_key", "fold_name", "website_domain", "identify"]

SAME_EIN_AND_WEBSITE = "same EIN and website"
SAME_NAME = "same name"

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"))
# Nine digits (or a sponsor's nine and a project's three), dashes and spaces allowed,
# optionally followed by a note in brackets: "951643307 (Caltech)".
_EIN = re.compile(r"^(\d[\d\s-]{7,14}\d)\s*(?:\(.*\))?$")
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_DOTTED_LA = re.compile(r"\bl\s*\.\s*a\s*\.")  # "L.A." before punctuation is folded away
_LOS_ANGELES = re.compile(r"\blos angeles\b")
_LEADING_THE = re.compile(r"^the ")
_TRAILING_FORM = re.compile(r" (?:inc|llc)$")
_TRAILING_LA = re.compile(r" la$")
# Sites where many organizations have a page: the first path part names the organization.
SHARED_HOSTS = frozenset(
    {"facebook.com", "instagram.com", "twitter.com", "x.com", "linktr.ee", "sites.google.com", "medium.com",
     "youtube.com", "linkedin.com", "eventbrite.com", "gofundme.com", "patreon.com", "wixsite.com"}
)


def fold_name(name: str) -> str:
    """An organization name as compared between files: case, punctuation and spacing
    ignored, "&" as "and", "L.A." and "Los Angeles" as "LA", and a leading "The", a
    trailing "Inc"/"LLC" and a trailing "LA" left out ("The Harmony Project" is "harmony
    project", "FoodCycle LA" is "foodcycle", "L.A. Compost" is "la compost")."""
    text = str(name or "").translate(_INVISIBLE).lower().replace("&", " and ")
    text = _NOT_WORD.sub(" ", _DOTTED_LA.sub(" la ", text)).strip()
    text = _TRAILING_FORM.sub("", _LEADING_THE.sub("", _LOS_ANGELES.sub("la", text)))
    return _TRAILING_LA.sub("", text).strip()


def ein_key(raw) -> tuple[str, str]:
    """(the EIN's digits, problem): ("", "") when none is given or it is a placeholder in
    words ("TBD", "pending", "We are fiscally sponsored"); ("", reason) when digits are
    given that are no EIN ("46", "10973080")."""
    text = str(raw or "").translate(_INVISIBLE).strip()
    if not any(char.isdigit() for char in text):
        return "", ""
    match = _EIN.match(text)
    digits = re.sub(r"\D", "", match.group(1)) if match else ""
    if len(digits) in (9, 12):
        return digits, ""
    return "", f"ein {text[:40]!r} is not a nine-digit EIN; not used to match organizations"


def website_domain(url: str) -> str:
    """The site a website link belongs to: its host without "www.", and on sites where many
    organizations have a page (facebook.com) the page too; "" when it is no web address."""
    try:
        parts = urlsplit(str(url).strip().lower())
        host = (parts.hostname or "").removeprefix("www.")
    except ValueError:  # "http://[bad" and other unparsable hosts
        return ""
    if "." not in host:
        return ""
    if host in SHARED_HOSTS or any(host.endswith("." + shared) for shared in SHARED_HOSTS):
        page = parts.path.strip("/").split("/", 1)[0]
        return f"{host}/{page}" if page else ""
    return host


@dataclass(frozen=True)
class Merge:
    """One file folded into another, and why: what `index` reports."""

    alias: str
    canonical: str
    reason: str

    def line(self, files: dict[str, str]) -> str:
        return f"merged {files.get(self.alias, self.alias)} into {files.get(self.canonical, self.canonical)}: {self.reason}"


@dataclass(frozen=True)
class Identity:
    """The organizations' groups: alias id -> canonical id, and the merges behind them."""

    canonical_of: dict[str, str]  # alias ids only; a canonical or lone id is not a key
    merges: tuple[Merge, ...]
    problems: tuple[tuple[str, str], ...]  # (organization id, reason)

    def canonical(self, org_id: str) -> str:
        return self.canonical_of.get(org_id, org_id)

    def aliases(self) -> dict[str, list[str]]:
        """canonical id -> its alias ids, in id order."""
        grouped = defaultdict(list)
        for alias, canonical in sorted(self.canonical_of.items()):
            grouped[canonical].append(alias)
        return dict(grouped)


def identify(organizations: dict[str, dict], proposal_counts: dict[str, int]) -> Identity:
    """Group the organizations (id -> facts with `name`, `ein`, `websites`, `years`) that
    are the same, by the module's rule.

    :param proposal_counts: organization id -> proposals linked to it (for the canonical choice).
    """
    problems, keys = [], {}
    for org_id, facts in sorted(organizations.items()):
        ein, problem = ein_key(facts.get("ein"))
        if problem:
            problems.append((org_id, problem))
        domains = {website_domain(url) for url in facts.get("websites", [])} - {""}
        keys[org_id] = (ein, domains, fold_name(facts.get("name", "")))
    groups = _Groups(keys)
    by_ein, by_name = defaultdict(list), defaultdict(list)
    for org_id, (ein, _domains, name) in keys.items():
        if ein:
            by_ein[ein].append(org_id)
        if name:
            by_name[name].append(org_id)
    reasons: dict[frozenset, str] = {}
    for members in by_ein.values():
        for index, first in enumerate(members):
            for second in members[index + 1 :]:
                if keys[first][1] & keys[second][1]:
                    reasons[frozenset((first, second))] = SAME_EIN_AND_WEBSITE
                    groups.join(first, second)
    for members in by_name.values():
        for first, second in zip(members, members[1:]):
            reasons.setdefault(frozenset((first, second)), SAME_NAME)
            groups.join(first, second)
    canonical_of, merges = {}, []
    for group in groups.sets():
        canonical = min(group, key=lambda org_id: _rank(org_id, organizations[org_id], proposal_counts))
        for alias in sorted(group - {canonical}):
            canonical_of[alias] = canonical
            merges.append(Merge(alias, canonical, _reason(alias, group, reasons)))
    return Identity(canonical_of, tuple(sorted(merges, key=lambda m: (m.canonical, m.alias))), tuple(problems))


def _rank(org_id: str, facts: dict, proposal_counts: dict[str, int]) -> tuple:
    """Most proposals first, then the newest year, then the first id."""
    newest = max((year for year in facts.get("years", []) if year), default=0)
    return (-proposal_counts.get(org_id, 0), -newest, org_id)


def _reason(alias: str, members: set[str], reasons: dict[frozenset, str]) -> str:
    """Why `alias` is in its group: its own match (the EIN and website one if it has both)."""
    own = {reason for pair, reason in reasons.items() if alias in pair and pair <= members}
    return SAME_EIN_AND_WEBSITE if SAME_EIN_AND_WEBSITE in own else SAME_NAME


class _Groups:
    """Union-find over organization ids: every match joins two groups into one."""

    def __init__(self, ids: Iterable[str]):
        self.parent = {org_id: org_id for org_id in ids}

    def root(self, org_id: str) -> str:
        while self.parent[org_id] != org_id:
            self.parent[org_id] = self.parent[self.parent[org_id]]
            org_id = self.parent[org_id]
        return org_id

    def join(self, first: str, second: str) -> None:
        a, b = sorted((self.root(first), self.root(second)))
        self.parent[b] = a

    def sets(self) -> list[set[str]]:
        grouped = defaultdict(set)
        for org_id in self.parent:
            grouped[self.root(org_id)].add(org_id)
        return [members for members in grouped.values() if len(members) > 1]
