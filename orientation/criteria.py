"""The decision aid's criteria, written as data: which path the national orientation criteria
point to, from the diagnostic's structured facts, and on what text they rest.

Each criterion is a list of conditions on three facts (recent activity, projection into work,
difficulties with a strong impact that crossed from the social side); the first criterion whose
conditions all hold gives the path, and « les autres situations » lead to the
socio-professional path. The source text is the department's (``Department.
orientation_criteria_source``: the national criteria of 2024 as the department applies them),
printed under the suggestion. A decision aid only: shown on the recommendation form, copied
into ``Recommendation.criteria_path`` for the record, never stored as a score of the person and
never applied on its own.
"""

from dataclasses import dataclass

from casework.enums import OrientationPath

#: Printed when the department has not written its own reference.
DEFAULT_SOURCE = (
    "Critères d'orientation définis au niveau national en 2024 en application de la loi "
    "n° 2023-1196 du 18 décembre 2023 pour le plein emploi, tels que le département les "
    "applique."
)


@dataclass(frozen=True)
class Facts:
    """What the criteria read in a diagnostic (``None``: not answered)."""

    active_last_two_years: bool | None
    can_project_into_work: bool | None
    strong_difficulties: int


@dataclass(frozen=True)
class Condition:
    """One test on one fact: ``is`` (equal to a yes or a no, an unanswered question never holds),
    ``at_least`` or ``at_most`` (a count)."""

    fact: str
    test: str
    value: bool | int
    wording: str

    def holds(self, facts: Facts) -> bool:
        actual = getattr(facts, self.fact)
        if self.test == "is":
            return actual is self.value
        if self.test == "at_least":
            return bool(actual >= self.value)
        if self.test == "at_most":
            return bool(actual <= self.value)
        raise ValueError(f"Test inconnu : {self.test}")


@dataclass(frozen=True)
class Criterion:
    key: str
    path: OrientationPath
    conditions: tuple[Condition, ...]

    @property
    def wording(self) -> str:
        return ", ".join(condition.wording for condition in self.conditions)

    def holds(self, facts: Facts) -> bool:
        return all(condition.holds(facts) for condition in self.conditions)


#: In order: the first that holds gives the path.
CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        key="several_strong_difficulties",
        path=OrientationPath.SOCIAL,
        conditions=(
            Condition(
                "strong_difficulties", "at_least", 2, "au moins deux difficultés à impact fort"
            ),
        ),
    ),
    Criterion(
        key="no_projection_into_work",
        path=OrientationPath.SOCIOPROFESSIONNEL,
        conditions=(
            Condition(
                "can_project_into_work",
                "is",
                False,
                "ne se projette pas dans un emploi à court terme",
            ),
        ),
    ),
    Criterion(
        key="close_to_work",
        path=OrientationPath.EMPLOI,
        conditions=(
            Condition(
                "active_last_two_years", "is", True, "activité au cours des deux dernières années"
            ),
            Condition("can_project_into_work", "is", True, "se projette dans un emploi"),
            Condition("strong_difficulties", "at_most", 0, "aucune difficulté à impact fort"),
        ),
    ),
)

#: When no criterion holds.
OTHERWISE = Criterion(
    key="other_situations", path=OrientationPath.SOCIOPROFESSIONNEL, conditions=()
)
OTHERWISE_WORDING = "les autres situations"


@dataclass(frozen=True)
class Suggestion:
    path: OrientationPath
    #: The facts read, in plain words (« 1 difficulté(s) à impact fort »…).
    reasons: list[str]
    criterion: Criterion
    source: str

    @property
    def criterion_wording(self) -> str:
        return self.criterion.wording or OTHERWISE_WORDING


def facts_in_words(facts: Facts) -> list[str]:
    reasons = []
    if facts.active_last_two_years:
        reasons.append("activité au cours des deux dernières années")
    if facts.can_project_into_work:
        reasons.append("se projette dans un emploi")
    if facts.strong_difficulties:
        reasons.append(f"{facts.strong_difficulties} difficulté(s) à impact fort")
    return reasons


def suggest(facts: Facts, source: str = "") -> Suggestion:
    criterion = next((c for c in CRITERIA if c.holds(facts)), OTHERWISE)
    return Suggestion(
        path=criterion.path,
        reasons=facts_in_words(facts),
        criterion=criterion,
        source=source.strip() or DEFAULT_SOURCE,
    )
