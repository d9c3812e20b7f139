"""Relief policies as data: the YAML schema, its validation, and loading.

A policy file names its rules in order; each rule has an id, a plain-language description, the statute
it implements, a short citation, a link to the official text, the dates between which it applies, a
condition (`when`, in the small vocabulary below) and either an outcome (the rule decides) or a note
(the rule adds a sentence to the reason and the engine goes on). docs/relief.md explains it for readers.
"""
from __future__ import annotations

import datetime as dt
import string
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from relief.model import DISPOSITIONS, LEVELS, OUTCOMES, StatuteRef

Disposition = Literal["convicted", "dismissed", "acquitted", "diverted", "pending", "unknown"]
Level = Literal["felony", "misdemeanor", "infraction"]
Fact = Literal["statute", "disposition", "date"]
OutcomeName = Literal["dismiss_and_seal", "redesignate", "needs_review", "not_eligible", "not_applicable"]

assert set(Disposition.__args__) == set(DISPOSITIONS) and set(Level.__args__) == set(LEVELS)  # type: ignore[attr-defined]
assert set(OutcomeName.__args__) == set(OUTCOMES)  # type: ignore[attr-defined]

#: Names a rule's `reason` or `note` may use in braces, e.g. "{statute} conviction of {date}".
TEMPLATE_FIELDS = frozenset({
    "count", "statute", "target", "code", "section", "disposition", "date", "level", "object",
    "policy", "before", "on_or_after", "prior", "untrusted",
})


class PolicyError(ValueError):
    """A policy cannot be found or its file is not valid. The message names the file and the rule."""

    code = "bad_policy"


def _check_statute_pattern(item: str) -> str:
    """A statute pattern: "@list", "HS *", "HS 11357" or "HS 11357(b)"."""
    if item.startswith("@"):
        if not item[1:].replace("_", "").replace("-", "").isalnum():
            raise ValueError(f"bad list reference {item!r}")
        return item
    code, _, rest = item.partition(" ")
    if rest.strip() == "*" and code.isalpha() and code.isupper() and len(code) == 2:
        return item
    try:
        ref = StatuteRef.parse(item)
    except ValueError as e:
        raise ValueError(f"bad statute pattern {item!r}: write it as 'HS 11359', 'HS 11357(b)' or 'HS *'") from e
    if ref.attempt:
        raise ValueError(f"statute pattern {item!r}: write attempts with `attempt: true`, not PC 664/")
    return item


class When(BaseModel):
    """The condition of a rule. Every key given must hold (AND); `any`, `all` and `not` combine."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    disposition: list[Disposition] | None = None
    statute: list[str] | None = None
    statute_read: bool | None = None
    attempt: bool | None = None
    conspiracy_object: list[str] | None = None
    level: list[Level] | None = None
    level_reduced_17b: bool | None = None
    untrusted: list[Fact] | None = None
    date_known: bool | None = None
    convicted_before: dt.date | None = None
    convicted_on_or_after: dt.date | None = None
    super_strike_prior: bool | None = None
    possible_super_strike_prior: bool | None = None
    pc290_registrant: bool | None = None
    all_: list[When] | None = Field(default=None, alias="all")
    any_: list[When] | None = Field(default=None, alias="any")
    not_: When | None = Field(default=None, alias="not")

    @field_validator("statute", "conspiracy_object")
    @classmethod
    def _patterns(cls, v: list[str] | None) -> list[str] | None:
        return [_check_statute_pattern(str(x)) for x in v] if v is not None else None

    def list_refs(self) -> set[str]:
        """Every "@list" this condition names, nested ones included."""
        refs = {x[1:] for x in (self.statute or []) + (self.conspiracy_object or []) if x.startswith("@")}
        for sub in (self.all_ or []) + (self.any_ or []) + ([self.not_] if self.not_ else []):
            refs |= sub.list_refs()
        return refs


class Rule(BaseModel):
    """One rule of a policy."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*$")
    description: str = Field(min_length=1)
    statute: str = Field(min_length=1, description="the statute the rule implements")
    citation: str = Field(min_length=1, description="short citation, shown with the decision")
    source: str | None = Field(default=None, description="link to the official text")
    effective_from: dt.date
    effective_to: dt.date | None = None
    when: When
    outcome: OutcomeName | None = None
    note: str | None = None
    reason: str | None = None
    review_reason: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")

    @model_validator(mode="after")
    def _shape(self) -> Rule:
        if (self.outcome is None) == (self.note is None):
            raise ValueError("a rule has either `outcome` (it decides) or `note` (it annotates), not both or neither")
        if self.outcome is not None and not self.reason:
            raise ValueError("a deciding rule needs a `reason` text")
        if self.note is not None and self.reason:
            raise ValueError("a note rule has `note`, not `reason`")
        if self.review_reason and self.outcome != "needs_review":
            raise ValueError("`review_reason` is only for rules whose outcome is needs_review")
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        for text in (self.reason, self.note):
            for _, name, _, _ in string.Formatter().parse(text or ""):
                if name is not None and name not in TEMPLATE_FIELDS:
                    raise ValueError(f"unknown field {{{name}}} in text; known: {', '.join(sorted(TEMPLATE_FIELDS))}")
        return self

    def in_effect(self, on: dt.date) -> bool:
        """Whether the rule applies on a date (both ends inclusive)."""
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


