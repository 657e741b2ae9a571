"""axe-core (npm, ``make install``) injected by Playwright, and the checks of a page's layout.

``Audit`` runs axe on every page it is shown and keeps the serious and critical violations, with the
page they were found on; the test asserts there are none at the end and prints them if not.
"""

from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


def axe_violations(page: Page) -> list[dict]:
    """The serious and critical violations axe finds on the page as it is now."""
    assert AXE.exists(), f"{AXE} est absent : lancez « make install » (npm ci installe axe-core)."
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the page's Content-Security-Policy (no inline
        # script) stays in force, and would refuse page.add_script_tag().
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]


def horizontal_overflow(page: Page) -> int:
    """By how many pixels the page is wider than the window (0 when it fits)."""
    return int(
        page.evaluate("Math.max(0, document.documentElement.scrollWidth - window.innerWidth - 1)")
    )


def overflowing_elements(page: Page) -> list[str]:
    """The outermost elements reaching past the window's right edge, to say what to fix."""
    return page.evaluate(
        """() => {
          const width = window.innerWidth;
          const found = [];
          for (const el of document.querySelectorAll("body *")) {
            if (el.getBoundingClientRect().right <= width + 1) continue;
            const parent = el.parentElement;
            if (parent && parent.getBoundingClientRect().right > width + 1) continue;
            found.push(el.tagName.toLowerCase() + "." + [...el.classList].join("."));
          }
          return found.slice(0, 5);
        }"""
    )


@dataclass
class Audit:
    """Every page of a journey, checked with axe; the violations kept by page."""

    pages: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def check(self, page: Page, where: str) -> None:
        expect(page.locator("h1").first).to_be_visible()
        self.pages.append(where)
        for violation in axe_violations(page):
            targets = ", ".join(
                " ".join(str(t) for t in node["target"]) for node in violation["nodes"][:5]
            )
            self.problems.append(
                f"{where} ({page.url}) : {violation['id']} [{violation['impact']}] "
                f"{violation['help']} — {targets}"
            )

    def report(self) -> str:
        return "\n".join(self.problems)
