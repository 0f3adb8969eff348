"""The words the demo data is made of: names, places, companies, and the weights of each kind
of job, location and status. Data only; the job families are in `families`."""

from typing import NamedTuple

from intowork.models.enums import ApplicationStatus, JobLocation, JobStatus, JobType
from intowork.seed.stream import Weighted

# Reserved for examples (RFC 2606), and accepted by the API's e-mail validation (".test" is not).
DEMO_DOMAIN = "demo.example.com"
DEMO_PASSWORD = "IntoWork-Demo-2026!"


def options(text: str) -> tuple[str, ...]:
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
FR_FIRST = options(
    "Camille|Léa|Chloé|Manon|Inès|Emma|Hugo|Lucas|Théo|Louis|Jules|Zoé|Élodie|Mathis|Noémie"
    "|Antoine|Sébastien|Amélie|Gaëlle|Jérôme|Hélène|François"
)
EN_FIRST = options(
    "Olivia|Amelia|Grace|Oliver|Jack|Harry|Emily|James|Sophie|Daniel|Hannah|Ethan|Ava|Noah"
    "|Isla|Samuel|Chloe|Thomas|Ruby|George"
)
FR_LAST = options(
    "Martin|Bernard|Dubois|Durand|Lefèvre|Moreau|Laurent|Girard|Roux|Fournier|Mercier|Faure"
    "|Chevalier|Gauthier|Perrin|Lemaître|Bonnet|Rousseau|Garnier"
)
EN_LAST = options(
    "Smith|Jones|Taylor|Brown|Williams|Wilson|Evans|Walker|Wright|Robinson|Hughes|Clarke"
    "|Murphy|O'Brien|Cooper|Bennett|Turner|Hall"
)
# Company names: first + second, sometimes + suffix.
FR_COMPANY = (
    options("Atelier|Groupe|Maison|Compagnie|Studio|Agence|Société|Cabinet|Fabrique|Comptoir"),
    options(
        "Lumière|Horizon|Azur|Boréal|Étoile|Rivage|Véga|Mistral|Alpin|Océane|Cèdre|Argos|Hélios"
        "|Méridien|Sillage|Archipel|Garance|Aubépine|Cassiopée|Ondine"
    ),
    options("Conseil|Solutions|Technologies|Services|Numérique|& Associés|Santé"),
)
EN_COMPANY = (
    options(
        "Northwind|Bluepeak|Brightline|Silverleaf|Redwood|Ironbridge|Clearwater|Stonegate"
        "|Greenfield|Highland|Lakeside|Suncrest|Fairview|Oakridge|Harbor"
    ),
    options(
        "Labs|Analytics|Systems|Partners|Software|Health|Logistics|Capital|Robotics|Media"
        "|Energy|Works"
    ),
    options("Group|Inc.|Ltd|International|Europe|Digital|& Co"),
)
FR_INDUSTRIES = options(
    "Logiciel|Conseil|Banque et assurance|Santé|Industrie|Énergie|Commerce"
    "|Transport et logistique|Tourisme"
)
EN_INDUSTRIES = options("Software|Fintech|Healthcare|E-commerce|Media|Education|Consulting")
FR_STREETS = options(
    "rue de la République|avenue Jean Jaurès|rue Victor Hugo|boulevard Pasteur|rue du Commerce"
    "|place de la Gare|rue Nationale"
)
EN_STREETS = options("High Street|Station Road|Main Street|Market Square|Canal Street")
SIZES = Weighted.of(
    zip(options("1-10|11-50|51-200|201-500|501-1000|1000+"), (1, 4, 6, 4, 2, 2), strict=True)
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
