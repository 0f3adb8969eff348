"""Search gives the same matches on SQLite (FTS5) and PostgreSQL (tsvector): one test, both apps.

The standard fixtures give one backend per test, so this test builds both apps itself; it takes
no parametrised fixture and so runs once per session, not once per backend.
"""

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine

from intowork.core.config import Environment, Settings
from intowork.jobs.search import fold_words, parse_search
from intowork.main import create_app
from intowork.models.enums import JobStatus
from tests.fixtures.databases import truncate_all
from tests.fixtures.factories import make_company, make_employer
from tests.fixtures.services import service_missing
from tests.fixtures.settings import TEST_JWT_SECRET
from tests.fixtures.timing import app_lifespan
from tests.jobs.conftest import add_job, list_jobs, titles


def bold(text: str) -> str:
    """Mathematical bold letters, as social-media posts paste them."""
    return "".join(
        chr(0x1D400 + ord(c) - ord("A"))
        if "A" <= c <= "Z"
        else chr(0x1D41A + ord(c) - ord("a"))
        if "a" <= c <= "z"
        else c
        for c in text
    )


ACME = "Acme Industries"
SOCIETE = "Société Générale d'Ingénierie"
UBI = "Ubisoft Montréal"
OREAL = "L'Oréal Paris"
CREDIT = "Crédit Agricole S.A."
ZOE = "Zoë & Co"
STRASSE = "Straße GmbH"
NIHON = "日本ソフト株式会社"

# (company, title, description, status); titles are unique.
DATASET: list[tuple[str, str, str, JobStatus]] = [
    (
        ACME,
        "Développeur Python",
        "Nous cherchons un développeur backend expérimenté.",
        JobStatus.PUBLISHED,
    ),
    (ACME, "Python developer", "Join our backend team; Django and FastAPI.", JobStatus.PUBLISHED),
    (ACME, "QA engineer", "Test automation and quality assurance.", JobStatus.PUBLISHED),
    (ACME, "Senior C++ developer", "Low-latency systems, C++20, Linux.", JobStatus.PUBLISHED),
    (ACME, "Node.js engineer", "TypeScript, Node.js and 5G networks.", JobStatus.PUBLISHED),
    (ACME, "DevOps engineer", "Kubernetes, CI/CD, on-call rota.", JobStatus.PUBLISHED),
    (ACME, "Junior data analyst", "SQL, dashboards and données clients.", JobStatus.PUBLISHED),
    (ACME, "Ingénieur draft", "Développeur Python brouillon.", JobStatus.DRAFT),
    (SOCIETE, "Chef de projet", "Gestion de projets informatiques.", JobStatus.PUBLISHED),
    (
        SOCIETE,
        "Ingénieur logiciel",
        "Conception et développement d'applications.",
        JobStatus.PUBLISHED,
    ),
    (
        SOCIETE,
        "Ingénieure données",
        "Entrepôt de données, qualité des données.",
        JobStatus.PUBLISHED,
    ),
    (SOCIETE, "Stagiaire RH", "Stage de 6 mois aux ressources humaines.", JobStatus.PUBLISHED),
    (SOCIETE, "Responsable e-commerce", "Stratégie e-commerce B2B et B2C.", JobStatus.PUBLISHED),
    (SOCIETE, "Chef de projet clos", "Projet terminé.", JobStatus.CLOSED),
    (UBI, "Artiste 3D", "Modélisation 3D pour jeux vidéo.", JobStatus.PUBLISHED),
    (UBI, "Game designer", "Design de niveaux, jeux vidéo AAA.", JobStatus.PUBLISHED),
    (UBI, "Programmeur gameplay", "C++ et moteur maison à Montréal.", JobStatus.PUBLISHED),
    (UBI, "Testeur QA", "Assurance qualité des jeux.", JobStatus.PUBLISHED),
    (UBI, "Full-stack developer", "React front end and Go back end.", JobStatus.PUBLISHED),
    (
        OREAL,
        "Chef de produit marketing",
        "Marketing digital et réseaux sociaux.",
        JobStatus.PUBLISHED,
    ),
    (OREAL, "Digital marketing manager", "SEO, SEA and social media.", JobStatus.PUBLISHED),
    (
        OREAL,
        "Chimiste R&D",
        "Formulation cosmétique, recherche et développement.",
        JobStatus.PUBLISHED,
    ),
    (OREAL, "Stage assistant marketing", "Internship in brand marketing.", JobStatus.PUBLISHED),
    (OREAL, "Archived chemist", "Old posting.", JobStatus.ARCHIVED),
    (
        CREDIT,
        "Analyste crédit",
        "Analyse des risques de crédit aux entreprises.",
        JobStatus.PUBLISHED,
    ),
    (CREDIT, "Conseiller clientèle", "Accueil des clients en agence à Lyon.", JobStatus.PUBLISHED),
    (CREDIT, "Risk analyst", "Credit risk models in Python and R.", JobStatus.PUBLISHED),
    (CREDIT, "Développeuse Java", "Java 21, Spring Boot, microservices.", JobStatus.PUBLISHED),
    (CREDIT, "Architecte IT", "Architecture du système d'information.", JobStatus.PUBLISHED),
    (ZOE, "Pâtissier", "Crème brûlée, œufs à la neige et éclairs.", JobStatus.PUBLISHED),
    (ZOE, "Barista", "Café, thé et crêpes ; naïve coffee art.", JobStatus.PUBLISHED),
    (ZOE, "Community manager", "Instagram, TikTok & co.", JobStatus.PUBLISHED),
    (STRASSE, "Softwareentwickler", "Straßenbahn-Steuerung, Größe egal.", JobStatus.PUBLISHED),
    (STRASSE, "Werkstudent IT", "Über uns: Ingenieurbüro in Köln.", JobStatus.PUBLISHED),
    (STRASSE, "Übersetzer", "Deutsch, Français, Español.", JobStatus.PUBLISHED),
    (NIHON, "ソフトウェア開発者", "東京オフィス、リモート可。", JobStatus.PUBLISHED),
    (NIHON, "مطور برمجيات", "فريق الويب في دبي", JobStatus.PUBLISHED),
    (NIHON, "Ingeniero de datos", "Ingeniería de datos en Madrid, señor.", JobStatus.PUBLISHED),
    (NIHON, "Data engineer 2", "Spark, Kafka, 10TB/day, v2 pipelines.", JobStatus.PUBLISHED),
    (NIHON, "Mobile developer", "iOS and Android apps.", JobStatus.PUBLISHED),
    # Styled letters as pasted from social media: they fold to plain (capital) letters.
    (
        NIHON,
        bold("Senior Software Engineer"),
        "\u21161 in Japan, \u210dybrid work.",
        JobStatus.PUBLISHED,
    ),
]
QUERIES = [
    "développeur",
    "developpeur",
    "DÉVELOPPEUSE",
    "dev",
    "ingénieur",
    "ingenieur logiciel",
    "données",
    "donnees qualite",
    "data engineer",
    "c++",
    "node.js",
    "5g",
    "qa",
    "rh",
    "it",
    "r",
    "l'oréal",
    "oreal marketing",
    "credit agricole",
    "crédit risk",
    "montreal",
    "stage",
    "full-stack",
    "e-commerce b2b",
    "3d",
    "jeux vidéo",
    "python django",
    "chef de projet",
    "zoë",
    "creme brulee",
    "oeufs",
    "œufs",
    "straße",
    "strasse",
    "grosse",
    "über",
    "ingenieria",
    "senor",
    "ソフトウェア",
    "東京",
    "مطور",
    "v2",
    "10tb",
    "a",
    "and",
    "!!!",
    "nothing matches this",
    "se",
    "senior",
    bold("Se"),
    "hy",
    "no",
]


