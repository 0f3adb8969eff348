"""Demo data for `intowork seed`: companies, employers, jobs in French and English, candidates,
applications with their status history.

Deterministic: one `random.Random(seed)` draws everything in a fixed order, and every timestamp is
relative to a reference date derived from the seed (never the clock), so the same seed gives the
same rows. Only the password hash differs between runs (Argon2 salts it); it is computed once for
every demo account, because Argon2 is slow on purpose.

Fast: rows are plain dicts written with Core `insert()` in batches of 5,000 (executemany), with
ids computed here rather than returned, all in one transaction. On PostgreSQL the id sequences are
then moved past the inserted ids. The full-text columns are filled with the same folding as the
API (`search_document`), composed from cached pieces: folding is word-local, so the folded pieces
joined by spaces equal the folded whole.
"""

import asyncio
import random
import time
from bisect import bisect
from collections.abc import Callable, Coroutine, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate, islice
from typing import Any, Generic, NamedTuple, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from intowork.core.config import Settings
from intowork.core.db import Database, create_database
from intowork.core.migrations import upgrade_to_head
from intowork.core.security import hash_password
from intowork.jobs.search import search_document
from intowork.models import Base
from intowork.models.enums import ApplicationStatus, JobLocation, JobStatus, JobType, UserRole

# Reserved for examples (RFC 2606), and accepted by the API's e-mail validation (".test" is not).
DEMO_DOMAIN = "demo.example.com"
DEMO_PASSWORD = "IntoWork-Demo-2026!"
BATCH_SIZE = 5_000
# The newest demo timestamp: this instant minus up to 30 days, depending on the seed.
REFERENCE_BASE = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
DAY = 86_400
TABLES = (
    "users",
    "companies",
    "employers",
    "candidates",
    "jobs",
    "job_applications",
    "application_status_history",
)

T = TypeVar("T")
Row = dict[str, Any]
Advance = Callable[[str, int], None]


class DemoDataExists(Exception):
    def __init__(self) -> None:
        super().__init__(
            f"demo data is already there (users @{DEMO_DOMAIN}); "
            "seed an empty database, or delete those users first"
        )


@dataclass(frozen=True, slots=True)
class SeedSummary:
    counts: dict[str, int]
    password: str
    employer_email: str
    candidate_email: str
    seconds: float


def reference_date(seed: int) -> datetime:
    return REFERENCE_BASE - timedelta(hours=seed % 720)


