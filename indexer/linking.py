"""Link the documents of an index: proposals to organizations, outcomes, topics.

Linking runs after parsing, over the `facts` of every file in the index (kept in the
manifest), so an update that changes only an organization, only a proposal or only a
`_data` file recomputes every link without parsing unchanged files again, and a removed
organization unlinks its proposals. The result is a plain dict saved in the manifest:

    {"documents": {doc id: {"organization_id", "organization", "outcomes", "topics", "org_type",
                            for proposals "organization_outcomes", for organizations "location",
                            "home_region", "ein", "websites", "aliases" and "years"
                            or, for an organization merged into another, "alias_of"}},
     "proposals_of": {organization id: [proposal ids, newest first]},
     "aliases": {alias organization id: canonical organization id},
     "merges": ["merged a.md into b.md: same name", ...],
     "problems": ["file: entry: reason", ...]}

Rules (each documented where it is applied):
- Organization files that are the same organization (indexer/org_identity.py) are one:
  the aliases' proposals, outcomes, topics and names belong to the canonical file.
- A proposal belongs to the organization whose `project_ids` hold its `project_id`,
  else to the one whose `organization_id` equals its own.
- An outcome entry matches a proposal by its challenge URL, else an organization by one
  of its challenge URLs or its slug (then that organization's proposal of the entry's
  year), else a proposal by title and year, else an organization by name (and year).
- An outcome is an event: (outcome, year, the proposal when known). An organization holds
  the events of its proposals and its own; a proposal holds its own, and its organization's
  as `organization_outcomes`. An organization's years are those it submitted in and those
  of its events, so "organizations of 2019" and "winners of 2019" agree.
- Topics fold through the hierarchy of the topic data file: a child topic brings its
  parent, so choosing a parent finds everything tagged with it or any child.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from vocabulary.fold import fold

from .locations import home_region_of
from .org_identity import Identity, identify

__all__ = ["link_documents"]


def link_documents(entries: list[dict]) -> dict:
    """Links for `entries`: dicts with the `id`, `kind`, `path` and `facts` of each file."""
    return _Linker(entries).run()


def url_key(url: str) -> str:
    """A URL as compared between files, which write the same page several ways: any scheme
    and case, no "www.", no trailing "/", ".html" or stray "-" (".../GALA2015.html" is
    ".../GALA2015", ".../landscape-" is ".../landscape")."""
    parts = urlsplit(url.strip().lower())
    host = parts.netloc.removeprefix("www.")
    path = parts.path.rstrip("/").removesuffix(".html").rstrip("-/")
    return f"{host}{path}" if host else ""


def _file_name(entry: dict) -> str:
    return entry["path"].replace("\\", "/").rsplit("/", 1)[-1]


@dataclass
class _Outcome:
    label: str
    year: int | None
    file: str
    proposal_id: str | None = None

    def as_json(self) -> dict:
        """The event as documents carry it; `label` ("Winner 2019") is how every page and export names it."""
        label = f"{self.label} {self.year}" if self.year else self.label
        return {"outcome": self.label, "year": self.year, "label": label, "proposal_id": self.proposal_id, "file": self.file}


@dataclass
class _Linker:
    entries: list[dict]
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        by_kind: defaultdict[str, dict[str, dict]] = defaultdict(dict)
        self.files = {}
        for entry in sorted(self.entries, key=lambda e: e["id"]):
            by_kind[entry["kind"]][entry["id"]] = entry.get("facts") or {}
            self.files[entry["id"]] = _file_name(entry)
            for problem in (entry.get("facts") or {}).get("problems", []):
                self.problems.append(f"{_file_name(entry)}: {problem}")
        self.proposals: dict[str, dict] = by_kind["proposal"]
        self.organizations: dict[str, dict] = by_kind["organization"]
        self.data: dict[str, dict] = by_kind["data"]

    def run(self) -> dict:
        owner = self._owners()
        identity = identify(self.organizations, Counter(owner.values()))
        self.problems += [f"{self.files[org_id]}: {reason}" for org_id, reason in identity.problems]
        owner = {pid: identity.canonical(org_id) for pid, org_id in owner.items()}
        proposals_of = defaultdict(list)
        for proposal_id, org_id in owner.items():
            proposals_of[org_id].append(proposal_id)
        for org_id, ids in proposals_of.items():
            ids.sort(key=lambda pid: (-(self.proposals[pid].get("year") or 0), self.proposals[pid].get("title", ""), pid))
        outcomes = self._outcomes(owner, proposals_of, identity)
        documents = self._organization_documents(identity, outcomes)
        for proposal_id in self.proposals:
            owner_id = owner.get(proposal_id)
            org = documents.get(owner_id, {}) if owner_id else {}
            documents[proposal_id] = {
                "organization_id": owner_id,
                "organization": self.proposals[proposal_id].get("organization") or org.get("organization", ""),
                "outcomes": _events(outcomes.get(proposal_id, [])),
                "organization_outcomes": org.get("outcomes", []),
                "topics": org.get("topics", []),
                "org_type": org.get("org_type", ""),
            }
        return {
            "documents": documents,
            "proposals_of": dict(proposals_of),
            "aliases": dict(identity.canonical_of),
            "merges": [merge.line(self.files) for merge in identity.merges],
            "problems": self.problems,
        }

    def _organization_documents(self, identity: Identity, outcomes: dict[str, list[_Outcome]]) -> dict[str, dict]:
        """Each organization's links; an organization of several files has the topics of
        each, and the first type and location its files give (the canonical file's first)."""
        topics = self._topic_expander()
        aliases = identity.aliases()
        documents = {}
        for org_id, facts in self.organizations.items():
            if org_id in identity.canonical_of:
                continue
            members = [facts] + [self.organizations[alias] for alias in aliases.get(org_id, [])]
            location = next((m["location"] for m in members if m.get("location")), None)
            events = _events(outcomes.get(org_id, []))
            years = {year for member in members for year in member.get("years", []) if year}
            documents[org_id] = {
                "organization_id": org_id,
                "organization": facts.get("name", ""),
                "outcomes": events,
                "years": sorted(years | {event["year"] for event in events if event["year"]}, reverse=True),
                "topics": topics([tag for member in members for tag in member.get("topics", [])]),
                "org_type": next((m["org_type"] for m in members if m.get("org_type")), ""),
                "location": location,
                "home_region": home_region_of(location),
                "ein": next((m["ein"] for m in members if m.get("ein")), ""),
                "websites": next((m["websites"] for m in members if m.get("websites")), []),
                "aliases": [{"id": alias, "name": self.organizations[alias].get("name", "")} for alias in aliases.get(org_id, [])],
            }
        for alias, canonical in identity.canonical_of.items():
            documents[alias] = {**documents[canonical], "alias_of": canonical, "aliases": []}
        return documents

    # -- proposals to organizations ------------------------------------------------

    def _owners(self) -> dict[str, str]:
        """proposal id -> organization file id, by project id, else by organization id."""
        by_project, by_org_key = defaultdict(list), defaultdict(list)
        for org_id, facts in self.organizations.items():
            for project_id in dict.fromkeys(facts.get("project_ids", [])):
                by_project[project_id].append(org_id)
            if facts.get("organization_id"):
                by_org_key[facts["organization_id"]].append(org_id)
        owner = {}
        for proposal_id, facts in self.proposals.items():
            candidates = by_project.get(facts.get("project_id") or "") or by_org_key.get(facts.get("organization_id") or "")
            if not candidates:
                continue
            owner[proposal_id] = chosen = self._choose_owner(facts, candidates)
            if len(candidates) > 1:
                others = ", ".join(self.files[c] for c in candidates if c != chosen)
                self.problems.append(
                    f"{self.files[chosen]}: project id {facts.get('project_id')} is also listed by {others}; "
                    f"{proposal_id} is linked to {chosen}"
                )
        return owner

    def _choose_owner(self, facts: dict, candidates: list[str]) -> str:
        """Of organizations listing the same project id, the one that agrees most with the
        proposal: same organization id, then the proposal's title among its project titles,
        then the same name; ties go to the first id in sort order, so the choice is stable."""

        def agreement(org_id: str) -> tuple:
            org = self.organizations[org_id]
            return (
                bool(facts.get("organization_id")) and org.get("organization_id") == facts.get("organization_id"),
                fold(facts.get("title")) in {fold(title) for title in org.get("project_titles", [])},
                bool(facts.get("organization")) and fold(org.get("name")) == fold(facts.get("organization")),
            )

        return max(sorted(candidates), key=agreement)

    # -- outcomes ---------------------------------------------------------------------

    def _outcomes(self, owner: dict[str, str], proposals_of: dict[str, list[str]], identity: Identity) -> dict[str, list[_Outcome]]:
        """doc id -> outcomes; a proposal's outcomes are its organization's too, and an
        outcome naming a merged-away file its canonical organization's (reported)."""
        merged = {alias: proposals_of.get(canonical, []) for alias, canonical in identity.canonical_of.items()}
        matcher = _OutcomeMatcher(self.proposals, self.organizations, {**proposals_of, **merged}, identity.canonical)
        found = defaultdict(list)
        for data_id, facts in self.data.items():
            if "outcome" not in facts:
                continue
            for entry in facts.get("entries", []):
                proposal_id, org_id, reason = matcher.match(entry)
                outcome = _Outcome(facts["outcome"], entry.get("year"), self.files[data_id], proposal_id)
                if proposal_id:
                    outcome.year = outcome.year or self.proposals[proposal_id].get("year")
                    found[proposal_id].append(outcome)
                    org_id = owner.get(proposal_id)
                if org_id in identity.canonical_of:
                    reason = "; ".join(filter(None, (reason, f"names {self.files[org_id]}, merged into {self.files[identity.canonical(org_id)]}")))
                    org_id = identity.canonical(org_id)
                if org_id:
                    found[org_id].append(outcome)
                if reason:
                    label = entry.get("title") or entry.get("url") or entry.get("slug") or entry.get("broken", "?")
                    self.problems.append(f"{self.files[data_id]}: {label}: {reason}")
        return found

    # -- topics -------------------------------------------------------------------------

    def _topic_expander(self):
        """A function from an organization's raw tags to its topics, parents included."""
        parents, names = {}, {}
        for facts in self.data.values():
            for parent, children in facts.get("topics", {}).items():
                names[fold(parent)] = parent
                for child in children:
                    names.setdefault(fold(child), child)
                    parents.setdefault(fold(child), parent)

        def expand(tags: list[str]) -> list[str]:
            topics = []
            for tag in tags:
                key = fold(tag)
                topics.append(names.get(key, tag))
                if key in parents:
                    topics.append(parents[key])
            return list(dict.fromkeys(topics))

        return expand


def _events(outcomes: list[_Outcome]) -> list[dict]:
    """Outcomes as JSON, each event once (two lists may name the same finalist), oldest first."""
    unique = {(o.label, o.year, o.proposal_id): o.as_json() for o in outcomes}
    return sorted(unique.values(), key=lambda o: (o["year"] or 0, o["outcome"], o["proposal_id"] or ""))


class _OutcomeMatcher:
    """Finds the proposal (or organization) an outcome entry names, by the module's rules."""

    def __init__(self, proposals: dict, organizations: dict, proposals_of: dict, canonical=lambda org_id: org_id):
        self.proposals, self.organizations, self.proposals_of = proposals, organizations, proposals_of
        self.canonical = canonical  # files of one organization are one match, not two by name
        self.proposal_by_url = {url_key(f.get("challenge_url", "")): pid for pid, f in proposals.items()}
        self.proposal_by_url.pop("", None)
        self.org_by_url: dict[str, tuple[str, int | None]] = {}  # (organization id, year)
        self.org_by_slug: dict[str, str] = {}
        self.org_by_name: defaultdict[str, list[str]] = defaultdict(list)
        for org_id, facts in organizations.items():
            years = facts.get("years", [])
            for index, url in enumerate(facts.get("challenge_urls", [])):
                year = years[index] if index < len(years) else None
                self.org_by_url.setdefault(url_key(url), (org_id, year))
            self.org_by_slug[org_id.rsplit("/", 1)[-1]] = org_id
            self.org_by_name[fold(facts.get("name"))].append(org_id)
        self.proposal_by_title = defaultdict(list)
        for pid, facts in proposals.items():
            self.proposal_by_title[(fold(facts.get("title")), facts.get("year"))].append(pid)

    def match(self, entry: dict) -> tuple[str | None, str | None, str]:
        """(proposal id, organization id, problem): a problem when no proposal was found."""
        if entry.get("broken"):
            return None, None, "an entry that is neither a mapping nor a string"
        year, key = entry.get("year"), url_key(entry.get("url", ""))
        if key in self.proposal_by_url:
            return self.proposal_by_url[key], None, ""
        org_id = None
        if key in self.org_by_url:
            org_id, url_year = self.org_by_url[key]
            year = year or url_year
        elif entry.get("slug") in self.org_by_slug:
            org_id = self.org_by_slug[entry["slug"]]
        if org_id is None:
            titled = self.proposal_by_title.get((fold(entry.get("title")), year), [])
            if len(titled) == 1:
                return titled[0], None, ""
            named = list(dict.fromkeys(map(self.canonical, self.org_by_name.get(fold(entry.get("title")), []))))
            org_id = named[0] if len(named) == 1 else None
        if org_id is None:
            return None, None, "no proposal or organization matches its URL, title or name"
        if year is None:  # e.g. featured organizations: the organization itself
            return None, org_id, ""
        of_year = [pid for pid in self.proposals_of.get(org_id, []) if self.proposals[pid].get("year") == year]
        if len(of_year) == 1:
            return of_year[0], org_id, ""
        if of_year:  # several that year: the one whose title the entry names, else report
            titled = [pid for pid in of_year if fold(self.proposals[pid].get("title")) == fold(entry.get("title"))]
            if len(titled) == 1:
                return titled[0], org_id, ""
            return None, org_id, f"{org_id} has {len(of_year)} proposals of {year}; kept on the organization"
        return None, org_id, f"{org_id} has no proposal of {year}; kept on the organization"
