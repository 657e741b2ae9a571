from django.db import models


class CaseState(models.TextChoices):
    PROPOSED = "proposed", "Proposé"
    DIAGNOSTIC = "diagnostic", "Diagnostic en cours"
    ACTIVE = "active", "En cours"
    SUSPENDED = "suspended", "Suspendu"
    CLOSED = "closed", "Terminé"
    REFUSED = "refused", "Refusé par la personne"


#: States in which the accompaniment is open (the pair still follows the person).
OPEN_STATES = (CaseState.PROPOSED, CaseState.DIAGNOSTIC, CaseState.ACTIVE, CaseState.SUSPENDED)


class ExitReason(models.TextChoices):
    DURABLE_JOB = "durable_job", "Emploi durable"
    TRANSITION_JOB = "transition_job", "Emploi de transition"
    IAE = "iae", "Insertion par l'activité économique (IAE)"
    TRAINING = "training", "Formation"
    BUSINESS_CREATION = "business_creation", "Création d'entreprise"
    REORIENTATION = "reorientation", "Réorientation"
    MOVED = "moved", "Déménagement"
    LOST_CONTACT = "lost_contact", "Perte de contact"
    PERSONS_CHOICE = "persons_choice", "Choix de la personne"
    OTHER = "other", "Autre"


class SuspensionReason(models.TextChoices):
    HOSPITAL = "hospital", "Hospitalisation ou soins"
    MATERNITY = "maternity", "Congé maternité ou parental"
    TRAINING = "training", "Formation"
    OTHER = "other", "Autre motif"


class OrientationPath(models.TextChoices):
    EMPLOI = "emploi", "Parcours emploi"
    SOCIOPROFESSIONNEL = "socioprofessionnel", "Parcours socioprofessionnel"
    SOCIAL = "social", "Parcours social"


class DiagnosticState(models.TextChoices):
    NONE = "", "Pas encore commencé"
    DRAFT = "draft", "Brouillon"
    VALIDATED = "validated", "Validé par la personne"
    CONTESTED = "contested", "Contesté par la personne"
    SIGNED = "signed", "Signé par le binôme"
    LOCKED = "locked", "Verrouillé"


class InterviewChannel(models.TextChoices):
    IN_PERSON = "in_person", "En présentiel"
    PHONE = "phone", "Par téléphone"
    VIDEO = "video", "En visioconférence"
    HOME_VISIT = "home_visit", "Visite à domicile"


class PairContactChannel(models.TextChoices):
    IN_PERSON = "in_person", "En présentiel"
    PHONE = "phone", "Par téléphone"
    VIDEO = "video", "En visioconférence"


class PayingBody(models.TextChoices):
    CAF = "caf", "CAF"
    MSA = "msa", "MSA"


class RsaRole(models.TextChoices):
    CLAIMANT = "claimant", "Demandeur·se"
    PARTNER = "partner", "Conjoint·e"


class RsaStatus(models.TextChoices):
    PAID = "paid", "Droit ouvert"
    SUSPENDED = "suspended", "Droit suspendu"
    STRUCK_OFF = "struck_off", "Radié·e"
    #: From the CAF/MSA flow (ETATDOSRSA 0, 1, 5 and 6): a request waiting for the department's
    #: decision, a right refused, a right closed.
    PENDING = "pending", "Demande en attente de décision"
    REFUSED = "refused", "Droit refusé"
    CLOSED = "closed", "Droit clos"


class CaseReviewReason(models.TextChoices):
    """Why a case is « à examiner » by its binôme: an event of the CAF/MSA flow (never a
    decision)."""

    RSA_CLOSED = "rsa_closed", "Droit RSA clos"
    MOVED = "moved", "Dossier transféré à un autre organisme (déménagement)"


class FlowKind(models.TextChoices):
    """The flow's TYPEFLUX: how often it comes."""

    DAILY = "daily", "Flux quotidien"
    MONTHLY = "monthly", "Flux mensuel"
    RECOVERY = "recovery", "Flux de reprise"


class FlowImportState(models.TextChoices):
    APPLIED = "applied", "Appliqué"
    REFUSED = "refused", "Refusé"


class EducationLevel(models.TextChoices):
    NONE = "none", "Aucun diplôme"
    LEVEL_3 = "3", "CAP, BEP (niveau 3)"
    LEVEL_4 = "4", "Baccalauréat (niveau 4)"
    LEVEL_5 = "5", "Bac + 2 (niveau 5)"
    LEVEL_6 = "6", "Licence, bac + 3 (niveau 6)"
    LEVEL_7 = "7", "Master et plus (niveaux 7 et 8)"


class ObstacleCategory(models.TextChoices):
    """Categories of « freins périphériques » (« difficultés » on pages the person sees)."""

    HOUSING = "housing", "Logement"
    HEALTH = "health", "Santé"
    MOBILITY = "mobility", "Mobilité"
    CHILDCARE = "childcare", "Garde d'enfants"
    FINANCES = "finances", "Budget et dettes"
    FAMILY = "family", "Situation familiale"
    ADMINISTRATIVE = "administrative", "Démarches administratives"
    LANGUAGE = "language", "Maîtrise du français"
    DIGITAL = "digital", "Numérique"