def oracle(search: str) -> set[str]:
    """The contract, in Python: every folded term is a prefix of a word of the published job."""
    query = parse_search(search)
    terms = (*query.indexed_terms, *query.short_terms)
    found = set()
    for company, title, description, status in DATASET:
        if status is not JobStatus.PUBLISHED:
            continue
        words = [word.lower() for word in fold_words(f"{title} {description} {company}")]
        if all(any(word.startswith(term.lower()) for word in words) for term in terms):
            found.add(title)
    return found


@asynccontextmanager
async def running(database_url: str, data_dir: Path) -> AsyncIterator[AsyncClient]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment=Environment.TEST,
        database_url=database_url,
        data_dir=data_dir,
        jwt_secret=TEST_JWT_SECRET,
        redis_url=None,
        rate_limit_enabled=False,
    )
    app: FastAPI = create_app(settings)
    async with app_lifespan(app):
        await populate(app)
        transport = ASGITransport(app=app, raise_app_exceptions=False)
        async with AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def populate(app: FastAPI) -> None:
    async with app.state.db.sessionmaker() as session:
        employers = {}
        for name in dict.fromkeys(company for company, *_ in DATASET):
            employers[name] = await make_employer(
                session, company=await make_company(session, name=name)
            )
        for company, title, description, status in DATASET:
            await add_job(
                session, employers[company], title=title, description=description, status=status
            )


async def search_titles(client: AsyncClient, search: str, sort: str) -> set[str]:
    page = await list_jobs(client, search=search, sort=sort, limit=100)
    assert page["total"] == len(page["jobs"])
    return titles(page)


class TestSearchEquivalence:
    async def test_same_matches_on_both_engines(
        self, tmp_path: Path, sqlite_template: Path, postgresql_engine: AsyncEngine | str
    ) -> None:
        if isinstance(postgresql_engine, str):
            service_missing(postgresql_engine)
        assert isinstance(postgresql_engine, AsyncEngine)
        sqlite_path = tmp_path / "intowork.db"
        shutil.copyfile(sqlite_template, sqlite_path)
        postgresql_url = postgresql_engine.url.render_as_string(hide_password=False)
        results: dict[str, dict[tuple[str, str], set[str]]] = {}
        try:
            for engine, url in [
                ("sqlite", f"sqlite+aiosqlite:///{sqlite_path}"),
                ("postgresql", postgresql_url),
            ]:
                async with running(url, tmp_path / engine) as client:
                    results[engine] = {
                        (search, sort): await search_titles(client, search, sort)
                        for search in QUERIES
                        for sort in ("recent", "relevance")
                    }
        finally:
            await truncate_all(postgresql_engine)

        differences = {
            key: {"sqlite": found, "postgresql": results["postgresql"][key]}
            for key, found in results["sqlite"].items()
            if found != results["postgresql"][key]
        }
        assert not differences, differences
        wrong = {
            key: {"found": found, "contract": oracle(key[0])}
            for key, found in results["sqlite"].items()
            if found != oracle(key[0])
        }
        assert not wrong, wrong
        assert sum(1 for found in results["sqlite"].values() if found) > len(QUERIES), (
            "the queries should mostly find something"
        )