def planned_counts(jobs: int, applications: int | None = None) -> dict[str, int]:
    """Targets. Employers are drawn (1 to 3 per company); applications are capped by uniqueness."""
    return {
        "companies": max(5, jobs // 50),
        "candidates": max(20, jobs // 10),
        "jobs": jobs,
        "applications": jobs // 2 if applications is None else applications,
    }


@dataclass(frozen=True, slots=True)
class Weighted(Generic[T]):
    items: tuple[T, ...]
    cum_weights: tuple[int, ...]

    @classmethod
    def of(cls, pairs: Iterable[tuple[T, int]]) -> "Weighted[T]":
        items, weights = zip(*pairs, strict=True)
        return cls(items, tuple(accumulate(weights)))

    def draw(self, rng: random.Random) -> T:
        # What `rng.choices(items, cum_weights=...)[0]` does, without its per-call set-up.
        return self.items[bisect(self.cum_weights, rng.random() * self.cum_weights[-1])]


# --- Vocabulary ---------------------------------------------------------------------------


def _options(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


class City(NamedTuple):
    name: str
    country: str
    currency: str
    french: bool


CITIES = Weighted.of(
    [
        (City("Paris", "France", "EUR", True), 30),
        (City("Lyon", "France", "EUR", True), 10),
        (City("Marseille", "France", "EUR", True), 6),
        (City("Toulouse", "France", "EUR", True), 6),
        (City("Bordeaux", "France", "EUR", True), 6),
        (City("Lille", "France", "EUR", True), 5),
        (City("Nantes", "France", "EUR", True), 5),
        (City("Rennes", "France", "EUR", True), 4),
        (City("Strasbourg", "France", "EUR", True), 3),
        (City("Montpellier", "France", "EUR", True), 3),
        (City("Grenoble", "France", "EUR", True), 3),
        (City("Nice", "France", "EUR", True), 2),
        (City("Bruxelles", "Belgique", "EUR", True), 4),
        (City("Luxembourg", "Luxembourg", "EUR", True), 2),
        (City("Amsterdam", "Netherlands", "EUR", False), 2),
        (City("Berlin", "Germany", "EUR", False), 2),
        (City("Dublin", "Ireland", "EUR", False), 2),
        (City("Genève", "Suisse", "CHF", True), 2),
        (City("London", "United Kingdom", "GBP", False), 3),
        (City("Montréal", "Canada", "CAD", True), 2),
    ]
)
FR_FIRST = _options(
    "Camille|Léa|Chloé|Manon|Inès|Emma|Hugo|Lucas|Théo|Louis|Jules|Zoé|Élodie|Mathis|Noémie"
    "|Antoine|Sébastien|Amélie|Gaëlle|Jérôme|Hélène|François"
)
EN_FIRST = _options(
    "Olivia|Amelia|Grace|Oliver|Jack|Harry|Emily|James|Sophie|Daniel|Hannah|Ethan|Ava|Noah"
    "|Isla|Samuel|Chloe|Thomas|Ruby|George"
)
FR_LAST = _options(
    "Martin|Bernard|Dubois|Durand|Lefèvre|Moreau|Laurent|Girard|Roux|Fournier|Mercier|Faure"
    "|Chevalier|Gauthier|Perrin|Lemaître|Bonnet|Rousseau|Garnier"
)
EN_LAST = _options(
    "Smith|Jones|Taylor|Brown|Williams|Wilson|Evans|Walker|Wright|Robinson|Hughes|Clarke"
    "|Murphy|O'Brien|Cooper|Bennett|Turner|Hall"
)
# Company names: first + second, sometimes + suffix.
FR_COMPANY = (
    _options("Atelier|Groupe|Maison|Compagnie|Studio|Agence|Société|Cabinet|Fabrique|Comptoir"),
    _options(
        "Lumière|Horizon|Azur|Boréal|Étoile|Rivage|Véga|Mistral|Alpin|Océane|Cèdre|Argos|Hélios"
        "|Méridien|Sillage|Archipel|Garance|Aubépine|Cassiopée|Ondine"
    ),
    _options("Conseil|Solutions|Technologies|Services|Numérique|& Associés|Santé"),
)
EN_COMPANY = (
    _options(
        "Northwind|Bluepeak|Brightline|Silverleaf|Redwood|Ironbridge|Clearwater|Stonegate"
        "|Greenfield|Highland|Lakeside|Suncrest|Fairview|Oakridge|Harbor"
    ),
    _options(
        "Labs|Analytics|Systems|Partners|Software|Health|Logistics|Capital|Robotics|Media"
        "|Energy|Works"
    ),
    _options("Group|Inc.|Ltd|International|Europe|Digital|& Co"),
)
FR_INDUSTRIES = _options(
    "Logiciel|Conseil|Banque et assurance|Santé|Industrie|Énergie|Commerce"
    "|Transport et logistique|Tourisme"
)
EN_INDUSTRIES = _options("Software|Fintech|Healthcare|E-commerce|Media|Education|Consulting")
FR_STREETS = _options(
    "rue de la République|avenue Jean Jaurès|rue Victor Hugo|boulevard Pasteur|rue du Commerce"
    "|place de la Gare|rue Nationale"
)
EN_STREETS = _options("High Street|Station Road|Main Street|Market Square|Canal Street")
SIZES = Weighted.of(
    zip(_options("1-10|11-50|51-200|201-500|501-1000|1000+"), (1, 4, 6, 4, 2, 2), strict=True)
)


class Family(NamedTuple):
    fr_titles: tuple[str, ...]
    en_titles: tuple[str, ...]
    skills: tuple[str, ...]
    fr_missions: tuple[str, str]
    en_missions: tuple[str, str]
    salary: tuple[int, int]  # yearly, full time, in thousands


FAMILIES = Weighted.of(
    [
        (
            Family(
                ("Développeur·se Python", "Développeur·se Full Stack", "Ingénieur·e DevOps"),
                ("Backend Engineer (Python)", "Full Stack Developer", "Site Reliability Engineer"),
                _options("Python|FastAPI|PostgreSQL|Docker|Kubernetes|React|TypeScript|AWS"),
                (
                    "Vous concevez et faites évoluer nos API et nos services.",
                    "Vous participez aux revues de code et à l'amélioration de la plateforme.",
                ),
                (
                    "You will design and evolve our APIs and services.",
                    "You will take part in code reviews and keep improving the platform.",
                ),
                (40, 75),
            ),
            30,
        ),
        (
            Family(
                ("Data Engineer", "Data Scientist", "Analyste de données"),
                ("Data Engineer", "Data Scientist", "Data Analyst", "Machine Learning Engineer"),
                ("SQL", "Python", "Spark", "dbt", "Airflow", "Power BI", "BigQuery"),
                (
                    "Vous construisez des pipelines de données fiables et documentés.",
                    "Vous transformez les données en décisions pour les équipes métier.",
                ),
                (
                    "You will build reliable, well documented data pipelines.",
                    "You will turn data into decisions for the business teams.",
                ),
                (45, 80),
            ),
            15,
        ),
        (
            Family(
                ("Chargé(e) de recrutement", "Responsable RH", "Gestionnaire paie"),
                ("Recruiter", "HR Business Partner", "Talent Acquisition Specialist"),
                ("sourcing", "entretiens", "SIRH", "droit social", "marque employeur"),
                (
                    "Vous pilotez les recrutements de bout en bout avec les managers.",
                    "Vous accompagnez les collaborateurs tout au long de leur parcours.",
                ),
                (
                    "You will run hiring end to end with the managers.",
                    "You will support our people throughout their journey.",
                ),
                (32, 55),
            ),
            10,
        ),
        (
            Family(
                ("Commercial(e) B2B", "Business Developer", "Responsable grands comptes"),
                ("Account Executive", "Business Developer", "Customer Success Manager"),
                ("prospection", "négociation", "CRM", "Salesforce", "HubSpot"),
                (
                    "Vous développez un portefeuille de clients professionnels.",
                    "Vous négociez et concluez des contrats avec nos partenaires.",
                ),
                (
                    "You will grow a portfolio of business customers.",
                    "You will negotiate and close deals with our partners.",
                ),
                (35, 70),
            ),
            12,
        ),
        (
            Family(
                ("Chargé(e) de marketing digital", "Responsable communication", "Growth Marketer"),
                ("Digital Marketing Manager", "Growth Marketer", "Content Marketing Specialist"),
                ("SEO", "Google Analytics", "réseaux sociaux", "emailing", "Figma", "copywriting"),
                (
                    "Vous animez nos campagnes et mesurez leur performance.",
                    "Vous faites grandir notre communauté et notre image de marque.",
                ),
                (
                    "You will run our campaigns and measure how they perform.",
                    "You will grow our community and our brand.",
                ),
                (33, 60),
            ),
            10,
        ),
        (
            Family(
                ("Contrôleur·se de gestion", "Comptable", "Analyste financier·ère"),
                ("Financial Controller", "Accountant", "Financial Analyst"),
                ("Excel", "SAP", "consolidation", "IFRS", "budget", "reporting"),
                (
                    "Vous préparez les clôtures et le reporting mensuel.",
                    "Vous suivez les budgets et conseillez les directions opérationnelles.",
                ),
                (
                    "You will prepare the monthly close and reporting.",
                    "You will track budgets and advise the operational teams.",
                ),
                (38, 65),
            ),
            8,
        ),
        (
            Family(
                ("Designer UX/UI", "Product Designer", "Chef·fe de projet", "Product Owner"),
                ("UX/UI Designer", "Product Designer", "Project Manager", "Product Owner"),
                ("Figma", "recherche utilisateur", "prototypage", "Scrum", "Jira", "accessibilité"),
                (
                    "Vous imaginez des parcours simples avec nos utilisateurs.",
                    "Vous coordonnez les équipes produit et technique au quotidien.",
                ),
                (
                    "You will shape simple journeys together with our users.",
                    "You will coordinate the product and engineering teams day to day.",
                ),
                (38, 65),
            ),
            10,
        ),
        (
            Family(
                ("Technicien·ne support", "Responsable logistique", "Assistant(e) de direction"),
                ("IT Support Technician", "Operations Manager", "Office Manager"),
                ("ITIL", "Windows", "gestion de stock", "ERP", "organisation", "Pack Office"),
                (
                    "Vous êtes le premier contact de nos utilisateurs et résolvez leurs incidents.",
                    "Vous organisez les flux et garantissez la qualité de service.",
                ),
                (
                    "You are the first contact for our users and solve their issues.",
                    "You will organise the flows and keep service quality high.",
                ),
                (28, 50),
            ),
            5,
        ),
    ]
)
FR_CLOSINGS = (
    "Nous offrons un environnement bienveillant et de vraies perspectives d'évolution.",
    "Le poste est ouvert aux profils juniors comme confirmés.",
    "Rejoignez une équipe engagée, curieuse et solidaire.",
    "Le processus de recrutement comporte deux entretiens et un échange avec l'équipe.",
)
EN_CLOSINGS = (
    "We offer a supportive environment and real room to grow.",
    "The role is open to junior and senior profiles alike.",
    "Join a committed, curious and friendly team.",
    "The hiring process has two interviews and a chat with the team.",
)
FR_BENEFITS = (
    "Mutuelle, tickets restaurant et RTT.",
    "Télétravail partiel, prime annuelle et budget formation.",
    "Participation, intéressement et comité d'entreprise.",
)
EN_BENEFITS = (
    "Health insurance, meal vouchers and 25 days off.",
    "Flexible hours, yearly bonus and a training budget.",
    "Stock options, gym membership and a learning budget.",
)
POSITIONS = ("Responsable RH", "Talent Acquisition Manager", "CTO", "Head of People", "Gérant·e")
DEPARTMENTS = ("RH", "People", "Tech", "Direction")
COVER_LETTERS = (
    None,
    "Votre offre correspond exactement à ce que je recherche.",
    "I would love to bring my experience to your team.",
)
JOB_TYPES = Weighted.of(zip(JobType, (70, 6, 12, 5, 7), strict=True))
LOCATION_TYPES = Weighted.of(zip(JobLocation, (45, 15, 40), strict=True))
JOB_STATUSES = Weighted.of(zip(JobStatus, (7, 85, 5, 3), strict=True))
PIPELINE = (*tuple(ApplicationStatus)[:4], ApplicationStatus.ACCEPTED)
APPLICATION_STATUSES = Weighted.of(zip(ApplicationStatus, (35, 20, 12, 10, 18, 5), strict=True))


# --- Generation ---------------------------------------------------------------------------


class DemoData:
    """Draws every row from one random stream, in a fixed order."""

    def __init__(self, seed: int, first_ids: dict[str, int], password_hash: str) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - demo data, reproducible on purpose
        self.now = reference_date(seed)
        self.first = dict(first_ids)
        self.ids = dict(first_ids)
        self.password_hash = password_hash
        self._folded: dict[str, str] = {}
        # Filled as rows are drawn: the later tables refer to the earlier ones.
        self.companies: list[tuple[str, bool]] = []  # (name, french)
        self.company_choice: Weighted[int] = Weighted((), ())
        self.teams: list[list[tuple[int, int]]] = []  # per company: (employer id, user id)
        self.candidates: list[tuple[int, int]] = []  # (candidate id, user id)
        self.published: list[tuple[int, datetime, int]] = []  # (job id, posted_at, user id)
        self.busy: list[int] = []  # indexes in `published` of the first company's jobs

    def next_id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def ago(self, max_days: float, min_days: float = 0) -> datetime:
        return self.now - timedelta(seconds=int(self.rng.uniform(min_days * DAY, max_days * DAY)))

    def between(self, start: datetime, end: datetime) -> datetime:
        span = max(0, int((end - start).total_seconds()))
        return start + timedelta(seconds=self.rng.randint(0, span))

    def fold(self, piece: str) -> str:
        folded = self._folded.get(piece)
        if folded is None:
            folded = self._folded[piece] = search_document(piece)
        return folded

    def digits(self, prefix: str) -> str:
        return prefix + " ".join(f"{self.rng.randint(10, 99)}" for _ in range(4))

    def user(self, email: str, role: UserRole, created_at: datetime, french: bool) -> Row:
        first, last = (FR_FIRST, FR_LAST) if french else (EN_FIRST, EN_LAST)
        first_name, last_name = self.rng.choice(first), self.rng.choice(last)
        return {
            "id": self.next_id("users"),
            "email": email,
            "password_hash": self.password_hash,
            "first_name": first_name,
            "last_name": last_name,
            "name": f"{first_name} {last_name}",
            "image": None,
            "role": role,
            "is_active": True,
            "email_verified": created_at,
            "tokens_valid_after": None,
            "created_at": created_at,
            "updated_at": created_at,
        }

    def company_name(self, french: bool, taken: set[str]) -> str:
        first, second, suffixes = FR_COMPANY if french else EN_COMPANY
        for _ in range(20):
            name = f"{self.rng.choice(first)} {self.rng.choice(second)}"
            if self.rng.random() < 0.6:
                name = f"{name} {self.rng.choice(suffixes)}"
            if name not in taken:
                break
        else:
            name = f"{name} {len(taken) + 1}"
        taken.add(name)
        return name

    def companies_and_employers(self, count: int) -> tuple[list[Row], list[Row], list[Row]]:
        """Companies, then their employers (users + employers rows): 1 to 3 each, 2 on average."""
        companies: list[Row] = []
        users: list[Row] = []
        employers: list[Row] = []
        taken: set[str] = set()
        weights: list[tuple[int, int]] = []
        for index in range(count):
            city = CITIES.draw(self.rng)
            french = city.french if self.rng.random() < 0.8 else not city.french
            name = self.company_name(french, taken)
            size = SIZES.draw(self.rng)
            created_at = self.ago(400, 120)
            team: list[tuple[int, int]] = []
            for rank in range(self.rng.choice((1, 2, 2, 2, 3))):
                employer_id = self.next_id("employers")
                number = employer_id - self.first["employers"] + 1
                joined = created_at + timedelta(days=rank * self.rng.randint(1, 30))
                user = self.user(
                    f"employer{number}@{DEMO_DOMAIN}", UserRole.EMPLOYER, joined, french
                )
                users.append(user)
                employers.append(
                    {
                        "id": employer_id,
                        "user_id": user["id"],
                        "company_id": self.first["companies"] + index,
                        "position": self.rng.choice(POSITIONS),
                        "department": self.rng.choice(DEPARTMENTS),
                        "phone": self.digits("+33 1 "),
                        "can_create_jobs": True,
                        "can_manage_candidates": True,
                        "is_admin": rank == 0,
                        "created_at": joined,
                        "updated_at": joined,
                    }
                )
                team.append((employer_id, user["id"]))
            slug = "-".join(search_document(name).split())
            industry = self.rng.choice(FR_INDUSTRIES if french else EN_INDUSTRIES)
            street = self.rng.choice(FR_STREETS if city.french else EN_STREETS)
            description = (
                f"{name} : {industry.lower()}, {size} salariés, basée à {city.name}."
                if french
                else f"{name}: {industry.lower()}, {size} employees, based in {city.name}."
            )
            companies.append(
                {
                    "id": self.next_id("companies"),
                    "name": name,
                    "description": description,
                    "industry": industry,
                    "size": size,
                    "website_url": f"https://{slug}.example.com",
                    "linkedin_url": f"https://www.linkedin.com/company/{slug}",
                    "address": f"{self.rng.randint(1, 120)} {street}",
                    "city": city.name,
                    "country": city.country,
                    "logo_url": None,
                    "created_by_user_id": team[0][1],
                    "created_at": created_at,
                    "updated_at": created_at,
                }
            )
            self.companies.append((name, french))
            self.teams.append(team)
            weights.append((index, SIZES.items.index(size) + 1))
        self.company_choice = Weighted.of(weights)
        return companies, users, employers

    def candidates_rows(self, count: int) -> tuple[list[Row], list[Row]]:
        users: list[Row] = []
        candidates: list[Row] = []
        for number in range(1, count + 1):
            created_at = self.ago(365)
            french = self.rng.random() < 0.65
            user = self.user(
                f"candidate{number}@{DEMO_DOMAIN}", UserRole.CANDIDATE, created_at, french
            )
            users.append(user)
            family = FAMILIES.draw(self.rng)
            title = self.rng.choice(family.fr_titles if french else family.en_titles)
            years = self.rng.randint(0, 20)
            skills = ", ".join(self.rng.sample(family.skills, 3))
            expects = self.rng.random() < 0.7
            low = family.salary[0] + years
            candidate_id = self.next_id("candidates")
            candidates.append(
                {
                    "id": candidate_id,
                    "user_id": user["id"],
                    "phone": self.digits("+33 6 "),
                    "location": CITIES.draw(self.rng).name,
                    "linkedin_url": None,
                    "website_url": None,
                    "title": title,
                    "summary": f"{title}, {years} ans d'expérience : {skills}."
                    if french
                    else f"{title}, {years} years of experience: {skills}.",
                    "years_experience": years,
                    "salary_expectation_min": low * 1000 if expects else None,
                    "salary_expectation_max": (low + self.rng.randint(0, 15)) * 1000
                    if expects
                    else None,
                    "created_at": created_at,
                    "updated_at": created_at,
                }
            )
            self.candidates.append((candidate_id, user["id"]))
        return users, candidates

    def job(self) -> Row:
        rng = self.rng
        job_id = self.next_id("jobs")
        company = self.company_choice.draw(rng)
        company_name, company_french = self.companies[company]
        employer_id, employer_user_id = rng.choice(self.teams[company])
        family = FAMILIES.draw(rng)
        french = company_french if rng.random() < 0.85 else not company_french
        title = rng.choice(family.fr_titles if french else family.en_titles)
        job_type = JOB_TYPES.draw(rng)
        location_type = LOCATION_TYPES.draw(rng)
        city = CITIES.draw(rng)
        skills = rng.sample(family.skills, 3)
        years = rng.randint(0, 8)
        location: str | None = city.name
        if french:
            if location_type is JobLocation.REMOTE:
                location = rng.choice((None, city.country, "Télétravail"))
            place = "en télétravail." if location_type is JobLocation.REMOTE else f"à {city.name}."
            # Pieces, folded one by one (see the module docstring); joined, they read as prose.
            intro = (company_name, " recrute un·e ", title, " pour renforcer son équipe ", place)
            sentences = [
                *rng.sample(family.fr_missions, rng.randint(1, 2)),
                f"Vous travaillerez avec {skills[0]}, {skills[1]} et {skills[2]}.",
                rng.choice(FR_CLOSINGS),
            ]
            requirements = f"{years} an(s) d'expérience minimum ; maîtrise de {skills[0]}."
            benefits = rng.choice(FR_BENEFITS)
        else:
            if location_type is JobLocation.REMOTE:
                location = rng.choice((None, city.country, "Remote"))
            place = "remotely." if location_type is JobLocation.REMOTE else f"in {city.name}."
            intro = (company_name, " is looking for a new ", title, " to join its team ", place)
            sentences = [
                *rng.sample(family.en_missions, rng.randint(1, 2)),
                f"You will work with {skills[0]}, {skills[1]} and {skills[2]}.",
                rng.choice(EN_CLOSINGS),
            ]
            requirements = f"At least {years} year(s) of experience; good command of {skills[0]}."
            benefits = rng.choice(EN_BENEFITS)
        salary_min, salary_max = self.salary(family, job_type, city.currency)
        status = JOB_STATUSES.draw(rng)
        posted_at: datetime | None = None
        views = 0
        if status is JobStatus.DRAFT:
            created_at = self.ago(60)
            updated_at = self.between(created_at, self.now)
        else:
            posted_at = self.ago(60) if status is JobStatus.PUBLISHED else self.ago(150, 20)
            created_at = posted_at - timedelta(seconds=rng.randint(0, 3 * DAY))
            updated_at = posted_at if status is JobStatus.PUBLISHED else self.ago(20)
            views = int((self.now - posted_at).total_seconds() / DAY * rng.uniform(0.5, 25))
            if status is JobStatus.PUBLISHED:
                if company == 0:
                    self.busy.append(len(self.published))
                self.published.append((job_id, posted_at, employer_user_id))
        folded = (self.fold(piece) for piece in (title, *intro, *sentences))
        return {
            "id": job_id,
            "employer_id": employer_id,
            "company_id": self.first["companies"] + company,
            "title": title,
            "description": " ".join(("".join(intro), *sentences)),
            "requirements": requirements,
            "responsibilities": sentences[0],
            "benefits": benefits if rng.random() < 0.8 else None,
            "job_type": job_type,
            "location_type": location_type,
            "location": location,
            "salary_min": salary_min,
            "salary_max": salary_max,
            "currency": city.currency,
            "status": status,
            "is_featured": status is JobStatus.PUBLISHED and rng.random() < 0.05,
            "views_count": views,
            "posted_at": posted_at,
            "search_text": " ".join(words for words in folded if words),
            "search_company": self.fold(company_name),
            "created_at": created_at,
            "updated_at": updated_at,
        }

    def salary(self, family: Family, job_type: JobType, currency: str) -> tuple[int | None, ...]:
        shape = self.rng.random()
        if shape < 0.12:
            return None, None
        low, high = family.salary
        if job_type is JobType.INTERNSHIP:
            low, high = 8, 16
        elif job_type is JobType.PART_TIME:
            low, high = low // 2, high // 2
        factor = {"CHF": 1.6, "GBP": 0.9, "CAD": 1.4}.get(currency, 1.0)
        minimum = int(self.rng.randint(low, high) * factor) * 1000
        if shape < 0.2:
            return minimum, None
        return minimum, minimum + self.rng.randint(2, 15) * 1000

    def applications(self, target: int, busy: int | None = None) -> Iterator[tuple[Row, list[Row]]]:
        """Distinct (candidate, published job) pairs, each with its status history.

        `busy`: the first company (employer1's) receives exactly that many of them (as far as
        its published jobs allow) and no other; without it, jobs are drawn evenly."""
        if busy is not None:
            yield from self._busy_applications(target, busy)
            return
        capacity = len(self.candidates) * len(self.published)
        target = min(target, capacity)
        if target > capacity // 2:
            pairs = self.rng.sample(range(capacity), target)
        else:
            chosen: set[int] = set()
            pairs = []
            while len(pairs) < target:
                pair = self.rng.randrange(capacity)
                if pair not in chosen:
                    chosen.add(pair)
                    pairs.append(pair)
        for pair in pairs:
            job, candidate = divmod(pair, len(self.candidates))
            yield self.application(self.candidates[candidate], self.published[job])

    def _busy_applications(self, target: int, busy: int) -> Iterator[tuple[Row, list[Row]]]:
        people = len(self.candidates)
        busy_jobs = set(self.busy)
        busy_pairs = [job * people + candidate for job in self.busy for candidate in range(people)]
        chosen = self.rng.sample(busy_pairs, min(busy, len(busy_pairs), target))
        others = (len(self.published) - len(busy_jobs)) * people
        wanted = len(chosen) + min(target - len(chosen), others)
        taken = set(chosen)
        while len(chosen) < wanted:
            pair = self.rng.randrange(len(self.published) * people)
            if pair // people not in busy_jobs and pair not in taken:
                taken.add(pair)
                chosen.append(pair)
        self.rng.shuffle(chosen)
        for pair in chosen:
            job, candidate = divmod(pair, people)
            yield self.application(self.candidates[candidate], self.published[job])

    def application(
        self, candidate: tuple[int, int], job: tuple[int, datetime, int]
    ) -> tuple[Row, list[Row]]:
        """One application and its history: the initial row (by the candidate), then one row per
        step the employer took along the pipeline to the current status."""
        rng = self.rng
        candidate_id, candidate_user_id = candidate
        job_id, posted_at, employer_user_id = job
        application_id = self.next_id("job_applications")
        status = APPLICATION_STATUSES.draw(rng)
        if status is ApplicationStatus.REJECTED:
            path = [*PIPELINE[: rng.randint(1, 4)], status]
        else:
            path = list(PIPELINE[: PIPELINE.index(status) + 1])
        applied_at = changed_at = self.between(posted_at, self.now)
        history: list[Row] = []
        previous: ApplicationStatus | None = None
        for step in path:
            if previous is not None:
                changed_at = min(
                    self.now, changed_at + timedelta(seconds=rng.randint(3600, 5 * DAY))
                )
            history.append(
                {
                    "id": self.next_id("application_status_history"),
                    "application_id": application_id,
                    "from_status": previous,
                    "to_status": step,
                    "changed_by_user_id": candidate_user_id
                    if previous is None
                    else employer_user_id,
                    "changed_at": changed_at,
                    "created_at": changed_at,
                }
            )
            previous = step
        application = {
            "id": application_id,
            "job_id": job_id,
            "candidate_id": candidate_id,
            "cv_id": None,
            "status": status,
            "cover_letter": rng.choice(COVER_LETTERS),
            "notes": None if status is ApplicationStatus.APPLIED else "Profil à recontacter.",
            "applied_at": applied_at,
            "created_at": applied_at,
            "updated_at": changed_at,
        }
        return application, history


# --- Writing ------------------------------------------------------------------------------


def batched(items: Iterable[T], size: int = BATCH_SIZE) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


async def _write(connection: AsyncConnection, table: str, rows: Sequence[Row]) -> None:
    statement = insert(Base.metadata.tables[table])
    for batch in batched(rows):
        await connection.execute(statement, batch)


async def _overlapped(
    batches: Iterable[list[T]], write: Callable[[list[T]], Coroutine[Any, Any, None]]
) -> None:
    """Write each batch while the next one is drawn: the driver waits for the database outside
    the GIL, so drawing and writing overlap (a fifth off a large seed on SQLite)."""
    writing: asyncio.Task[None] | None = None
    try:
        for batch in batches:
            if writing is not None:
                await writing
            writing = asyncio.create_task(write(batch))
            await asyncio.sleep(0)  # let it reach the driver before drawing the next batch
    finally:
        if writing is not None:
            await writing


async def _first_ids(connection: AsyncConnection) -> dict[str, int]:
    ids = {}
    for name in TABLES:
        highest = await connection.scalar(select(func.max(Base.metadata.tables[name].c.id)))
        ids[name] = (highest or 0) + 1
    return ids


async def _demo_users_exist(connection: AsyncConnection) -> bool:
    users = Base.metadata.tables["users"]
    found = await connection.scalar(
        select(users.c.id).where(users.c.email.like(f"%@{DEMO_DOMAIN}")).limit(1)
    )
    return found is not None


async def demo_data_exists(database: Database) -> bool:
    async with database.engine.connect() as connection:
        return await _demo_users_exist(connection)


async def _advance_sequences(connection: AsyncConnection) -> None:
    """Explicit ids leave PostgreSQL's sequences behind; the next insert must not collide."""
    for name in TABLES:
        await connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 - constants
                f"(SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"
            )
        )


async def seed_demo_data(
    database: Database,
    *,
    jobs: int,
    seed: int,
    applications: int | None = None,
    busy_employer: int | None = None,
    advance: Advance | None = None,
) -> SeedSummary:
    """Write the demo data in one transaction; `DemoDataExists` if demo users are there already.

    `applications`: how many (default half the jobs); `busy_employer`: how many of them go to
    employer1's company (default: no such skew). `advance(stage, rows)` reports progress, for
    the stages of `STAGES`.
    """
    started = time.perf_counter()
    step = advance or (lambda _stage, _rows: None)
    plan = planned_counts(jobs, applications)
    hashed = await hash_password(DEMO_PASSWORD)
    step("password", 1)
    async with database.engine.begin() as connection:
        if await _demo_users_exist(connection):
            raise DemoDataExists
        data = DemoData(seed, await _first_ids(connection), hashed)
        companies, employer_users, employers = data.companies_and_employers(plan["companies"])
        candidate_users, candidates = data.candidates_rows(plan["candidates"])
        await _write(connection, "users", employer_users + candidate_users)
        await _write(connection, "companies", companies)
        await _write(connection, "employers", employers)
        step("companies", len(companies))
        await _write(connection, "candidates", candidates)
        step("candidates", len(candidates))

        async def write_jobs(batch: list[Row]) -> None:
            await _write(connection, "jobs", batch)
            step("jobs", len(batch))

        written = 0
        busy_received = 0
        busy_jobs: set[int] = set()

        async def write_applications(batch: list[tuple[Row, list[Row]]]) -> None:
            nonlocal written, busy_received
            await _write(connection, "job_applications", [row for row, _ in batch])
            history = [row for _, rows in batch for row in rows]
            await _write(connection, "application_status_history", history)
            written += len(batch)
            busy_received += sum(row["job_id"] in busy_jobs for row, _ in batch)
            step("applications", len(batch))

        await _overlapped(batched(data.job() for _ in range(jobs)), write_jobs)
        busy_jobs.update(data.published[index][0] for index in data.busy)
        drawn = data.applications(plan["applications"], busy_employer)
        await _overlapped(batched(drawn), write_applications)
        if connection.dialect.name == "postgresql":
            await _advance_sequences(connection)
    if database.engine.dialect.name == "postgresql":
        # Autovacuum would get there in a while; until then the planner would take these tables
        # for nearly empty, and plan (and measure) accordingly.
        async with database.engine.begin() as connection:
            await connection.exec_driver_sql(f"ANALYZE {', '.join(TABLES)}")
    counts = {
        "companies": len(companies),
        "employers": len(employers),
        "candidates": len(candidates),
        "jobs": jobs,
        "published jobs": len(data.published),
        "applications": written,
    }
    if busy_employer is not None:
        counts["received by employer1's company"] = busy_received
    return SeedSummary(
        counts=counts,
        password=DEMO_PASSWORD,
        employer_email=f"employer1@{DEMO_DOMAIN}",
        candidate_email=f"candidate1@{DEMO_DOMAIN}",
        seconds=time.perf_counter() - started,
    )


STAGES = {
    "password": "Hashing the demo password",
    "companies": "Companies and employers",
    "candidates": "Candidates",
    "jobs": "Jobs",
    "applications": "Applications",
}


async def run_seed(
    settings: Settings,
    *,
    jobs: int,
    seed: int,
    console: Console,
    applications: int | None = None,
    busy_employer: int | None = None,
) -> SeedSummary:
    """`intowork seed`: migrate (outside production), then seed with a progress bar per stage."""
    plan = planned_counts(jobs, applications)
    totals = {"password": 1, **plan}
    database = create_database(settings)
    try:
        if not settings.is_production:
            await upgrade_to_head(database.engine)
        if await demo_data_exists(database):
            raise DemoDataExists
        columns = (
            TextColumn("{task.description:<26}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console) as progress:
            tasks = {
                stage: progress.add_task(label, total=totals[stage])
                for stage, label in STAGES.items()
            }
            summary = await seed_demo_data(
                database,
                jobs=jobs,
                seed=seed,
                applications=applications,
                busy_employer=busy_employer,
                advance=lambda stage, rows: progress.advance(tasks[stage], rows),
            )
            # Applications are capped by what uniqueness allows: end that bar where it stopped.
            progress.update(tasks["applications"], total=summary.counts["applications"])
        return summary
    finally:
        await database.dispose()
