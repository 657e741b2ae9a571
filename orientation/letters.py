"""What a decision letter says about appealing, by who decided.

An orientation decision about an RSA recipient (decided by the président·e du conseil
départemental, or by France Travail on the department's behalf: ``services.authority_for``) can
be brought before a judge only after a prior administrative appeal to the président·e du conseil
départemental (CASF, art. L262-47); a decision of France Travail for its own job seekers follows
France Travail's routes. The address, the court and France Travail's wording are department
settings.
"""

from orientation.enums import DecidingAuthority
from orientation.models import OrientationDecision
from partners.models import Department


def appeal_routes(decision: OrientationDecision, department: Department) -> list[str]:
    """The ways and delays to contest ``decision``, in the order the person takes them."""
    court = department.appeal_court.strip() or "le tribunal administratif"
    if decision.authority == DecidingAuthority.FRANCE_TRAVAIL:
        return [
            department.appeal_france_travail.strip(),
            f"Recours contentieux : vous pouvez saisir {court} dans un délai de deux mois à "
            "compter de la réception de ce courrier (ou de la réponse à votre recours).",
        ]
    address = (
        department.appeal_address.strip()
        or f"Président·e du conseil départemental — {department.name}"
    )
    return [
        "Recours administratif préalable obligatoire : avant tout recours devant le juge, vous "
        "devez écrire au président ou à la présidente du conseil départemental (article L262-47 "
        "du code de l'action sociale et des familles), dans un délai de deux mois à compter de "
        f"la réception de ce courrier, à l'adresse suivante : {address}.",
        "Ensuite, si la réponse ne vous convient pas, ou sans réponse dans les deux mois (ce "
        f"silence vaut refus), vous pouvez saisir {court} dans un délai de deux mois.",
    ]