class ShareCategory(models.TextChoices):
    """What may cross from the social side, category by category (health is its own)."""

    PROFESSIONAL_SITUATION = "professional_situation", "Situation professionnelle"
    OBSTACLES_HOUSING = "obstacles:housing", "Difficultés : logement"
    OBSTACLES_HEALTH = "obstacles:health", "Difficultés : santé"
    OBSTACLES_MOBILITY = "obstacles:mobility", "Difficultés : mobilité"
    OBSTACLES_CHILDCARE = "obstacles:childcare", "Difficultés : garde d'enfants"
    OBSTACLES_FINANCES = "obstacles:finances", "Difficultés : budget et dettes"
    OBSTACLES_FAMILY = "obstacles:family", "Difficultés : situation familiale"
    OBSTACLES_ADMINISTRATIVE = "obstacles:administrative", "Difficultés : démarches administratives"
    OBSTACLES_LANGUAGE = "obstacles:language", "Difficultés : maîtrise du français"
    OBSTACLES_DIGITAL = "obstacles:digital", "Difficultés : numérique"
    SOCIAL_SUMMARY = "social_summary", "Synthèse sociale"
    SOCIAL_DETAILS = "social_details", "Éléments sociaux détaillés"


def obstacle_share_category(category: str) -> ShareCategory:
    return ShareCategory(f"obstacles:{category}")


#: What a journal row may name besides the accord's categories (never shared, only journaled).
JOURNAL_ONLY_CATEGORIES = {"social_notes": "Notes sociales"}
#: The one category that is not the social side's own: the advisor writes it.
NOT_SECRET_CATEGORIES = {ShareCategory.PROFESSIONAL_SITUATION.value}
#: How the journal names secret content to anyone but the case's social workers.
SOCIAL_SIDE_LABEL = "Éléments du côté social"


def journal_category_labels(codes: str, *, name_secret: bool) -> str:
    """A journal row's categories in French (« Synthèse sociale, Difficultés : logement »).

    Without ``name_secret``, every category of the social side (difficulties, social summary and
    details, social notes, and any code not known here) is named « Éléments du côté social »,
    once: the category itself (« Difficultés : santé ») is secret too.
    """
    labels = dict(ShareCategory.choices) | JOURNAL_ONLY_CATEGORIES
    named: list[str] = []
    for code in filter(None, codes.split(",")):
        label = (
            labels.get(code, code)
            if name_secret or code in NOT_SECRET_CATEGORIES
            else SOCIAL_SIDE_LABEL
        )
        if label not in named:
            named.append(label)
    return ", ".join(named)


class AgreementMethod(models.TextChoices):
    SIGNED_FORM = "signed_form", "Formulaire signé par la personne"
    ORAL_THREE_WAY = "oral_three_way", "Accord oral en entretien tripartite"
    #: Renewed, widened or narrowed by the person in their space: no professional records it.
    SPACE = "space", "Par la personne, depuis son espace"


#: How a professional records the accord (the person's own space is not one of them).
PROFESSIONAL_AGREEMENT_METHODS = (AgreementMethod.SIGNED_FORM, AgreementMethod.ORAL_THREE_WAY)


class JournalChannel(models.TextChoices):
    VIEW = "view", "Consultation"
    EXPORT = "export", "Export"
    PRINT = "print", "Impression"
    GRANT = "grant", "Attribution de droits"
    REVOKE = "revoke", "Retrait de droits"
    AGREEMENT_GIVEN = "agreement_given", "Accord de partage donné"
    AGREEMENT_WITHDRAWN = "agreement_withdrawn", "Accord de partage retiré"
    REPORT = "report", "Signalement"
    REQUEST = "request", "Demande ponctuelle aux correspondant·es sociaux·ales"
    ANSWER = "answer", "Réponse à une demande ponctuelle"
    ENROLMENT = "enrolment", "Inscription à une action collective"
    MESSAGE = "message", "Message à la personne"
    #: The person's own act in their space (opinion, accord, message): no professional acts.
    PERSON = "person", "Par la personne, depuis son espace"
    #: An import of a CAF/MSA flow (one row per file, one per person whose RSA details changed).
    IMPORT = "import", "Import d'un flux"
    #: A partner system's call to the API (a read of a person's data, or a write): no
    #: professional acts; the system and its organisation are named.
    API = "api", "Par un système partenaire (API)"


class JournalBasis(models.TextChoices):
    AGREEMENT = "agreement", "Accord de partage de la personne"
    LEGAL = "legal", "Base légale du département"


class AppointmentKind(models.TextChoices):
    """What an appointment is for: the tripartite diagnostic interview (the person and both
    members of the binôme) opens the diagnostic it produces."""

    DIAGNOSTIC = "diagnostic", "Diagnostic tripartite"
    FOLLOW_UP = "suivi", "Suivi"
    REVIEW = "bilan", "Bilan"