class StatuteList(BaseModel):
    """A named list of statute patterns, with where it comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = ""
    citation: str | None = None
    source: str | None = None
    items: list[str]

    @field_validator("items")
    @classmethod
    def _items(cls, v: list[str]) -> list[str]:
        out = [_check_statute_pattern(str(x)) for x in v]
        if any(x.startswith("@") for x in out):
            raise ValueError("a list holds statutes, not other lists")
        return out


class SuperStrike(BaseModel):
    """One offense of PC 667(e)(2)(C)(iv)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    statute: str
    title: str
    attempt_counts: bool = False
    needs: str | None = None

    @property
    def ref(self) -> StatuteRef:
        return StatuteRef.parse(self.statute)

    @field_validator("statute")
    @classmethod
    def _statute(cls, v: str) -> str:
        StatuteRef.parse(v)
        return v


class SuperStrikes(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    citation: str
    source: str | None = None
    offenses: list[SuperStrike]


class SharedData(BaseModel):
    """relief/lists.yaml: lists shared by the policies and the super-strike list."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lists: dict[str, StatuteList]
    super_strikes: SuperStrikes


class Policy(BaseModel):
    """A relief policy: a name, what it models, its own lists (over the shared ones) and its rules in order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    policy: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    description: str = ""
    jurisdiction: str | None = None
    lists: dict[str, StatuteList] = Field(default_factory=dict)
    rules: list[Rule] = Field(min_length=1)
    shared: SharedData | None = Field(default=None, exclude=True)
    path: str | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        seen: set[str] = set()
        known = set(self.lists) | set(self.shared.lists if self.shared else {})
        for r in self.rules:
            if r.id in seen:
                raise ValueError(f"rule {r.id}: the id is used twice")
            seen.add(r.id)
            if not r.id.startswith(self.policy + "/"):
                raise ValueError(f"rule {r.id}: ids of policy {self.policy!r} start with '{self.policy}/'")
            missing = r.when.list_refs() - known
            if missing:
                raise ValueError(f"rule {r.id}: unknown list {', '.join('@' + m for m in sorted(missing))}; "
                                 f"known: {', '.join('@' + k for k in sorted(known))}")
        return self

    def statute_list(self, name: str) -> list[str]:
        """Items of a list by name: the policy's own first, then the shared ones."""
        if name in self.lists:
            return self.lists[name].items
        assert self.shared is not None
        return self.shared.lists[name].items

    @property
    def super_strikes(self) -> SuperStrikes:
        assert self.shared is not None
        return self.shared.super_strikes

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


# --------------------------------------------------------------------------- loading

def _read_yaml(text: str, origin: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise PolicyError(f"{origin}: not valid YAML: {e}") from e


def _explain(e: ValidationError, raw: Any, origin: str) -> PolicyError:
    """A pydantic error turned into one message per problem, naming the file and the rule."""
    lines = []
    for err in e.errors():
        loc = list(err["loc"])
        where = ""
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            rules = raw.get("rules") if isinstance(raw, dict) else None
            rid = None
            if isinstance(rules, list) and loc[1] < len(rules) and isinstance(rules[loc[1]], dict):
                rid = rules[loc[1]].get("id")
            where = f"rule {rid or '#' + str(loc[1] + 1)}"
            loc = loc[2:]
        path = ".".join(str(x) for x in loc)
        msg = str(err["msg"]).removeprefix("Value error, ")
        lines.append(f"{origin}: {where}{' ' if where and path else ''}{path}{': ' if where or path else ''}{msg}")
    return PolicyError("\n".join(lines))


@lru_cache(maxsize=1)
def shared_data() -> SharedData:
    """The packaged relief/lists.yaml, validated."""
    res = resources.files("relief").joinpath("lists.yaml")
    raw = _read_yaml(res.read_text(encoding="utf-8"), "relief/lists.yaml")
    try:
        return SharedData.model_validate(raw)
    except ValidationError as e:
        raise _explain(e, raw, "relief/lists.yaml") from e


def parse_policy(text: str, origin: str = "<policy>") -> Policy:
    """A policy from YAML text; `origin` names it in error messages."""
    raw = _read_yaml(text, origin)
    if not isinstance(raw, dict):
        raise PolicyError(f"{origin}: a policy file is a mapping with `policy`, `title` and `rules`")
    try:
        return Policy.model_validate({**raw, "shared": shared_data(), "path": origin})
    except ValidationError as e:
        raise _explain(e, raw, origin) from e


def list_policies() -> list[str]:
    """Names of the policies packaged with cleardocket."""
    folder = resources.files("relief").joinpath("policies")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


@lru_cache(maxsize=8)
def _load_packaged(name: str) -> Policy:
    res = resources.files("relief").joinpath("policies", f"{name}.yaml")
    return parse_policy(res.read_text(encoding="utf-8"), f"relief/policies/{name}.yaml")


@lru_cache(maxsize=32)
def _load_path(path: str, mtime_ns: int) -> Policy:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise PolicyError(f"{path}: cannot read the policy file: {e.strerror or e}") from e
    return parse_policy(text, path)


def load_policy(name_or_path: str | Path) -> Policy:
    """A packaged policy by name ("la-county", "ca-statute") or a policy file by path."""
    key = str(name_or_path)
    if key in list_policies():
        return _load_packaged(key)
    path = Path(key)
    if path.is_file():
        return _load_path(key, path.stat().st_mtime_ns)
    if path.suffix in (".yaml", ".yml"):
        raise PolicyError(f"{path}: no such policy file")
    raise PolicyError(f"no policy named {key!r}; known: {', '.join(list_policies())} (or a .yaml path)")
