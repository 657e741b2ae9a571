"""bench.compare: the same pages of two bench runs, with the ratio of their medians."""

from bench.compare import compare


def _run(people: int, departments: int, **pages: tuple[float, float, int]) -> dict:  # type: ignore[type-arg]
    measures = {
        name: {"median_ms": median, "p95_ms": p95, "queries": queries}
        for name, (median, p95, queries) in pages.items()
    }
    measures |= {"subjects": {"advisor_open_cases": 150}, "same_rows": True, "http": {}}
    return {"people": people, "departments": departments, "measures": measures}


def test_compare_gives_the_ratio_of_each_page_in_both_runs():
    before = _run(2000, 1, portefeuille=(20.0, 22.0, 4), fiche=(40.0, 44.0, 19), seule=(1, 1, 1))
    after = _run(2000, 5, portefeuille=(25.0, 33.0, 4), fiche=(40.0, 40.0, 20))

    rows = {row["page"]: row for row in compare(before, after)}

    assert set(rows) == {"portefeuille", "fiche"}  # a page of one run only is left out
    assert (rows["portefeuille"]["median_ratio"], rows["portefeuille"]["p95_ratio"]) == (1.25, 1.5)
    assert (rows["fiche"]["median_ratio"], rows["fiche"]["same_queries"]) == (1.0, False)
