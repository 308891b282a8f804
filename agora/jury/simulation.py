"""The capture simulation: can a one-sided crowd use the jury to keep incitement up or purge lawful speech?

`simulate()` builds a synthetic instance in the database: users in two viewpoint camps (a configurable
split), each with a behaviour (honest; partisan: keeps its own camp's violations and removes the other camp's
lawful posts; lazy: random, often absent), calibration tests, known-answer cases and a stream of reported
posts with ground truth (incitement by either camp, lawful posts by either camp reported by the other,
grey-zone posts). Each case runs through the REAL jury code (`draw_jury`, `cast_vote`, `close_jury`: scope,
sortition with exclusions and stratification, gold, counting, circuit breaker) and the real moderation
decision service; cases the jury sends to staff are decided correctly by a staff model after a delay.
The naive Parler-like jury (5 volunteers, 4 of 5 votes to remove, no staff) runs on the same users and cases.

Isolation: each split runs inside `transaction.atomic()` and is rolled back at the end, so nothing it
creates survives. The `agora jury simulate` command additionally runs on a throwaway in-memory SQLite
database unless `--in-place` is given (see the command).
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from agora.accounts.models import Follow, User
from agora.jury import conf, services
from agora.jury.models import CategoryBreaker, DocketItem, GoldCase, JurorProfile, Jury, Verdict
from agora.moderation import dsa
from agora.moderation import services as moderation
from agora.moderation.models import Case, Decision, Rule
from agora.posts.models import ModerationState, Post
from agora.screening.models import Decision as ScreeningDecision
from agora.screening.models import PostScreening

HONEST, PARTISAN, LAZY = "honest", "partisan", "lazy"
INCITEMENT, LAWFUL, GREY = "incitement", "lawful", "grey"


@dataclass(frozen=True)
class Behaviour:
    """How the synthetic people act; defaults are deliberately hostile (most of every camp is partisan)."""

    partisan: float = 0.6
    lazy: float = 0.1
    honest_error: float = 0.02
    grey_error: float = 0.2
    lazy_no_show: float = 0.3
    # Share of incitement screening flags (review); share of other posts it flags wrongly.
    screening_recall: float = 0.5
    screening_false_positive: float = 0.03
    staff_delay_hours: tuple[float, float] = (1.0, 8.0)
    case_interval_minutes: float = 60.0


@dataclass
class Row:
    system: str
    incitement: int = 0
    incitement_visible: int = 0
    minority_lawful: int = 0
    minority_lawful_removed: int = 0
    cases: int = 0
    escalated: int = 0
    staff_decisions: int = 0

    @staticmethod
    def _share(part: int, whole: int) -> float:
        return part / whole if whole else 0.0

    @property
    def incitement_visible_share(self) -> float:
        return self._share(self.incitement_visible, self.incitement)

    @property
    def minority_lawful_removed_share(self) -> float:
        return self._share(self.minority_lawful_removed, self.minority_lawful)

    @property
    def escalated_share(self) -> float:
        return self._share(self.escalated, self.cases)


@dataclass
class SplitResult:
    split: tuple[int, int]
    users: int
    cases: int
    jury: Row
    baseline: Row
    details: dict[str, Any] = field(default_factory=dict)

    def table(self) -> str:
        a, b = self.split
        lines = [
            f"Split {a}/{b} ({self.users} users, {self.cases} reported posts)",
            "",
            "| system | incitement visible after 24 h | minority's lawful posts removed | escalated to staff "
            "| staff decisions |",
            "|---|---|---|---|---|",
        ]
        for row in (self.jury, self.baseline):
            lines.append(
                f"| {row.system} | {100 * row.incitement_visible_share:.1f} % "
                f"({row.incitement_visible}/{row.incitement}) | "
                f"{100 * row.minority_lawful_removed_share:.1f} % "
                f"({row.minority_lawful_removed}/{row.minority_lawful}) | {100 * row.escalated_share:.0f} % "
                f"({row.escalated}/{row.cases}) | {row.staff_decisions} |"
            )
        lines.append("")
        lines.append(", ".join(f"{key}: {value}" for key, value in self.details.items()))
        return "\n".join(lines)


@dataclass
class _Person:
    user: User
    camp: str
    behaviour: str


@dataclass
class _SimCase:
    kind: str
    violates: bool
    author: _Person
    reporter: _Person
    rule: Rule
    category: str
    flagged: bool
    at: datetime.datetime
    minority: bool


class _World:
    """The synthetic people and how each of them votes."""

    def __init__(self, people: list[_Person], behaviour: Behaviour, rng: random.Random) -> None:
        self.people = people
        self.by_id = {p.user.pk: p for p in people}
        self.behaviour = behaviour
        self.rng = rng

    def verdict(
        self, person: _Person, *, violates: bool, author_camp: str, grey: bool, test: bool = False
    ) -> str | None:
        """A vote, or None for a no-show. `test`: a calibration test, which partisans answer straight."""
        b, rng = self.behaviour, self.rng
        if person.behaviour == LAZY:
            if not test and rng.random() < b.lazy_no_show:
                return None
            return rng.choice([Verdict.VIOLATES, Verdict.DOES_NOT_VIOLATE, Verdict.UNSURE])
        if person.behaviour == PARTISAN and not test:
            if violates and author_camp == person.camp:
                return Verdict.DOES_NOT_VIOLATE
            if not violates and author_camp != person.camp:
                return Verdict.VIOLATES
        error = b.grey_error if grey else b.honest_error
        right = rng.random() >= error
        return Verdict.VIOLATES if violates == right else Verdict.DOES_NOT_VIOLATE


def _setup_rules() -> dict[str, Rule]:
    start = (Rule.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    specs = {
        INCITEMENT: (
            "Simulation: no incitement to violence",
            dsa.Category.VIOLENCE,
            dsa.Ground.ILLEGAL,
            "§ 111 StGB",
        ),
        LAWFUL: (
            "Simulation: no harassment or hate",
            dsa.Category.ILLEGAL_OR_HARMFUL_SPEECH,
            dsa.Ground.INCOMPATIBLE,
            "",
        ),
        GREY: ("Simulation: other rules", dsa.Category.OTHER_VIOLATION_TC, dsa.Ground.INCOMPATIBLE, ""),
    }
    return {
        key: Rule.objects.create(
            number=start + i,
            title=title,
            category=category,
            ground=ground,
            legal_ground=law,
            strike_severity=1,
        )
        for i, (key, (title, category, ground, law)) in enumerate(specs.items())
    }


def _setup_gold(rules: dict[str, Rule]) -> dict[Any, tuple[bool, str]]:
    """Known-answer cases per rule: incitement and lawful speech by each camp; id -> (violates, camp)."""
    answers: dict[Any, tuple[bool, str]] = {}
    per_rule = int(conf.get("CALIBRATION_ITEMS")) + 8
    for rule in rules.values():
        for i in range(per_rule):
            violates, camp = i % 2 == 0, "a" if i % 4 < 2 else "b"
            gold = GoldCase.objects.create(
                rule=rule,
                category=rule.category,
                text=f"[known-answer {rule.number}/{i}] "
                f"{'call to violence' if violates else 'lawful opinion'} by camp {camp}",
                violates=violates,
                explanation="Settled by staff.",
            )
            answers[gold.pk] = (violates, camp)
    return answers


def _setup_people(
    n: int, majority: float, behaviour: Behaviour, rng: random.Random, start: datetime.datetime
) -> list[_Person]:
    joined = start - datetime.timedelta(days=int(conf.get("MIN_ACCOUNT_AGE_DAYS")) + 30)
    prefix = f"sim{rng.randrange(10**6):06d}"
    users = User.objects.bulk_create(
        [
            User(
                username=f"{prefix}_{i}", email=f"{prefix}_{i}@sim.invalid", password="!", date_joined=joined
            )
            for i in range(n)
        ]
    )
    size_a = round(n * majority)
    people: list[_Person] = []
    for camp, members in (("a", users[:size_a]), ("b", users[size_a:])):
        members = list(members)
        rng.shuffle(members)
        partisans = round(len(members) * behaviour.partisan)
        lazies = round(len(members) * behaviour.lazy)
        for i, user in enumerate(members):
            kind = PARTISAN if i < partisans else LAZY if i < partisans + lazies else HONEST
            people.append(_Person(user, camp, kind))
    JurorProfile.objects.bulk_create([JurorProfile(user=p.user) for p in people])
    # A sparse social graph inside each camp: two follows each.
    follows = []
    for camp in ("a", "b"):
        members = [p.user for p in people if p.camp == camp]
        for user in members:
            for other in rng.sample(members, min(2, len(members) - 1) if len(members) > 1 else 0):
                if other.pk != user.pk:
                    follows.append(Follow(follower=user, followee=other))
    Follow.objects.bulk_create(follows, ignore_conflicts=True)
    return people


def _calibrate(
    world: _World, rules: dict[str, Rule], gold: dict[Any, tuple[bool, str]], start: datetime.datetime
) -> None:
    for rule in rules.values():
        items = services.calibration_items(rule)
        for person in world.people:
            answers = {}
            for item in items:
                violates, camp = gold[item.pk]
                answers[str(item.pk)] = (
                    world.verdict(person, violates=violates, author_camp=camp, grey=False, test=True)
                    or Verdict.UNSURE
                )
            if any(v == Verdict.UNSURE for v in answers.values()):
                continue  # a lazy person who did not finish the test
            services.submit_calibration(user=person.user, rule=rule, answers=answers, now=start)


def _stream(world: _World, rules: dict[str, Rule], m: int, start: datetime.datetime) -> list[_SimCase]:
    rng, b = world.rng, world.behaviour
    camp_a = [p for p in world.people if p.camp == "a"]
    camp_b = [p for p in world.people if p.camp == "b"]
    minority = "b" if len(camp_b) <= len(camp_a) else "a"
    cases = []
    for k in range(m):
        roll = rng.random()
        if roll < 0.30:
            kind, violates = INCITEMENT, True
            author = rng.choice(world.people)
        elif roll < 0.75:
            kind, violates = LAWFUL, False
            # Mostly the minority's posts, mass-reported by the other camp; some the other way round.
            camp = minority if rng.random() < 0.75 else ("a" if minority == "b" else "b")
            author = rng.choice(camp_a if camp == "a" else camp_b)
        else:
            kind = GREY
            violates = rng.random() < 0.5
            author = rng.choice(world.people)
        others = camp_b if author.camp == "a" else camp_a
        reporter = rng.choice(
            others if others and kind != GREY else [p for p in world.people if p is not author]
        )
        if kind == INCITEMENT:
            # Half are reported as violence; half misfiled as harassment, where only the jury's locks help.
            category, rule = (
                (dsa.Category.VIOLENCE, rules[INCITEMENT])
                if rng.random() < 0.5
                else (dsa.Category.ILLEGAL_OR_HARMFUL_SPEECH, rules[LAWFUL])
            )
            flagged = rng.random() < b.screening_recall
        elif kind == LAWFUL:
            category, rule, flagged = (
                dsa.Category.ILLEGAL_OR_HARMFUL_SPEECH,
                rules[LAWFUL],
                rng.random() < b.screening_false_positive,
            )
        else:
            category, rule, flagged = (
                dsa.Category.OTHER_VIOLATION_TC,
                rules[GREY],
                rng.random() < b.screening_false_positive,
            )
        at = start + datetime.timedelta(minutes=b.case_interval_minutes * k)
        cases.append(
            _SimCase(kind, violates, author, reporter, rule, category, flagged, at, author.camp == minority)
        )
    return cases


def _staff_decide(case: Case, sim: _SimCase, staff: User, rules: dict[str, Rule]) -> None:
    case = Case.objects.get(pk=case.pk)
    if not case.is_live:
        return
    post = case.post
    assert post is not None
    if sim.violates:
        rule = rules[INCITEMENT] if sim.kind == INCITEMENT else sim.rule
        moderation.decide_case(
            case=case,
            action=Decision.Action.REMOVE,
            rule=rule,
            moderator=staff,
            explanation="Staff review: breaks the rule.",
        )
    elif post.moderation_state != ModerationState.PUBLISHED:
        moderation.decide_case(
            case=case, action=Decision.Action.RESTORE, moderator=staff, explanation="Staff review: lawful."
        )
    else:
        moderation.decide_case(
            case=case, action=Decision.Action.DISMISS, moderator=staff, explanation="Staff review: lawful."
        )


def _run_jury(
    world: _World,
    sim: _SimCase,
    gold: dict[Any, tuple[bool, str]],
    staff: User,
    rules: dict[str, Rule],
    row: Row,
) -> None:
    rng, b = world.rng, world.behaviour
    post = Post.objects.create(author=sim.author.user, text=f"[sim] {sim.kind} by camp {sim.author.camp}")
    if sim.flagged:
        PostScreening.objects.create(
            post=post, model="sim@1", decision=ScreeningDecision.REVIEW, scores={"violence": 0.9}
        )
    report = moderation.create_report(
        reporter=sim.reporter.user,
        post=post,
        category=sim.category,
        explanation="Reported in the simulation.",
        rules=[sim.rule],
    )
    case = report.case
    jury = services.draw_jury(case=case, now=sim.at, rng=rng)
    hidden_at: datetime.datetime | None = None
    jury_restricted = False
    escalated_at = sim.at
    if jury is not None:
        window = (jury.deadline - sim.at).total_seconds()
        seats = list(jury.seats.select_related("juror"))
        rng.shuffle(seats)
        for seat in seats:
            person = world.by_id[seat.juror_id]
            when = sim.at + datetime.timedelta(seconds=window * rng.uniform(0.1, 0.9))
            for item in DocketItem.objects.filter(
                juror=person.user, gold__isnull=False, voted_at__isnull=True, deadline__gt=when
            ):
                violates, camp = gold[item.gold_id]
                verdict = world.verdict(person, violates=violates, author_camp=camp, grey=False)
                if verdict is not None and item.gold is not None:
                    services.cast_vote(
                        juror=person.user, item=item, verdict=verdict, rule=item.gold.rule, now=when
                    )
            verdict = world.verdict(
                person, violates=sim.violates, author_camp=sim.author.camp, grey=sim.kind == GREY
            )
            if verdict is not None:
                services.cast_vote(
                    juror=person.user,
                    item=seat,
                    verdict=verdict,
                    rule=sim.rule if verdict == Verdict.VIOLATES else None,
                    reason="",
                    now=when,
                )
        jury.refresh_from_db()
        if jury.state == Jury.State.VOTING:
            services.close_jury(jury=jury, now=jury.deadline)
            jury.refresh_from_db()
        assert jury.closed_at is not None
        escalated_at = jury.closed_at
        if jury.decision is not None and jury.decision.is_restrictive:
            hidden_at, jury_restricted = jury.closed_at, True
        if jury.state == Jury.State.DECIDED:
            row.cases += 1
            _tally(row, sim, hidden_at, jury_restricted)
            return
    row.cases += 1
    row.escalated += 1
    row.staff_decisions += 1
    staff_at = escalated_at + datetime.timedelta(hours=rng.uniform(*b.staff_delay_hours))
    _staff_decide(case, sim, staff, rules)
    if sim.violates and hidden_at is None:
        hidden_at = staff_at
    _tally(row, sim, hidden_at, jury_restricted)


def _tally(row: Row, sim: _SimCase, hidden_at: datetime.datetime | None, jury_restricted: bool) -> None:
    if sim.kind == INCITEMENT:
        row.incitement += 1
        if hidden_at is None or hidden_at > sim.at + datetime.timedelta(hours=24):
            row.incitement_visible += 1
    if sim.kind == LAWFUL and sim.minority:
        row.minority_lawful += 1
        row.minority_lawful_removed += jury_restricted


def _run_baseline(world: _World, cases: Sequence[_SimCase]) -> Row:
    """Parler-like: 5 volunteers (anyone but the author, no calibration, no exclusions), 4 of 5 to remove,
    decided within the 24 h window, no staff."""
    row = Row("Parler-like jury (5 volunteers, 4 of 5 to remove)")
    for sim in cases:
        volunteers = world.rng.sample([p for p in world.people if p is not sim.author], 5)
        votes = [
            world.verdict(p, violates=sim.violates, author_camp=sim.author.camp, grey=sim.kind == GREY)
            for p in volunteers
        ]
        removed = sum(v == Verdict.VIOLATES for v in votes) >= 4
        row.cases += 1
        _tally(row, sim, sim.at + datetime.timedelta(hours=12) if removed else None, removed)
    return row


def run_split(
    *, users: int, cases: int, split: tuple[int, int], seed: int, behaviour: Behaviour | None = None
) -> SplitResult:
    """One split, inside a transaction that is rolled back: nothing it writes survives."""
    behaviour = behaviour or Behaviour()
    rng = random.Random(f"{seed}-{split[0]}-{split[1]}")
    result: SplitResult | None = None
    with transaction.atomic():
        start = timezone.now()
        rules = _setup_rules()
        gold = _setup_gold(rules)
        people = _setup_people(users, split[0] / sum(split), behaviour, rng, start)
        world = _World(people, behaviour, rng)
        staff = User.objects.create(
            username=f"simstaff{rng.randrange(10**6)}",
            email=f"staff{rng.randrange(10**9)}@sim.invalid",
            role=User.Role.MODERATOR,
        )
        _calibrate(world, rules, gold, start)
        stream = _stream(world, rules, cases, start)
        row = Row("Agora jury")
        for sim in stream:
            _run_jury(world, sim, gold, staff, rules, row)
        baseline = _run_baseline(world, stream)
        profiles = JurorProfile.objects.filter(user__in=[p.user for p in people])
        ineligible = {kind: 0 for kind in (HONEST, PARTISAN, LAZY)}
        for person_id in profiles.filter(ineligible_since__isnull=False).values_list("user_id", flat=True):
            ineligible[world.by_id[person_id].behaviour] += 1
        why = Counter(
            str(reasons[-1]).split(":")[0].split("(")[0].strip()
            for reasons in Jury.objects.filter(state=Jury.State.ESCALATED).values_list("reasons", flat=True)
            if reasons
        )
        details = {
            "jury decisions": Jury.objects.filter(
                case__post__author__in=[p.user for p in people], state=Jury.State.DECIDED
            ).count(),
            "breakers tripped": CategoryBreaker.objects.filter(state=CategoryBreaker.State.TRIPPED).count(),
            "ineligible honest/partisan/lazy": "/".join(str(ineligible[k]) for k in (HONEST, PARTISAN, LAZY)),
            "no jury (scope or pool)": row.cases
            - Jury.objects.filter(
                kind=Jury.Kind.CASE, case__post__author__in=[p.user for p in people]
            ).count(),
            "why juries escalated": "; ".join(f"{n}x {text}" for text, n in why.most_common(4)),
        }
        result = SplitResult(split, users, cases, row, baseline, details)
        transaction.set_rollback(True)
    return result


def parse_splits(text: str) -> list[tuple[int, int]]:
    """ "50/50,70/30,90/10" -> [(50, 50), (70, 30), (90, 10)]; ValueError on anything else."""
    splits = []
    for part in text.split(","):
        a, _sep, b = part.strip().partition("/")
        if not (a.isdigit() and b.isdigit()) or int(a) + int(b) <= 0 or int(a) < int(b):
            raise ValueError(f"not a split like 90/10 (majority first): {part!r}")
        splits.append((int(a), int(b)))
    return splits


def simulate(
    *,
    users: int = 200,
    cases: int = 150,
    splits: Sequence[tuple[int, int]] = ((50, 50), (70, 30), (90, 10)),
    seed: int = 1,
    behaviour: Behaviour | None = None,
    write: Callable[[str], Any] | None = None,
) -> list[SplitResult]:
    """Run every split; `write` receives each split's table as it finishes."""
    results = []
    for split in splits:
        result = run_split(users=users, cases=cases, split=split, seed=seed, behaviour=behaviour)
        if write is not None:
            write(result.table() + "\n")
        results.append(result)
    return results
