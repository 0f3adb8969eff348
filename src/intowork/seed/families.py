"""Job families: titles in French and English, skills, missions and salary ranges, with the
closings and benefits that end a job description. Data only."""

from typing import NamedTuple

from intowork.seed.stream import Weighted
from intowork.seed.vocabulary import options


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
                options("Python|FastAPI|PostgreSQL|Docker|Kubernetes|React|TypeScript|AWS"),
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
