"""Users, companies with their employers, and candidates: the demo accounts."""

from datetime import datetime, timedelta

from intowork.jobs.search import search_document
from intowork.models.enums import UserRole
from intowork.seed.families import FAMILIES
from intowork.seed.stream import DemoData, Row, Weighted
from intowork.seed.vocabulary import (
    CITIES,
    DEMO_DOMAIN,
    DEPARTMENTS,
    EN_COMPANY,
    EN_FIRST,
    EN_INDUSTRIES,
    EN_LAST,
    EN_STREETS,
    FR_COMPANY,
    FR_FIRST,
    FR_INDUSTRIES,
    FR_LAST,
    FR_STREETS,
    POSITIONS,
    SIZES,
)


def draw_user(
    data: DemoData, email: str, role: UserRole, created_at: datetime, french: bool
) -> Row:
    first, last = (FR_FIRST, FR_LAST) if french else (EN_FIRST, EN_LAST)
    first_name, last_name = data.rng.choice(first), data.rng.choice(last)
    return {
        "id": data.next_id("users"),
        "email": email,
        "password_hash": data.password_hash,
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


def draw_company_name(data: DemoData, french: bool, taken: set[str]) -> str:
    first, second, suffixes = FR_COMPANY if french else EN_COMPANY
    for _ in range(20):
        name = f"{data.rng.choice(first)} {data.rng.choice(second)}"
        if data.rng.random() < 0.6:
            name = f"{name} {data.rng.choice(suffixes)}"
        if name not in taken:
            break
    else:
        name = f"{name} {len(taken) + 1}"
    taken.add(name)
    return name


def draw_companies_and_employers(
    data: DemoData, count: int
) -> tuple[list[Row], list[Row], list[Row]]:
    """Companies, then their employers (users + employers rows): 1 to 3 each, 2 on average."""
    companies: list[Row] = []
    users: list[Row] = []
    employers: list[Row] = []
    taken: set[str] = set()
    weights: list[tuple[int, int]] = []
    for index in range(count):
        city = CITIES.draw(data.rng)
        french = city.french if data.rng.random() < 0.8 else not city.french
        name = draw_company_name(data, french, taken)
        size = SIZES.draw(data.rng)
        created_at = data.ago(400, 120)
        team: list[tuple[int, int]] = []
        for rank in range(data.rng.choice((1, 2, 2, 2, 3))):
            employer_id = data.next_id("employers")
            number = employer_id - data.first["employers"] + 1
            joined = created_at + timedelta(days=rank * data.rng.randint(1, 30))
            user = draw_user(
                data, f"employer{number}@{DEMO_DOMAIN}", UserRole.EMPLOYER, joined, french
            )
            users.append(user)
            employers.append(
                {
                    "id": employer_id,
                    "user_id": user["id"],
                    "company_id": data.first["companies"] + index,
                    "position": data.rng.choice(POSITIONS),
                    "department": data.rng.choice(DEPARTMENTS),
                    "phone": data.digits("+33 1 "),
                    "can_create_jobs": True,
                    "can_manage_candidates": True,
                    "is_admin": rank == 0,
                    "created_at": joined,
                    "updated_at": joined,
                }
            )
            team.append((employer_id, user["id"]))
        slug = "-".join(search_document(name).split())
        industry = data.rng.choice(FR_INDUSTRIES if french else EN_INDUSTRIES)
        street = data.rng.choice(FR_STREETS if city.french else EN_STREETS)
        description = (
            f"{name} : {industry.lower()}, {size} salariés, basée à {city.name}."
            if french
            else f"{name}: {industry.lower()}, {size} employees, based in {city.name}."
        )
        companies.append(
            {
                "id": data.next_id("companies"),
                "name": name,
                "description": description,
                "industry": industry,
                "size": size,
                "website_url": f"https://{slug}.example.com",
                "linkedin_url": f"https://www.linkedin.com/company/{slug}",
                "address": f"{data.rng.randint(1, 120)} {street}",
                "city": city.name,
                "country": city.country,
                "logo_url": None,
                "created_by_user_id": team[0][1],
                "created_at": created_at,
                "updated_at": created_at,
            }
        )
        data.companies.append((name, french))
        data.teams.append(team)
        weights.append((index, SIZES.items.index(size) + 1))
    data.company_choice = Weighted.of(weights)
    return companies, users, employers


def draw_candidates(data: DemoData, count: int) -> tuple[list[Row], list[Row]]:
    users: list[Row] = []
    candidates: list[Row] = []
    for number in range(1, count + 1):
        created_at = data.ago(365)
        french = data.rng.random() < 0.65
        user = draw_user(
            data, f"candidate{number}@{DEMO_DOMAIN}", UserRole.CANDIDATE, created_at, french
        )
        users.append(user)
        family = FAMILIES.draw(data.rng)
        title = data.rng.choice(family.fr_titles if french else family.en_titles)
        years = data.rng.randint(0, 20)
        skills = ", ".join(data.rng.sample(family.skills, 3))
        expects = data.rng.random() < 0.7
        low = family.salary[0] + years
        candidate_id = data.next_id("candidates")
        candidates.append(
            {
                "id": candidate_id,
                "user_id": user["id"],
                "phone": data.digits("+33 6 "),
                "location": CITIES.draw(data.rng).name,
                "linkedin_url": None,
                "website_url": None,
                "title": title,
                "summary": f"{title}, {years} ans d'expérience : {skills}."
                if french
                else f"{title}, {years} years of experience: {skills}.",
                "years_experience": years,
                "salary_expectation_min": low * 1000 if expects else None,
                "salary_expectation_max": (low + data.rng.randint(0, 15)) * 1000
                if expects
                else None,
                "created_at": created_at,
                "updated_at": created_at,
            }
        )
        data.candidates.append((candidate_id, user["id"]))
    return users, candidates