class AppointmentOutcome(models.TextChoices):
    HELD = "held", "Rendez-vous honoré"
    EXCUSED = "excused", "Absence excusée"
    UNEXCUSED = "unexcused", "Absence non excusée"
    #: Cancelled beforehand by the binôme (the person is told, on the channels they chose).
    CANCELLED = "cancelled", "Rendez-vous annulé"


#: What a professional records after an appointment (a cancellation is not an outcome).
RECORDED_OUTCOMES = [
    (value, label)
    for value, label in AppointmentOutcome.choices
    if value != AppointmentOutcome.CANCELLED
]


class FileStage(models.TextChoices):
    """The life of a person's file (CNIL reference frameworks for social action)."""

    ACTIVE = "active", "Base active"
    NOTICE = "notice", "Avis d'archivage envoyé au référent"
    ARCHIVED = "archived", "Archive intermédiaire"
    DISPOSED = "disposed", "Éliminé (visa des Archives départementales)"


#: Stages in which professionals other than the auditor still open the file.
ACTIVE_FILE_STAGES = (FileStage.ACTIVE, FileStage.NOTICE)
#: The intermediate archive and disposed files: the auditor (DPO) only. Few rows, so reads
#: exclude them (an anti-join on a small partial index) rather than join every person.
CLOSED_FILE_STAGES = (FileStage.ARCHIVED, FileStage.DISPOSED)


class PersonRequestKind(models.TextChoices):
    ACCESS = "access", "Droit d'accès"
    RECTIFICATION = "rectification", "Droit de rectification"
    OBJECTION = "objection", "Droit d'opposition"
    OTHER = "other", "Autre demande relative aux données"


class PersonRequestState(models.TextChoices):
    OPEN = "open", "À traiter par le ou la DPO"
    ANSWERED = "answered", "Réponse apportée"


class SocialRequestState(models.TextChoices):
    """A one-off request to the social correspondents (axis 1 of the protocol)."""

    OPEN = "open", "En attente de réponse"
    ANSWERED = "answered", "Répondue"
    CLOSED = "closed", "Close"
    CONVERTED = "converted", "Devenue un accompagnement proposé"


#: States in which a one-off request still waits for something (an answer, or being closed).
SOCIAL_REQUEST_PENDING = (SocialRequestState.OPEN, SocialRequestState.ANSWERED)


class PersonAgreementMethod(models.TextChoices):
    """How the person agreed to a one-off request, or to an enrolment in a collective action."""

    ORAL = "oral", "Accord oral de la personne, en entretien"
    SIGNED_FORM = "signed_form", "Formulaire signé par la personne"


class MessageChannel(models.TextChoices):
    SMS = "sms", "SMS"
    EMAIL = "email", "e-mail"


class MessageKind(models.TextChoices):
    """What the product may send to the person, and nothing else (DESIGN.md, messages): never
    about an absence, a breach report, a sanction or an RSA decision, and never social content."""

    FIRST_INVITATION = "first_invitation", "Invitation au premier rendez-vous"
    CONVOCATION = "convocation", "Convocation à un rendez-vous"
    REMINDER = "reminder", "Rappel d'un rendez-vous"
    CHANGE = "change", "Rendez-vous déplacé"
    CANCELLATION = "cancellation", "Rendez-vous annulé"
    SPACE_INVITATION = "space_invitation", "Invitation dans l'espace de la personne"
    SPACE_CODE = "space_code", "Code de connexion à l'espace"
    NEW_DOCUMENT = "new_document", "Nouveau document dans l'espace"


class ConsentMethod(models.TextChoices):
    """How the person said yes (or no more) to messages on a channel."""

    INTERVIEW = "interview", "en entretien, à un·e professionnel·le du binôme"
    SPACE = "space", "par la personne, depuis son espace"


class MessageStatus(models.TextChoices):
    """Where a message to the person is: queued in the outbox, handed to the provider, and what
    the provider's delivery report said."""

    QUEUED = "queued", "en attente d'envoi"
    SENT = "sent", "envoyé"
    DELIVERED = "delivered", "remis"
    FAILED = "failed", "non distribué"


class BreachObservationsBy(models.TextChoices):
    """Who wrote the person's observations on a signalement de manquement."""

    REFERENT = "referent", "le ou la référent·e, dans les mots de la personne"
    PERSON = "person", "la personne, dans son espace"


class BreachDecision(models.TextChoices):
    """The authority's decision on a signalement, recorded as a fact with its date."""

    SUSPENSION = "suspension", "suspension-remobilisation"
    NONE = "none", "pas de sanction"


class BreachStep(models.TextChoices):
    """Where a signalement de manquement stands, derived from its dates (``BreachReport.step``).
    Nothing moves it but a deliberate act: the référent's, or the person's observations."""

    DRAFTED = "drafted", "Rédigé : la personne n'est pas encore informée"
    INFORMED = "informed", "La personne est informée : délai pour ses observations"
    TRANSMITTED = "transmitted", "Transmis au ou à la président·e du conseil départemental"
    DECIDED = "decided", "Décision enregistrée"
    REMOBILISED = "remobilised", "Remobilisation constatée"
