"""``python -m bench.compare BEFORE.json AFTER.json``: the same pages in two runs of the bench,
side by side, with the ratio of their medians and p95 (AFTER / BEFORE).

Made for « do the per-department pages slow down as departments are added? »: the bench on a
database of one scale department, then on one of five (``make bench ARGS="--people N
--departments 5"``), the first department measured in both.
"""

import argparse
import json
from pathlib import Path
from typing import Any

#: The per-department pages and writes of the bench (the reminders and ratios are not pages).
NOT_PAGES = {"subjects", "same_rows", "rappels", "http", "debit"}


def pages(result: dict[str, Any]) -> dict[str, dict[str, float]]:
    return {
        name: row
        for name, row in result["measures"].items()
        if name not in NOT_PAGES and isinstance(row, dict) and "median_ms" in row
    }


def ratio(after: float, before: float) -> float:
    return round(after / before, 2) if before else float("nan")


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    first, second = pages(before), pages(after)
    return [
        {
            "page": name,
            "before_median_ms": first[name]["median_ms"],
            "after_median_ms": second[name]["median_ms"],
            "median_ratio": ratio(second[name]["median_ms"], first[name]["median_ms"]),
            "p95_ratio": ratio(second[name]["p95_ms"], first[name]["p95_ms"]),
            "same_queries": first[name].get("queries") == second[name].get("queries"),
        }
        for name in first
        if name in second
    ]


def describe(result: dict[str, Any]) -> str:
    departments = result.get("departments", 1)
    return f"{result['people']} personnes × {departments} département(s)"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__)
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args()
    before, after = (json.loads(path.read_text()) for path in (args.before, args.after))
    print(f"avant : {describe(before)} ; après : {describe(after)}")
    print(f"{'page':<28}{'avant ms':>10}{'après ms':>10}{'médianes':>10}{'p95':>8}  requêtes")
    rows = compare(before, after)
    for row in rows:
        print(
            f"{row['page']:<28}{row['before_median_ms']:>10.2f}{row['after_median_ms']:>10.2f}"
            f"{row['median_ratio']:>10}{row['p95_ratio']:>8}  "
            f"{'mêmes' if row['same_queries'] else 'DIFFÉRENTES'}"
        )
    worst = max(rows, key=lambda row: row["median_ratio"])
    print(f"rapport le plus haut : {worst['page']} × {worst['median_ratio']}")


if __name__ == "__main__":
    main()
